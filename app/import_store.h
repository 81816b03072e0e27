/*
 * Where an import goes: the importer's only SQL, all in one transaction:
 * a failed import leaves nothing behind, and a repeated one adds nothing
 * (each comment keeps its source and source id, unique together).
 *
 * The file is read twice. The first reading stages every post, record
 * and comment's shape (its ids, status, account: no body) with COPY, and
 * import_store_place puts the comments in place; the second gives each
 * comment again, in the same order, with its body rendered, and it goes
 * straight into comments (COPY) while the next ones are read.
 */
#ifndef PARLEY_IMPORT_STORE_H
#define PARLEY_IMPORT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct import_store;
struct import_post;
struct import_comment;

struct import_counts {
	int64_t imported; /* new comments */
	int64_t already; /* there from an earlier import of this source */
	int64_t orphans; /* their parent missing: now top level */
	int64_t no_post; /* their post missing or refused: left out */
	int64_t dropped; /* deleted, without replies: nothing to show */
	int64_t posts; /* posts that got comments */
};

/* Connects (libpq conninfo) and starts the import of source ("wxr",
 * "disqus", "parley"). Imports run one at a time: unless locked (the
 * caller holds the lock), it takes the lock, failing while another import
 * runs. NULL with err filled on failure. */
struct import_store *import_store_open(const char *conninfo, const char *source,
    int locked, char *err, size_t errlen);
/* The first reading. Each stages a post, a comment's shape, or a setting
 * ('s'), account ('u') or ban ('b') of Parley's own export as its JSON
 * line: 0, or -1 with the reason in import_store_error. */
int import_store_post(struct import_store *, const struct import_post *);
int import_store_shape(struct import_store *, const struct import_comment *);
int import_store_record(struct import_store *, char kind, const char *json);
/* Between the readings: creates the posts and places the comments
 * staged. counts->orphans is filled, and counts->imported with the
 * comments to write (0: no need to read the file again). 0, or -1. */
int import_store_place(struct import_store *, struct import_counts *);
/* The second reading, for each comment staged, in order: 1 when it is to
 * be written (new to this source), 0 when not, -1 when it is not the
 * next one staged (the file changed). */
int import_store_next(struct import_store *, const struct import_comment *);
/* Writes the comment import_store_next said 1 of, with its Markdown
 * source and rendered HTML: 0, or -1. */
int import_store_comment(struct import_store *, const struct import_comment *,
    const char *markdown, const char *html);
/* After the second reading (which gave every comment staged), or without
 * one when there was nothing to write: drops deleted comments without
 * replies, keeps the counts, and commits. 0 with counts filled, or -1
 * (rolled back). */
int import_store_finish(struct import_store *, struct import_counts *);
/* The last error, or "". */
const char *import_store_error(const struct import_store *);
/* Rolls back what is not committed, and disconnects. */
void import_store_close(struct import_store *);

#endif

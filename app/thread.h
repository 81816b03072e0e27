/*
 * A post's discussion as a tree: built from the flat rows storage returns,
 * pruned to what readers may see, sorted, paged, and written as SPEC.md's
 * JSON or as HTML. Strings are borrowed from the caller (storage's result)
 * and must outlive the thread.
 */
#ifndef PARLEY_THREAD_H
#define PARLEY_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

struct buf;

enum comment_status {
	STATUS_PENDING,
	STATUS_APPROVED,
	STATUS_SPAM,
	STATUS_DELETED
};

struct comment {
	int64_t             id;
	int64_t             parent_id; /* 0: top level */
	enum comment_status status;
	const char         *author_name;
	const char         *author_url; /* NULL: none */
	const char         *author_role; /* "guest", "reader", ... */
	const char         *html;
	const char         *created_at; /* RFC 3339 UTC */
	const char         *edited_at; /* NULL: never edited */
	int64_t             created_us; /* sort key */
	int64_t             score;
	int                 own; /* the caller's: shown as is */
	int64_t             edit_until_us; /* own: end of the edit window */
	int                 reveal; /* for moderators: always shown */
	char                avatar[33]; /* hex hash, "" for none */
	int                 listed; /* storage says readers see it */
	int64_t             more; /* visible replies left out of the page */

	/* Filled in by thread_build. */
	int             visible; /* shown, maybe as placeholder */
	struct comment *parent;
	struct comment *first_child;
	struct comment *last_child;
	struct comment *next_sibling;
};

struct post_info {
	const char *key;
	const char *title;
	const char *url;
	int64_t     comment_count;
	int         open;
};

struct thread {
	struct comment  *items; /* borrowed; sorted by id by build */
	size_t           nitems;
	struct comment **top; /* visible top-level, in sort order */
	size_t           ntop;
};

struct thread_page {
	size_t        first; /* index into top */
	size_t        count;
	int           has_next;
	struct cursor next;
};

int         comment_status_parse(const char *, enum comment_status *);
const char *comment_status_name(enum comment_status);

/* Links replies to parents, marks what readers see (approved comments and
 * the placeholders of non-approved ones that have visible replies), and
 * sorts visible top-level comments. Replies whose parent is missing are
 * dropped. Returns 0, or -1 on allocation failure. */
int thread_build(struct thread *, struct comment *, size_t, enum thread_sort);
/* thread_build for a page storage cut out of the thread: comments whose
 * parent is root_id are the top level (0: the post's top level), and a
 * comment marked listed is visible even when none of its replies came. */
int  thread_build_under(struct thread *, struct comment *, size_t,
     enum thread_sort, int64_t root_id);
void thread_free(struct thread *);

/* The page of at most limit top-level comments after the cursor (NULL:
 * from the start). */
void thread_page(const struct thread *, const struct cursor *, size_t,
    enum thread_sort, struct thread_page *);

/* One COMMENT object of SPEC.md, with its replies. A comment that is not
 * approved (and not the caller's own) is written as a placeholder. The
 * caller's own comments also say "own": true and until when they may be
 * edited, so any of the caller's devices can offer it. */
void comment_write_json(struct buf *, const struct comment *);
/* A comment with replies left out (c->more) also says "more_replies":
 * the cursor of its last reply shown, for GET /api/v1/comments/ID/replies
 * (reply_cursor), and "more_replies_count": how many; else null and 0. */
void reply_cursor(const struct comment *last, struct cursor *);
/* SPEC.md's COMMENT objects of the page, as a JSON array. */
void thread_write_json(struct buf *, const struct thread *,
    const struct thread_page *);
/* The page as nested HTML lists, every string escaped, dates and words
 * in the language l. */
struct page_lang;
void thread_write_html(struct buf *, const struct thread *,
    const struct thread_page *, const struct page_lang *l);
/* The same, with a link under each comment with replies left out
 * (c->more): to more_href (HTML-escaped here) followed by the comment's
 * id, "&after=" and its more_replies cursor. */
void thread_write_html_more(struct buf *, const struct thread *,
    const struct thread_page *, const struct page_lang *l,
    const char *more_href);

#endif

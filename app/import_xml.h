/*
 * Reads WordPress (WXR 1.0-1.2) and Disqus exports as a stream, handing
 * each post and comment to a sink as it is read: memory stays the same
 * whatever the file's size. Kore-free, on libxml2's xmlTextReader, with
 * network access off and no DOCTYPE allowed at all (exports have none; a
 * DOCTYPE is how entity bombs and external entities get in). A .gz file
 * is read through zlib.
 *
 * Records are handed over as read, with their fields cleaned (see
 * import_comment): the loader (import_store.c) puts them in place, so
 * replies may come before their parents.
 */
#ifndef PARLEY_IMPORT_XML_H
#define PARLEY_IMPORT_XML_H

#include <stddef.h>

#include <zlib.h>

enum import_format { IMPORT_WXR, IMPORT_DISQUS, IMPORT_PARLEY };

/* How a post's key is made: from the export's own id (a WXR item's
 * wp:post_id, a Disqus thread's <id>, or its link's path when the id is
 * empty), or always from the path of the post's link. */
enum import_key { IMPORT_KEY_ID, IMPORT_KEY_PATH };

struct import_post {
	const char *source_id; /* the export's id of the post or thread */
	const char *key; /* Parley's post key */
	const char *url; /* an http(s) URL, or NULL */
	const char *title; /* at most POST_TITLE_MAX characters */
	int         open; /* comments still open */
	const char *created_at; /* RFC 3339, or NULL: now */
};

struct import_comment {
	const char *source_id; /* unique within the source */
	const char *post_source_id; /* its import_post's source_id */
	const char *parent_source_id; /* NULL: top level */
	const char *author_name; /* never empty */
	const char *author_email; /* NULL, or one line with an '@' */
	const char *author_url; /* NULL, or an http(s) URL */
	const char *ip; /* NULL, or an IPv4/IPv6 address */
	const char *created_at; /* RFC 3339 UTC: 2026-12-06T16:05:09Z */
	const char *status; /* approved, pending, spam or deleted */
	const char *body_html; /* as exported; NULL when markdown is given */
	int         bare_lines; /* WordPress: no <p>, newlines are breaks */
	/* Parley's own export (import_jsonl.c) has more: */
	const char *markdown; /* the source itself, or NULL */
	const char *user_email; /* the account that wrote it, or NULL */
	const char *edited_at; /* RFC 3339, or NULL */
	long long   score;
	const char *verdict, *reason; /* the pipeline's, or NULL */
};

/* Why a record was left out, counted in the report. */
enum import_skip {
	IMPORT_SKIP_TRASH, /* WordPress trash and post-trashed */
	IMPORT_SKIP_TYPE, /* pingbacks, trackbacks, notes */
	IMPORT_SKIP_INVALID, /* no id, no post, a bad date */
	IMPORT_SKIP_COUNT
};

struct import_sink {
	/* Each returns 0, or -1 to stop the import (err says why). */
	int (*post)(void *, const struct import_post *);
	int (*comment)(void *, const struct import_comment *);
	/* A record left out; what names it (static or short-lived). */
	void (*skipped)(void *, enum import_skip, const char *what);
	/* Parley's export: a setting ('s'), account ('u') or ban ('b') as
	 * its JSON line; NULL where the format has none. */
	int (*record)(void *, char kind, const char *json);
	void *arg;
};

/*
 * Reads the export open at fd (plain or gzipped XML, from where the file
 * offset stands; fd stays open and its offset tells how far the reading
 * got) in format, handing each post (before its comments) and comment to
 * sink. Returns 0, or -1 with err filled: an XML error with its line, a
 * DOCTYPE, the wrong format or an unknown WXR namespace, or what a sink
 * said.
 */
int import_xml_read(int fd, enum import_format, enum import_key,
    const struct import_sink *, char *err, size_t errlen);

/* A gzip (or plain) reader of what fd holds, on a descriptor of its own
 * (the offset is shared): gzclose it. NULL on failure. */
gzFile import_gzdopen(int fd);

/* The path of an http(s) URL ("/2024/05/a-post/"), into out; -1 when url
 * is not one or the path does not fit. */
int import_url_path(const char *url, char *out, size_t outlen);

#endif

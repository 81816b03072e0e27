/*
 * Validation of what readers send: a new comment (POST /api/v1/comments)
 * and a preview. Reads a parsed JSON object (jansson); fills an apierr with
 * the status, code and field SPEC.md asks for.
 */
#ifndef PARLEY_COMMENT_INPUT_H
#define PARLEY_COMMENT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct apierr;

#define POST_KEY_MAX    256 /* bytes */
#define POST_TITLE_MAX  300 /* characters */
#define URL_MAX         2048 /* bytes */
#define AUTHOR_NAME_MAX 80 /* characters */
#define EMAIL_MAX       254 /* bytes */
#define BODY_MAX        10000 /* characters */

/* Borrowed from the JSON object; valid while it lives. Trimmed copies are
 * not needed: leading and trailing blanks are refused or skipped by length. */
struct comment_input {
	const char *post;
	const char *post_title; /* "" when absent */
	const char *post_url; /* "" when absent */
	int64_t     parent_id; /* 0 when absent or null */
	const char *body;
	size_t      body_len;
	char       *author_name; /* trimmed copy, owned: free it */
	const char *author_email; /* NULL when absent or empty */
	const char *author_url; /* NULL when absent or empty */
	int         honeypot; /* the hidden "hp" field was filled */
	int         notify; /* "notify": true, replies by e-mail */
};

/* A guest's comment: name required, e-mail and website optional. */
int comment_input_parse(json_t *, struct comment_input *, struct apierr *);
/* guest 0: a member's comment, whose author fields are ignored. */
int  comment_input_parse_as(json_t *, int guest, struct comment_input *,
     struct apierr *);
void comment_input_free(struct comment_input *);

/* The body of a preview or an edit: required, valid, at most BODY_MAX. */
int body_parse(json_t *, const char **, size_t *, struct apierr *);

/* A post key from a query string: 1..POST_KEY_MAX bytes, no controls. */
int post_key_valid(const char *);
/* http(s) URL without blanks or control characters. */
int http_url_valid(const char *);

#endif

/*
 * The verdict hook's request body (SPEC.md, pipeline stage 10): the
 * comment as moderators would see it, for a new comment and for an
 * author's edit alike. Pure, so it is unit-tested without Kore.
 */
#ifndef PARLEY_VERDICT_BODY_H
#define PARLEY_VERDICT_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct verdict_comment {
	int64_t     id; /* an edit's comment; 0 when new */
	const char *post;
	int64_t     parent_id; /* 0: top level */
	const char *body;
	size_t      body_len;
	const char *html;
	const char *author_name;
	const char *author_email; /* NULL if none */
	const char *author_url; /* NULL if none */
	int64_t     user_id; /* 0: a guest */
	const char *ip; /* NULL if unknown */
	const char *created_at; /* RFC 3339: when it is asked */
};

/*
 * {"type":"comment.verdict","created_at","data":{"comment":{"post",
 * "parent_id","body","html","author":{"name","email","url","user_id"},
 * "ip"}, "edit":{"id"}?}}: "edit" only for an edit of comment id.
 */
void verdict_body(struct buf *, const struct verdict_comment *);

#endif

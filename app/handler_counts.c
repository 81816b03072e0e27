/*
 * GET /api/v1/counts?post=A&post=B...: approved comments per post, for the
 * count script on blog index pages.
 */
#include <string.h>

#include <stdlib.h>

#include "api.h"
#include "comment_input.h"
#include "escape.h"
#include "query.h"
#include "store.h"

#define COUNTS_KEYS_MAX 100

int handler_counts(struct http_request *);

struct counts_state {
	struct db_query q;
	struct buf      keys; /* JSON array of the requested keys */
	struct api_fill fill;
};

static void
counts_state_free(struct http_request *req)
{
	struct counts_state *s = http_state_get(req);

	db_done(&s->q);
	buf_free(&s->keys);
	api_fill_free(&s->fill);
}

static int
counts_params(struct http_request *req, struct counts_state *s,
    struct apierr *e)
{
	struct query_iter it;
	size_t            n;
	int               r;

	n = 0;
	buf_puts(&s->keys, "[");
	query_iter_init(&it, api_query(req));
	while ((r = query_iter_next(&it)) == 1) {
		if (strcmp(it.name, "post") != 0)
			continue;
		if (!post_key_valid(it.value)) {
			query_iter_free(&it);
			return (apierr_set(e, 422, "invalid_value",
			    "Each post key must be 1 to 256 bytes without "
			    "control characters.",
			    "post"));
		}
		if (++n > COUNTS_KEYS_MAX) {
			query_iter_free(&it);
			return (apierr_set(e, 422, "too_many",
			    "Ask for at most 100 posts at once.", "post"));
		}
		if (n > 1)
			buf_putc(&s->keys, ',');
		escape_json_cstr(&s->keys, it.value);
	}
	query_iter_free(&it);
	if (r == -1)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (n == 0)
		return (apierr_set(e, 422, "required",
		    "Name at least one post: ?post=KEY.", "post"));
	buf_puts(&s->keys, "]");
	return (0);
}

static void
counts_respond(struct http_request *req, struct counts_state *s)
{
	struct count_row r;
	struct buf       b;
	int              row;

	buf_init(&b);
	buf_puts(&b, "{\"counts\":{");
	for (row = 0; store_count_row(&s->q, row, &r) == 0; row++) {
		if (row > 0)
			buf_putc(&b, ',');
		escape_json_cstr(&b, r.key);
		buf_printf(&b, ":%lld", (long long)r.count);
	}
	buf_puts(&b, "}}");
	/* Counts depend on every post: any change drops them. */
	api_cache_fill(req, &s->fill, NULL, &b);
	buf_free(&b);
}

int
handler_counts(struct http_request *req)
{
	struct counts_state *s;
	struct apierr        e;
	struct buf           k;
	int                  r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), counts_state_free);
		if (counts_params(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		buf_init(&k);
		buf_printf(&k, "c\x1f%s", api_query(req));
		if (api_cache_lookup(req, &k, &s->fill))
			return (KORE_RESULT_OK);
		store_counts_query(&s->q, s->keys.data);
		api_fill_route(&s->fill, &s->q, NULL);
	}
	s = http_state_get(req);
	if ((r = api_query_ready(req, &s->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	counts_respond(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

/*
 * GET /thread.html?post=KEY[&fragment=1]: the approved thread as HTML, for
 * readers without JavaScript and for crawlers; the fragment is only the
 * thread, for blogs that include it when they build their pages.
 * Both are the same for everyone, so they come from the worker's cache
 * like the JSON threads, each under a key of its own, and are dropped
 * with them when their post changes.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "comment_input.h"
#include "escape.h"
#include "query.h"
#include "store.h"

int handler_thread_page(struct http_request *);

#define HTML_TYPE "text/html; charset=utf-8"

struct page_state {
	struct db_query      q;
	struct store_numbers nums;
	char                *key;
	int                  fragment;
	struct api_fill      fill;
};

static void
page_state_free(struct http_request *req)
{
	struct page_state *s = http_state_get(req);

	db_done(&s->q);
	free(s->key);
	s->key = NULL;
	api_fill_free(&s->fill);
}

static const char page_head[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>";
static const char page_style[] =
    "</title><style>"
    "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
    "padding:0 1rem;color:#222;background:#fff}"
    "ol{list-style:none;padding-left:0}"
    ".parley-replies{padding-left:1.25rem;border-left:2px solid #ddd}"
    ".parley-meta{color:#555;font-size:.9rem}"
    ".parley-deleted{color:#777;font-style:italic}"
    "@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}"
    ".parley-meta{color:#aaa}a{color:#8ab4f8}}"
    "</style></head><body>";

static void
page_respond(struct http_request *req, struct page_state *s)
{
	struct post_info   post;
	struct comment    *items;
	struct thread      t;
	struct thread_page pg;
	struct buf         b;
	size_t             n;
	int                found;
	const char        *title;

	memset(&post, 0, sizeof(post));
	found = store_thread_read(&s->q, &post, &items, &n);
	if (thread_build(&t, items, n, SORT_OLDEST) == -1)
		fatal("thread_build: out of memory");
	thread_page(&t, NULL, t.ntop, SORT_OLDEST, &pg);

	buf_init(&b);
	title = found && post.title[0] != '\0' ? post.title : s->key;
	if (!s->fragment) {
		buf_puts(&b, page_head);
		buf_puts(&b, "Comments: ");
		escape_html(&b, title, strlen(title));
		buf_puts(&b, page_style);
		buf_puts(&b, "<h1>Comments on ");
		if (found && post.url[0] != '\0') {
			buf_puts(&b, "<a href=\"");
			escape_html(&b, post.url, strlen(post.url));
			buf_puts(&b, "\">");
			escape_html(&b, title, strlen(title));
			buf_puts(&b, "</a>");
		} else
			escape_html(&b, title, strlen(title));
		buf_puts(&b, "</h1>\n");
	}
	buf_printf(&b,
	    "<section class=\"parley-static\"><h2>%lld comment%s</h2>",
	    found ? (long long)post.comment_count : 0LL,
	    found && post.comment_count == 1 ? "" : "s");
	thread_write_html(&b, &t, &pg);
	buf_puts(&b, "</section>\n");
	if (!s->fragment)
		buf_puts(&b, "</body></html>\n");

	api_cache_fill_as(req, &s->fill, s->key, &b, HTML_TYPE);
	buf_free(&b);
	thread_free(&t);
	free(items);
}

static int
page_params(struct http_request *req, struct page_state *s, struct apierr *e)
{
	char *v;
	int   bad, bad2;

	s->key = query_get(api_query(req), "post", &bad);
	v = query_get(api_query(req), "fragment", &bad2);
	s->fragment = v != NULL && strcmp(v, "1") == 0;
	free(v);
	if (bad || bad2)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (s->key == NULL || !post_key_valid(s->key))
		return (apierr_set(e, 422, "invalid_value",
		    "Name the post: ?post=KEY (1 to 256 bytes).", "post"));
	return (0);
}

/* Answers from the worker's cache when it holds this page: 1. */
static int
page_cached(struct http_request *req, struct page_state *s)
{
	struct buf k;

	/* Not the JSON's keys ("t..."): a page is not a thread answer. */
	buf_init(&k);
	buf_printf(&k, "h\x1f%d\x1f%s", s->fragment, s->key);
	return (api_cache_lookup_as(req, &k, &s->fill, HTML_TYPE));
}

int
handler_thread_page(struct http_request *req)
{
	struct page_state *s;
	struct apierr      e;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), page_state_free);
		if (page_params(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		/* Cached or not, the page keeps its policy. */
		http_response_header(req, "content-security-policy",
		    "default-src 'none'; style-src 'unsafe-inline'; "
		    "img-src 'self'");
		if (page_cached(req, s))
			return (KORE_RESULT_OK);
		store_thread_query(&s->q, &s->nums, s->key, 0);
	}
	s = http_state_get(req);
	switch (db_run(req, &s->q)) {
	case DB_PENDING:
		return (KORE_RESULT_RETRY);
	case DB_FAILED:
		api_db_unavailable(req);
		break;
	case DB_READY:
		page_respond(req, s);
		db_done(&s->q);
		break;
	}
	return (KORE_RESULT_OK);
}

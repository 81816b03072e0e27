/*
 * GET /thread.html?post=KEY[&fragment=1][&lang=de]: the approved thread as
 * HTML, for readers without JavaScript and for crawlers; the fragment is
 * only the thread, for blogs that include it when they build their pages.
 * lang (en, de or fr; English otherwise) sets its words and dates.
 * Without a post it is an HTML page saying what to ask for, not JSON.
 * Both are the same for everyone, so they come from the worker's cache
 * like the JSON threads, each under a key of its own, and are dropped
 * with them when their post changes. The page links to the post's Atom
 * feed of comments (handler_feed.c), in its head for feed readers and
 * in its text for people.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "comment_input.h"
#include "escape.h"
#include "feed.h"
#include "page_lang.h"
#include "parley.h"
#include "query.h"
#include "sites.h"
#include "store.h"

int handler_thread_page(struct http_request *);

#define HTML_TYPE "text/html; charset=utf-8"

/* Top-level comments per page, and replies per comment and level. */
#define PAGE_LIMIT   50
#define PAGE_REPLIES 50

struct page_state {
	struct db_query         q;
	struct store_numbers    nums;
	char                   *key;
	int64_t                 replies; /* 0: the post's page */
	int                     has_after;
	struct cursor           after;
	int                     fragment;
	const struct page_lang *lang;
	struct api_fill         fill;
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

/* The page's start, up to its title: the language goes between them. */
static const char page_doctype[] = "<!doctype html>\n<html lang=\"";
static const char page_head[] =
    "\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>";
static const char page_style[] =
    "</title><style>"
    "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
    "padding:0 1rem;color:#222;background:#fff}"
    "ol{list-style:none;padding-left:0}"
    ".parley-replies{padding-left:1.25rem;border-left:2px solid #ddd}"
    ".parley-meta{color:#555;font-size:.9rem}"
    ".parley-deleted{color:#666;font-style:italic}"
    "@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}"
    ".parley-meta,.parley-deleted{color:#aaa}a{color:#8ab4f8}}"
    "</style>";
static const char page_body[] = "</head><body><main>";
static const char page_end[] = "</main></body></html>\n";

/* prefix and title, escaped, with a space between them. */
static void
page_title(struct buf *b, const char *prefix, const char *title)
{
	escape_html(b, prefix, strlen(prefix));
	if (*title != '\0') {
		buf_putc(b, ' ');
		escape_html(b, title, strlen(title));
	}
}

/*
 * Where links to Parley's feeds start: public_url, else Parley's root
 * on the page's own host (""). NULL for a fragment without public_url:
 * it lives in the blog's page, where a link relative to Parley would
 * lead nowhere.
 */
static const char *
page_feed_base(int fragment)
{
	if (parley_config.public_url != NULL)
		return (parley_config.public_url);
	return (fragment ? NULL : "");
}

/* The page's start, through <main>, titled prefix and title; with the
 * post's comment feed announced when feed_key is not NULL. */
static void
page_start(struct buf *b, const struct page_lang *l, const char *prefix,
    const char *title, const char *feed_key)
{
	buf_puts(b, page_doctype);
	buf_puts(b, l->code);
	buf_puts(b, page_head);
	page_title(b, prefix, title);
	buf_puts(b, page_style);
	if (feed_key != NULL) {
		buf_puts(b,
		    "<link rel=\"alternate\" "
		    "type=\"application/atom+xml\" title=\"");
		page_title(b, prefix, title);
		buf_puts(b, "\" href=\"");
		feed_write_url(b, page_feed_base(0), feed_key);
		buf_puts(b, "\">");
	}
	buf_puts(b, page_body);
}

/* The visible link to the post's feed, when there is one to give. */
static void
page_feed_link(struct buf *b, const struct page_state *s)
{
	const char *base = page_feed_base(s->fragment);

	if (base == NULL)
		return;
	buf_puts(b,
	    "<p class=\"parley-feed\"><a type=\"application/atom+xml\" "
	    "href=\"");
	feed_write_url(b, base, s->key);
	buf_puts(b, "\">");
	escape_html(b, s->lang->feed, strlen(s->lang->feed));
	buf_puts(b, "</a></p>");
}

/* thread.html's own address for this post and language, up to "&": the
 * links to further pages add to it. */
static void
page_href(struct buf *b, const struct page_state *s)
{
	const unsigned char *p;

	buf_puts(b, "thread.html?post=");
	for (p = (const unsigned char *)s->key; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
	if (s->fragment)
		buf_puts(b, "&fragment=1");
	buf_printf(b, "&lang=%s&", s->lang->code);
}

static void
page_respond(struct http_request *req, struct page_state *s)
{
	struct post_info   post;
	struct comment    *items;
	struct thread      t;
	struct thread_page pg;
	struct cursor      cur;
	struct buf         b, href, more;
	size_t             n;
	int                found;
	const char        *title;
	long long          count;
	char               next[CURSOR_MAX];

	memset(&post, 0, sizeof(post));
	found = store_thread_read(&s->q, &post, &items, &n);
	/* Replies of a comment of another post: none here. */
	if (found && s->replies != 0 &&
	    strcmp(store_page_key(&s->q), s->key) != 0)
		n = 0;
	if (thread_build_under(&t, items, n, SORT_OLDEST, s->replies) == -1)
		fatal("thread_build: out of memory");
	thread_page(&t, NULL, PAGE_LIMIT, SORT_OLDEST, &pg);
	buf_init(&href);
	page_href(&href, s);
	buf_init(&more);
	buf_append(&more, href.data, href.len);
	buf_puts(&more, "replies=");
	buf_putc(&more, '\0');

	buf_init(&b);
	title = found && post.title != NULL && post.title[0] != '\0' ?
	    post.title :
	    s->key;
	if (!s->fragment) {
		page_start(&b, s->lang, s->lang->comments_on, title, s->key);
		buf_puts(&b, "<h1>");
		escape_html(&b, s->lang->comments_on,
		    strlen(s->lang->comments_on));
		buf_putc(&b, ' ');
		/* Only to a site allowed now (sites.h): the first
		 * commenter supplied it. */
		if (found && sites_url_shown(post.url)) {
			buf_puts(&b, "<a href=\"");
			escape_html(&b, post.url, strlen(post.url));
			buf_puts(&b, "\">");
			escape_html(&b, title, strlen(title));
			buf_puts(&b, "</a>");
		} else
			escape_html(&b, title, strlen(title));
		buf_puts(&b, "</h1>\n");
	}
	buf_puts(&b, "<section class=\"parley-static\"><h2>");
	count = found ? (long long)post.comment_count : 0;
	if (s->replies != 0) {
		/* A comment's replies: a link back to the post's first page
		 * (the address without its last "&"). */
		buf_puts(&b, "<a href=\"");
		escape_html(&b, href.data, href.len - 1);
		buf_puts(&b, "\">");
		escape_html(&b, s->lang->comments_on,
		    strlen(s->lang->comments_on));
		buf_putc(&b, ' ');
		escape_html(&b, title, strlen(title));
		buf_puts(&b, "</a>");
	} else if (count == 1)
		buf_puts(&b, s->lang->one_comment);
	else
		buf_printf(&b, s->lang->n_comments, count);
	buf_puts(&b, "</h2>");
	thread_write_html_more(&b, &t, &pg, s->lang, more.data);
	if (pg.has_next && pg.count > 0) {
		if (s->replies != 0)
			reply_cursor(t.top[pg.first + pg.count - 1], &cur);
		else
			cur = pg.next;
		cursor_encode(&cur, next);
		buf_reset(&more);
		buf_append(&more, href.data, href.len);
		if (s->replies != 0)
			buf_printf(&more, "replies=%lld&",
			    (long long)s->replies);
		buf_printf(&more, "after=%s", next);
		buf_puts(&b, "<p class=\"parley-next\"><a href=\"");
		escape_html(&b, more.data, more.len);
		buf_puts(&b, "\">");
		escape_html(&b, s->lang->more_comments,
		    strlen(s->lang->more_comments));
		buf_puts(&b, "</a></p>");
	}
	page_feed_link(&b, s);
	buf_puts(&b, "</section>\n");
	if (!s->fragment)
		buf_puts(&b, page_end);

	api_cache_fill_as(req, &s->fill,
	    s->replies != 0 ? store_page_key(&s->q) : s->key, &b, HTML_TYPE);
	buf_free(&b);
	buf_free(&href);
	buf_free(&more);
	thread_free(&t);
	free(items);
}

static int
page_params(struct http_request *req, struct page_state *s, struct apierr *e)
{
	char *v, *lang, *ep;
	int   bad, bad2, bad3;

	s->key = query_get(api_query(req), "post", &bad);
	v = query_get(api_query(req), "fragment", &bad2);
	lang = query_get(api_query(req), "lang", &bad3);
	s->fragment = v != NULL && strcmp(v, "1") == 0;
	s->lang = page_lang_find(lang);
	free(v);
	free(lang);
	if (bad || bad2 || bad3)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (s->key == NULL || !post_key_valid(s->key))
		return (apierr_set(e, 422, "invalid_value",
		    "Name the post: ?post=KEY (1 to 256 bytes).", "post"));
	/* replies=ID: that comment's replies; after=CURSOR: the next page. */
	v = query_get(api_query(req), "replies", &bad);
	if (v != NULL) {
		s->replies = strtoll(v, &ep, 10);
		if (*v == '\0' || *ep != '\0' || s->replies <= 0)
			bad = 1;
		free(v);
	}
	v = query_get(api_query(req), "after", &bad2);
	if (v != NULL) {
		if (cursor_decode(v, SORT_OLDEST, &s->after) == -1)
			bad2 = 1;
		s->has_after = 1;
		free(v);
	}
	if (bad || bad2)
		return (apierr_set(e, 400, "malformed_query",
		    "replies or after is not one of this page's links.", NULL));
	return (0);
}

/* A refused request as a page a person reads (this URL is followed from
 * <noscript> links), in the asked language when there was one. */
static void
page_error(struct http_request *req, const struct page_state *s,
    const struct apierr *e)
{
	const struct page_lang *l =
	    s->lang != NULL ? s->lang : page_lang_find(NULL);
	struct buf b;

	buf_init(&b);
	page_start(&b, l, l->no_post_title, "", NULL);
	buf_puts(&b, "<h1>");
	escape_html(&b, l->no_post_title, strlen(l->no_post_title));
	buf_puts(&b, "</h1><p>");
	if (e->status == 422)
		escape_html(&b, l->no_post, strlen(l->no_post));
	else
		escape_html(&b, e->message, strlen(e->message));
	buf_puts(&b, "</p>");
	buf_puts(&b, page_end);
	api_common_headers(req);
	http_response_header(req, "content-type", HTML_TYPE);
	http_response_header(req, "cache-control", "no-store");
	api_respond(req, e->status, b.data, b.len);
	buf_free(&b);
}

/* Answers from the worker's cache when it holds this page: 1. */
static int
page_cached(struct http_request *req, struct page_state *s)
{
	struct buf k;

	/* Not the JSON's keys ("t..."): a page is not a thread answer. */
	buf_init(&k);
	buf_printf(&k, "h\x1f%d\x1f%s\x1f%lld\x1f%lld\x1f%s", s->fragment,
	    s->lang->code, (long long)s->replies,
	    s->has_after ? (long long)s->after.id : 0LL, s->key);
	if (s->has_after)
		buf_printf(&k, ".%lld", (long long)s->after.created_us);
	return (api_cache_lookup_as(req, &k, &s->fill, HTML_TYPE));
}

int
handler_thread_page(struct http_request *req)
{
	struct page_state *s;
	struct apierr      e;
	int                r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), page_state_free);
		/* Cached or not, error or not, the page keeps its policy. */
		http_response_header(req, "content-security-policy",
		    "default-src 'none'; style-src 'unsafe-inline'; "
		    "img-src 'self'");
		if (page_params(req, s, &e) == -1) {
			page_error(req, s, &e);
			return (KORE_RESULT_OK);
		}
		if (page_cached(req, s))
			return (KORE_RESULT_OK);
		if (s->replies != 0)
			store_replies_query(&s->q, &s->nums, s->replies, 0,
			    s->has_after ? s->after.id : 0, PAGE_LIMIT,
			    PAGE_REPLIES);
		else
			store_thread_page_query(&s->q, &s->nums, s->key, 0,
			    SORT_OLDEST, s->has_after ? &s->after : NULL,
			    PAGE_LIMIT, PAGE_REPLIES);
		api_fill_route(&s->fill, &s->q,
		    s->replies != 0 ? NULL : s->key);
	}
	s = http_state_get(req);
	if ((r = api_query_ready(req, &s->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	page_respond(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

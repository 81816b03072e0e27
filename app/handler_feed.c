/*
 * GET /feed/comments.atom[?post=KEY]: an Atom feed of the newest
 * approved comments of a post, or of the whole site without a post
 * (feed.h). Anonymous and public like thread.html. Links go to
 * public_url (parley.conf), else to the address the request asked for
 * (scheme and Host); ids are tag: URIs on the same host, so they stay
 * the same as long as that address does.
 *
 * Feeds are the same for everyone asking at the same address, so they
 * come from the worker's cache like threads: a post's feed is dropped
 * when its post is announced as changed (listen.c), the site's feed
 * whenever any post is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "comment_input.h"
#include "feed.h"
#include "origin.h"
#include "parley.h"
#include "query.h"
#include "sites.h"
#include "store_feed.h"

int handler_feed(struct http_request *);

struct feed_state {
	struct db_query      q;
	struct store_numbers nums;
	char                *key; /* NULL: the site's feed */
	const char          *base; /* public_url, or own */
	char                 own[ORIGIN_MAX + 1]; /* the request's origin */
	char                 authority[FEED_AUTHORITY_MAX + 1];
	struct api_fill      fill;
};

static void
feed_state_free(struct http_request *req)
{
	struct feed_state *s = http_state_get(req);

	db_done(&s->q);
	free(s->key);
	s->key = NULL;
	api_fill_free(&s->fill);
}

/* post, if given, must be a post key. Fills e and returns -1 when not. */
static int
feed_params(struct http_request *req, struct feed_state *s, struct apierr *e)
{
	int bad;

	s->key = query_get(api_query(req), "post", &bad);
	if (bad)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (s->key != NULL && !post_key_valid(s->key))
		return (apierr_set(e, 422, "invalid_value",
		    "The post key must be 1 to 256 bytes without control "
		    "characters.",
		    "post"));
	return (0);
}

/*
 * Where the feed's links point and whose host its ids name: public_url
 * when set; otherwise the origin the client asked for, which must be
 * one (a Host header that is not a host is refused: 400).
 */
static int
feed_address(struct http_request *req, struct feed_state *s, struct apierr *e)
{
	const char *host, *why;
	char        url[ORIGIN_MAX + 16];

	if (parley_config.public_url != NULL) {
		s->base = parley_config.public_url;
		feed_authority(s->base, s->authority);
		return (0);
	}
	if (!http_request_header(req, "host", &host) || host == NULL ||
	    strlen(host) > ORIGIN_MAX)
		return (apierr_set(e, 400, "malformed_host",
		    "The Host header must name this server.", NULL));
	(void)snprintf(url, sizeof(url), "%s://%s", api_scheme(req), host);
	if (origin_normalize(url, s->own, &why) == -1)
		return (apierr_set(e, 400, "malformed_host",
		    "The Host header must name this server.", NULL));
	s->base = s->own;
	feed_authority(s->base, s->authority);
	return (0);
}

/* Answers from the worker's cache when it holds this feed: 1. */
static int
feed_cached(struct http_request *req, struct feed_state *s)
{
	struct buf k;

	/* Not a thread's keys ("t...", "h..."); the address is part of
	 * the answer when it comes from the request. */
	buf_init(&k);
	if (s->key != NULL)
		buf_printf(&k, "f\x1f%s\x1fp\x1f%s", s->base, s->key);
	else
		buf_printf(&k, "f\x1f%s\x1fs", s->base);
	return (api_cache_lookup_as(req, &k, &s->fill, FEED_TYPE));
}

static void
feed_respond(struct http_request *req, struct feed_state *s)
{
	struct feed        f;
	struct feed_entry *entries;
	struct buf         b;
	size_t             i;

	memset(&f, 0, sizeof(f));
	f.authority = s->authority;
	f.base = s->base;
	f.post_key = s->key;
	store_feed_read(&s->q, &f, &entries);
	/* Post URLs only to a site allowed now (sites.h); the others link
	 * to thread.html. */
	if (!sites_url_shown(f.post_url))
		f.post_url = NULL;
	for (i = 0; i < f.nentries; i++)
		if (!sites_url_shown(entries[i].post_url))
			entries[i].post_url = NULL;

	buf_init(&b);
	feed_write_atom(&b, &f);
	/* The site's feed (key NULL) depends on every post. */
	api_cache_fill_as(req, &s->fill, s->key, &b, FEED_TYPE);
	buf_free(&b);
	free(entries);
}

int
handler_feed(struct http_request *req)
{
	struct feed_state *s;
	struct apierr      e;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), feed_state_free);
		/* A browser showing the feed runs nothing from it. */
		http_response_header(req, "content-security-policy",
		    "default-src 'none'");
		if (feed_params(req, s, &e) == -1 ||
		    feed_address(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		if (feed_cached(req, s))
			return (KORE_RESULT_OK);
		store_feed_query(&s->q, &s->nums, s->key);
		api_fill_route(&s->fill, &s->q, s->key);
	}
	s = http_state_get(req);
	switch (api_query_ready(req, &s->q)) {
	case 0:
		return (KORE_RESULT_RETRY);
	case 1:
		feed_respond(req, s);
		break;
	}
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

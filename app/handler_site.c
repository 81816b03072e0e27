/*
 * The service's own pages: /healthz, the demo blog page, static assets,
 * and JSON 404s for unknown API paths.
 */
#include <string.h>

#include "api.h"
#include "avatar.h"
#include "store.h"

int handler_healthz(struct http_request *);
int handler_index(struct http_request *);
int handler_asset(struct http_request *);
int handler_not_found(struct http_request *);
int handler_avatar(struct http_request *);
int handler_admin_page(struct http_request *);

struct health_state {
	struct db_query q;
};

static void
health_state_free(struct http_request *req)
{
	struct health_state *s = http_state_get(req);

	db_done(&s->q);
}

static void
health_respond(struct http_request *req, int db_ok)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "{\"status\":\"%s\",\"database\":\"%s\"}",
	    db_ok ? "ok" : "degraded", db_ok ? "ok" : "unavailable");
	api_send_json(req, db_ok ? 200 : 503, &b);
	buf_free(&b);
}

int
handler_healthz(struct http_request *req)
{
	struct health_state *s;

	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), health_state_free);
		store_health_query(&s->q);
	}
	s = http_state_get(req);
	switch (db_run(req, &s->q)) {
	case DB_PENDING:
		return (KORE_RESULT_RETRY);
	case DB_FAILED:
		health_respond(req, 0);
		break;
	case DB_READY:
		health_respond(req, 1);
		db_done(&s->q);
		break;
	}
	return (KORE_RESULT_OK);
}

int
handler_index(struct http_request *req)
{
	api_send_asset(req, "index.html", "no-cache");
	return (KORE_RESULT_OK);
}

/* The moderators' page: same origin as the API, no framing by others. */
int
handler_admin_page(struct http_request *req)
{
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "content-security-policy",
	    "default-src 'self'; img-src 'self' data:; style-src 'self' "
	    "'unsafe-inline'; frame-ancestors 'none'");
	api_send_asset(req, "admin.html", "no-cache");
	return (KORE_RESULT_OK);
}

/*
 * Routed by a regex that only admits plain file names. Pages are not
 * assets: each has a route of its own with its own headers (the admin
 * page's CSP and framing rules must not be skipped by asking for
 * /admin.html), so no HTML is served here.
 */
int
handler_asset(struct http_request *req)
{
	size_t len = strlen(req->path);

	if (len >= 5 && strcmp(req->path + len - 5, ".html") == 0) {
		handler_not_found(req);
		return (KORE_RESULT_OK);
	}
	/* The admin page's scripts (admin.js and its modules, admin-*.js)
	 * and style change with the page itself, which is never cached:
	 * revalidate them too. The widget may be kept a while, as blogs
	 * load it on every page. */
	api_send_asset(req, req->path + 1,
	    strncmp(req->path, "/admin.", 7) == 0 ||
	            strncmp(req->path, "/admin-", 7) == 0 ?
	        "no-cache" :
	        "public, max-age=300");
	return (KORE_RESULT_OK);
}

int
handler_not_found(struct http_request *req)
{
	api_error(req, 404, "not_found", "There is nothing here.", NULL);
	return (KORE_RESULT_OK);
}

/* GET /avatar/HASH.svg: the identicon of a hash; the same forever. */
int
handler_avatar(struct http_request *req)
{
	unsigned char hash[AVATAR_HASH_BYTES];
	char          hex[AVATAR_HEX_LEN];
	const char   *p = req->path + strlen("/avatar/");
	struct buf    b;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (strlen(p) != 2 * AVATAR_HASH_BYTES + 4) {
		handler_not_found(req);
		return (KORE_RESULT_OK);
	}
	memcpy(hex, p, 2 * AVATAR_HASH_BYTES);
	hex[2 * AVATAR_HASH_BYTES] = '\0';
	if (avatar_hex_decode(hex, hash) == -1) {
		handler_not_found(req);
		return (KORE_RESULT_OK);
	}
	buf_init(&b);
	avatar_svg(&b, hash);
	http_response_header(req, "content-security-policy",
	    "default-src 'none'");
	api_send_tagged(req, "image/svg+xml",
	    "public, max-age=31536000, immutable", b.data, b.len);
	buf_free(&b);
	return (KORE_RESULT_OK);
}

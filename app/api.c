#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api.h"
#include "handler_metrics.h"
#include "assets.h"
#include "cache.h"
#include "listen.h"
#include "escape.h"
#include "netaddr.h"
#include "parley.h"
#include "query.h"
#include "replica.h"
#include "replica_lag.h"

void
api_respond(struct http_request *req, int status, const void *data, size_t len)
{
	metrics_http_answered(req, status);
	http_response(req, status, data, len);
}

void
api_common_headers(struct http_request *req)
{
	const char *origin;

	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "no-referrer");
	/*
	 * Any page may read answers: anonymous reads are public, and a
	 * refused write (origin_not_allowed, sites.c) must be readable by
	 * the widget so it can tell the blog's owner what to allow. No
	 * cookies are used, so no credentials are ever allowed.
	 */
	http_response_header(req, "vary", "Origin");
	if (http_request_header(req, "origin", &origin)) {
		http_response_header(req, "access-control-allow-origin",
		    origin);
		http_response_header(req, "access-control-expose-headers",
		    "ETag, Retry-After, X-Parley-Written");
	}
}

/*
 * A CORS preflight: what a browser may send here, and for how long. It
 * is answered for every origin; whether the origin may write is decided
 * on the request itself, which can then say why it was refused.
 */
static void
preflight(struct http_request *req, const char *allow)
{
	api_common_headers(req);
	http_response_header(req, "access-control-allow-methods", allow);
	http_response_header(req, "access-control-allow-headers",
	    "Content-Type, Authorization, X-Edit-Token, If-None-Match");
	http_response_header(req, "access-control-max-age", "600");
	api_respond(req, 204, NULL, 0);
}

void
api_send_json(struct http_request *req, int status, const struct buf *b)
{
	api_common_headers(req);
	http_response_header(req, "content-type",
	    "application/json; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	api_respond(req, status, b->data, b->len);
}

/* {"code","message"[,"field"]} of one fault. */
static void
error_members(struct buf *b, const char *code, const char *message,
    const char *field)
{
	buf_puts(b, "\"code\":");
	escape_json_cstr(b, code);
	buf_puts(b, ",\"message\":");
	escape_json_cstr(b, message);
	if (field != NULL) {
		buf_puts(b, ",\"field\":");
		escape_json_cstr(b, field);
	}
}

void
api_error(struct http_request *req, int status, const char *code,
    const char *message, const char *field)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"error\":{");
	error_members(&b, code, message, field);
	buf_puts(&b, "}}");
	api_send_json(req, status, &b);
	buf_free(&b);
}

void
api_error_from(struct http_request *req, const struct apierr *e)
{
	struct buf b;
	size_t     i;

	if (e->n_all == 0) {
		api_error(req, e->status, e->code, e->message, e->field);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"error\":{");
	error_members(&b, e->code, e->message, e->field);
	buf_puts(&b, ",\"errors\":[");
	for (i = 0; i < e->n_all; i++) {
		buf_puts(&b, i > 0 ? ",{" : "{");
		error_members(&b, e->all[i].code, e->all[i].message,
		    e->all[i].field);
		buf_putc(&b, '}');
	}
	buf_puts(&b, "]}}");
	api_send_json(req, e->status, &b);
	buf_free(&b);
}

/* What each op's codes answer. Only api_error_for_code reads it. */
static const struct api_code {
	enum api_op op;
	const char *code;
	int         status;
	const char *message;
	const char *field;
} api_codes[] = {
	{ API_OP_COMMENT_NEW, "post_closed", 403,
	    "This post is closed to new comments.", NULL },
	{ API_OP_COMMENT_NEW, "banned", 403, "You cannot comment here.", NULL },
	{ API_OP_COMMENT_NEW, "guests_not_allowed", 403,
	    "Please log in to comment.", NULL },
	{ API_OP_COMMENT_NEW, "rate_limited", 429,
	    "You are commenting too fast; please wait a little.", NULL },
	{ API_OP_COMMENT_NEW, "duplicate", 409,
	    "You have already posted this comment.", "body" },
	{ API_OP_COMMENT_NEW, "parent_not_found", 422,
	    "The comment you reply to does not exist on this post.",
	    "parent_id" },
	{ API_OP_COMMENT_NEW, "email_taken", 409,
	    "This e-mail belongs to an account: log in to comment with it.",
	    "author_email" },
	{ API_OP_REGISTER, "email_taken", 409,
	    "An account with this e-mail exists; log in instead.", "email" },
	{ API_OP_VOTE, "not_found", 404, "There is no such comment.", NULL },
	{ API_OP_VOTE, "own_comment", 403,
	    "You cannot vote on your own comment.", NULL },
	{ API_OP_ROLE, "not_found", 404, "There is no such user.", NULL },
	{ API_OP_ROLE, "last_admin", 409,
	    "The last admin cannot give up the role.", "role" },
	/* Demoted by another admin while the request was on its way. */
	{ API_OP_ROLE, "forbidden", 403, "Only admins may change roles.",
	    NULL },
	{ API_OP_ERASE_SELF, "staff_account", 409,
	    "Moderators and admins are made readers by an admin before their "
	    "account can be erased.",
	    NULL },
	/* Erased meanwhile, by another request. */
	{ API_OP_ERASE_SELF, "gone", 401, "Log in again.", NULL },
	{ API_OP_PRIVACY_EMAIL, "staff_account", 409,
	    "That address belongs to a moderator or an admin: an admin makes "
	    "them a reader first.",
	    "email" },
};

void
api_error_for_code(struct http_request *req, enum api_op op, const char *code,
    int retry_after)
{
	const struct api_code *c;
	size_t                 i;
	char                   retry[16];

	for (i = 0; i < sizeof(api_codes) / sizeof(api_codes[0]); i++) {
		c = &api_codes[i];
		if (c->op != op || code == NULL || strcmp(c->code, code) != 0)
			continue;
		if (c->status == 429) {
			(void)snprintf(retry, sizeof(retry), "%d",
			    retry_after > 0 ? retry_after : 1);
			http_response_header(req, "retry-after", retry);
		}
		api_error(req, c->status, c->code, c->message, c->field);
		return;
	}
	api_db_unavailable(req);
}

void
api_db_unavailable(struct http_request *req)
{
	http_response_header(req, "retry-after", "5");
	api_error(req, 503, "database_unavailable",
	    "The database is unavailable; please try again shortly.", NULL);
}

void
api_method_not_allowed(struct http_request *req, const char *allow)
{
	if (req->method == HTTP_METHOD_OPTIONS) {
		preflight(req, allow);
		return;
	}
	http_response_header(req, "allow", allow);
	api_error(req, 405, "method_not_allowed",
	    "This method is not allowed here.", NULL);
}

/* True when If-None-Match names etag, weak or strong, or is "*". */
static int
etag_matches(struct http_request *req, const char *etag)
{
	const char *inm;

	if (!http_request_header(req, "if-none-match", &inm))
		return (0);
	return (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

static void
send_tagged(struct http_request *req, const char *type,
    const char *cache_control, const void *data, size_t len, const char *etag)
{
	api_common_headers(req);
	http_response_header(req, "etag", etag);
	http_response_header(req, "cache-control", cache_control);
	if (etag_matches(req, etag)) {
		api_respond(req, 304, NULL, 0);
		return;
	}
	http_response_header(req, "content-type", type);
	api_respond(req, 200, req->method == HTTP_METHOD_HEAD ? NULL : data,
	    req->method == HTTP_METHOD_HEAD ? 0 : len);
}

void
api_send_tagged(struct http_request *req, const char *type,
    const char *cache_control, const void *data, size_t len)
{
	unsigned char hash[16];
	char          etag[2 + 32 + 1];

	crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
	etag[0] = '"';
	sodium_bin2hex(etag + 1, 33, hash, sizeof(hash));
	etag[33] = '"';
	etag[34] = '\0';
	send_tagged(req, type, cache_control, data, len, etag);
}

/* Accept-Encoding names gzip (and does not refuse it with q=0). */
static int
accepts_gzip(struct http_request *req)
{
	const char *ae, *p;

	if (!http_request_header(req, "accept-encoding", &ae) ||
	    (p = strstr(ae, "gzip")) == NULL)
		return (0);
	p += 4;
	while (*p == ' ')
		p++;
	return (strncmp(p, ";q=0", 4) != 0 || strncmp(p, ";q=0.", 5) == 0);
}

static void
send_cached(struct http_request *req, const struct cache_entry *e,
    const char *type)
{
	http_response_header(req, "vary", "Accept-Encoding, Authorization");
	if (e->gz != NULL && accepts_gzip(req)) {
		http_response_header(req, "content-encoding", "gzip");
		send_tagged(req, type, "no-cache", e->gz, e->gz_len,
		    e->gz_etag);
		return;
	}
	send_tagged(req, type, "no-cache", e->body, e->body_len, e->etag);
}

#define JSON_TYPE "application/json; charset=utf-8"

int
api_cache_lookup(struct http_request *req, struct buf *key,
    struct api_fill *fill)
{
	return (api_cache_lookup_as(req, key, fill, JSON_TYPE));
}

/* Stores and sends body, or sends it uncached (then, for JSON, marked as
 * depending on who asks: logged-in readers see their own held comments). */
static void
cache_fill_send(struct http_request *req, struct api_fill *fill,
    const char *post, const struct buf *body, const char *type, int vary_auth)
{
	const struct cache_entry *ce;

	if (fill->key != NULL &&
	    (ce = cache_put(fill->key, post, body->data, body->len,
	         fill->gen)) != NULL) {
		send_cached(req, ce, type);
		return;
	}
	if (vary_auth)
		http_response_header(req, "vary", "Authorization");
	api_send_tagged(req, type, "no-cache", body->data, body->len);
}

void
api_cache_fill(struct http_request *req, struct api_fill *fill,
    const char *post, const struct buf *json)
{
	cache_fill_send(req, fill, post, json, JSON_TYPE, 1);
}

void
api_fill_free(struct api_fill *fill)
{
	free(fill->key);
	fill->key = NULL;
}

void
api_send_asset(struct http_request *req, const char *name,
    const char *cache_control)
{
	const struct asset *a;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return;
	}
	if ((a = assets_find(name)) == NULL) {
		api_error(req, 404, "not_found", "There is nothing here.",
		    NULL);
		return;
	}
	http_response_header(req, "vary", "Accept-Encoding");
	if (a->gz != NULL && accepts_gzip(req)) {
		http_response_header(req, "content-encoding", "gzip");
		send_tagged(req, a->type, cache_control, a->gz, a->gz_len,
		    a->gz_etag);
		return;
	}
	send_tagged(req, a->type, cache_control, a->data, a->len, a->etag);
}

static int
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (strncasecmp(ct, "application/json", n) != 0)
		return (0);
	return (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
api_read_json(struct http_request *req, json_t **out, struct apierr *e)
{
	const char  *ct;
	char        *data;
	size_t       len;
	ssize_t      r;
	json_error_t jerr;

	*out = NULL;
	if (!http_request_header(req, "content-type", &ct) || !is_json_type(ct))
		return (apierr_set(e, 415, "unsupported_media_type",
		    "Send the request body as application/json.", NULL));
	/* Refuse before reading anything into memory of ours. */
	if (req->content_length > API_BODY_MAX ||
	    req->http_body_length > API_BODY_MAX)
		return (apierr_set(e, 413, "body_too_large",
		    "The request body is larger than 64 KiB.", NULL));

	len = req->http_body_length;
	data = kore_malloc(len + 1);
	r = http_body_read(req, data, len);
	if (r < 0 || (size_t)r != len) {
		kore_free(data);
		return (apierr_set(e, 400, "malformed_body",
		    "The request body could not be read.", NULL));
	}
	*out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	kore_free(data);
	if (*out == NULL) {
		if (json_error_code(&jerr) == json_error_invalid_utf8)
			return (apierr_set(e, 422, "invalid_utf8",
			    "The request body is not valid UTF-8.", NULL));
		return (apierr_set(e, 400, "malformed_json",
		    "The request body is not valid JSON.", NULL));
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return (apierr_set(e, 400, "malformed_json",
		    "The request body must be a JSON object.", NULL));
	}
	return (0);
}

/* The peer's address as text ("" if it has none). */
static void
peer_address(struct http_request *req, char out[NETADDR_TEXT_MAX])
{
	struct connection *c = req->owner;

	out[0] = '\0';
	if (c->family == AF_INET)
		inet_ntop(AF_INET, &c->addr.ipv4.sin_addr, out,
		    NETADDR_TEXT_MAX);
	else if (c->family == AF_INET6)
		inet_ntop(AF_INET6, &c->addr.ipv6.sin6_addr, out,
		    NETADDR_TEXT_MAX);
}

/*
 * Every X-Forwarded-For line of the request, joined in order: a proxy
 * that adds a line of its own (rather than appending to the client's)
 * must not let the client's first line decide. Kore's header lookup
 * returns the first line only. NULL when there is none; the caller frees.
 */
static char *
forwarded_for(struct http_request *req)
{
	struct http_header *h;
	struct buf          b;

	buf_init(&b);
	TAILQ_FOREACH(h, &req->req_headers, list)
	{
		if (strcasecmp(h->header, "x-forwarded-for") != 0)
			continue;
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, h->value);
	}
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_release(&b, NULL));
}

void
api_client_ip(struct http_request *req, char out[API_IP_MAX])
{
	char  peer[NETADDR_TEXT_MAX];
	char *xff;

	peer_address(req, peer);
	/* X-Forwarded-For counts only when a configured proxy sent it. */
	xff = forwarded_for(req);
	netaddr_client(&parley_proxies, peer, xff, out);
	free(xff);
}

const char *
api_scheme(struct http_request *req)
{
	char        peer[NETADDR_TEXT_MAX];
	const char *proto;

	peer_address(req, peer);
	if (!netaddr_is_proxy(&parley_proxies, peer) ||
	    !http_request_header(req, "x-forwarded-proto", &proto))
		return ("http");
	/* A chain of proxies lists its schemes; the first is the client's. */
	return (strncasecmp(proto, "https", 5) == 0 &&
	            (proto[5] == '\0' || proto[5] == ',' || proto[5] == ' ') ?
	        "https" :
	        "http");
}

const char *
api_query(struct http_request *req)
{
	return (req->query_string != NULL ? req->query_string : "");
}

int
api_query_ready(struct http_request *req, struct db_query *q)
{
	switch (db_run(req, q)) {
	case DB_PENDING:
		return (0);
	case DB_FAILED:
		/* Bad data (22) or a broken constraint (23) is the request's
		 * fault, not the database's: say so rather than 503. */
		if (strncmp(q->sqlstate, "22", 2) == 0 ||
		    strncmp(q->sqlstate, "23", 2) == 0)
			api_error(req, 422, "invalid_value",
			    "The database refused this value.", NULL);
		else
			api_db_unavailable(req);
		return (-1);
	case DB_READY:
		break;
	}
	return (1);
}

int64_t
api_path_id(const char *path, const char *prefix)
{
	char     *ep;
	long long v;
	size_t    n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return (0);
	errno = 0;
	v = strtoll(path + n, &ep, 10);
	if (errno != 0 || v <= 0 || (*ep != '\0' && *ep != '/'))
		return (0);
	return (v);
}

/*
 * ?written=LSN: where the reader's last write left the primary's WAL
 * (the X-Parley-Written its answer carried). Only with a replica; a
 * malformed one is a stale hint, not an error: ignored.
 */
static uint64_t
written_param(struct http_request *req)
{
	uint64_t lsn;
	char    *v;
	int      bad;

	if (!replica_enabled() ||
	    (v = query_get(api_query(req), "written", &bad)) == NULL)
		return (0);
	if (lsn_parse(v, &lsn) == -1)
		lsn = 0;
	free(v);
	return (lsn);
}

void
api_written(struct http_request *req, uint64_t ticket)
{
	uint64_t lsn;
	char     text[LSN_TEXT_MAX];

	if (!replica_enabled() || (lsn = listen_written(ticket)) == 0)
		return;
	lsn_format(lsn, text);
	http_response_header(req, "x-parley-written", text);
}

int
api_barrier(struct http_request *req, struct api_barrier *b)
{
	if (!replica_enabled())
		return (1);
	if (b->ticket == 0)
		b->ticket = listen_barrier();
	return (listen_wait(req, &b->waiter, b->ticket));
}

void
api_barrier_cleanup(struct api_barrier *b)
{
	listen_unwait(&b->waiter);
}

void
api_fill_route(struct api_fill *fill, struct db_query *q, const char *post)
{
	if (fill->anonymous && replica_fresh(post, fill->written))
		db_on_replica(q);
}

void
api_anonymous_read(struct http_request *req, struct db_query *q,
    const char *post)
{
	if (replica_fresh(post, written_param(req)))
		db_on_replica(q);
}

/*
 * The worker's cache for answers that are not JSON (thread.html): the
 * same as api_cache_lookup and api_cache_fill, sent as type.
 */
int
api_cache_lookup_as(struct http_request *req, struct buf *key,
    struct api_fill *fill, const char *type)
{
	const struct cache_entry *ce;

	fill->key = NULL;
	fill->anonymous = 1;
	fill->written = written_param(req);
	/* Changes already announced are dropped before the cache answers. */
	listen_poll();
	/* A reader who wrote after the last change this worker has heard
	 * of may find the cache without it: read afresh. */
	if (!cache_usable() || fill->written > replica_heard_upto()) {
		buf_free(key);
		return (0);
	}
	if ((ce = cache_get(key->data)) != NULL) {
		send_cached(req, ce, type);
		buf_free(key);
		return (1);
	}
	fill->key = buf_release(key, NULL);
	fill->gen = cache_generation();
	return (0);
}

void
api_cache_fill_as(struct http_request *req, struct api_fill *fill,
    const char *post, const struct buf *body, const char *type)
{
	cache_fill_send(req, fill, post, body, type, 0);
}

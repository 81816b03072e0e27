/*
 * GET|POST /api/v1/admin/bans and DELETE /api/v1/admin/bans/ID. A ban
 * names an account (its id), an e-mail, or an IP address or CIDR block,
 * with an optional expiry; posting checks them (pipeline stage 2).
 */
#include <ctype.h>
#include <string.h>

#include "admin.h"
#include "escape.h"
#include "input.h"
#include "netaddr.h"

int handler_admin_bans(struct http_request *);
int handler_admin_ban(struct http_request *);

static int
bans_list_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	(void)req;
	(void)e;
	store_bans_query(&s->q);
	return (0);
}

static void
write_ban(struct buf *b, const struct ban_row *r)
{
	buf_printf(b, "{\"id\":%lld,\"kind\":", (long long)r->id);
	escape_json_cstr(b, r->kind);
	buf_puts(b, ",\"value\":");
	escape_json_cstr(b, r->value);
	buf_puts(b, ",\"reason\":");
	escape_json_cstr(b, r->reason);
	buf_puts(b, ",\"expires_at\":");
	escape_json_cstr(b, r->expires_at);
	buf_puts(b, ",\"created_at\":");
	escape_json_cstr(b, r->created_at);
	buf_printf(b,
	    ",\"active\":%s,\"created_by\":", r->active ? "true" : "false");
	escape_json_cstr(b, r->created_by);
	buf_putc(b, '}');
}

static void
bans_list_respond(struct http_request *req, struct admin_state *s)
{
	struct ban_row r;
	struct buf     b;
	int            row;

	buf_init(&b);
	buf_puts(&b, "{\"bans\":[");
	for (row = 0; store_ban_row(&s->q, row, &r) == 0; row++) {
		if (row > 0)
			buf_putc(&b, ',');
		write_ban(&b, &r);
	}
	buf_puts(&b, "]}");
	api_send_json(req, 200, &b);
	buf_free(&b);
}

/* RFC 3339 with a zone, e.g. 2026-12-01T00:00:00Z or ...+02:00. */
static int
rfc3339_valid(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t            i;

	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)t[i]) :
		                    t[i] != pat[i])
			return (0);
	}
	t += i;
	if (*t == '.') {
		for (t++; isdigit((unsigned char)*t); t++)
			;
	}
	if (strcmp(t, "Z") == 0)
		return (1);
	return ((t[0] == '+' || t[0] == '-') && isdigit((unsigned char)t[1]) &&
	    isdigit((unsigned char)t[2]) && t[3] == ':' &&
	    isdigit((unsigned char)t[4]) && isdigit((unsigned char)t[5]) &&
	    t[6] == '\0');
}

static int
ban_value_valid(const char *kind, const char *v)
{
	struct netaddr_cidr block;
	const char         *p;

	if (strcmp(kind, "email") == 0)
		return (input_email_valid(v));
	if (strcmp(kind, "ip") == 0)
		return (netaddr_cidr_parse(v, &block) == 0);
	/* account: a user id. */
	for (p = v; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return (0);
	}
	return (p != v && p - v < 19 && *v != '0');
}

static int
ban_create_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	const char *kind, *value, *reason, *expires;

	if (admin_body(req, s, e) == -1 ||
	    input_get_string(s->json, "kind", &kind, NULL, e) == -1 ||
	    input_get_string(s->json, "value", &value, NULL, e) == -1 ||
	    input_get_string(s->json, "reason", &reason, NULL, e) == -1 ||
	    input_get_string(s->json, "expires_at", &expires, NULL, e) == -1)
		return (-1);
	if (kind == NULL ||
	    (strcmp(kind, "account") != 0 && strcmp(kind, "email") != 0 &&
	        strcmp(kind, "ip") != 0))
		return (apierr_set(e, 422, "invalid_value",
		    "kind must be account, email or ip.", "kind"));
	if (value == NULL || !ban_value_valid(kind, value))
		return (apierr_set(e, 422, "invalid_value",
		    "value must be an "
		    "account id, an e-mail, or an IP address or CIDR block, "
		    "as kind says.",
		    "value"));
	if (reason != NULL &&
	    (strlen(reason) > 500 ||
	        input_has_controls(reason, strlen(reason), 0)))
		return (apierr_set(e, 422, "invalid_value",
		    "reason must be one line of at most 500 bytes.", "reason"));
	if (expires != NULL && !rfc3339_valid(expires))
		return (apierr_set(e, 422, "invalid_value",
		    "expires_at must be an RFC 3339 time or null.",
		    "expires_at"));
	store_ban_create_query(&s->q, &s->nums, s->auth.user_id, kind, value,
	    reason != NULL ? reason : "", expires);
	return (0);
}

static void
ban_create_respond(struct http_request *req, struct admin_state *s)
{
	struct ban_row r;
	struct buf     b;

	if (store_ban_row(&s->q, 0, &r) == -1) {
		api_db_unavailable(req);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"ban\":");
	write_ban(&b, &r);
	buf_putc(&b, '}');
	api_send_json(req, 201, &b);
	buf_free(&b);
}

static const struct admin_op bans_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_MODERATOR, bans_list_prepare,
	    bans_list_respond },
	{ HTTP_METHOD_POST, ADMIN_MODERATOR, ban_create_prepare,
	    ban_create_respond },
};

int
handler_admin_bans(struct http_request *req)
{
	return (admin_run(req, bans_ops, 2, "GET, POST"));
}

static int
ban_delete_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	if ((s->id = api_path_id(req->path, "/api/v1/admin/bans/")) == 0)
		return (apierr_set(e, 404, "not_found", "There is no such ban.",
		    NULL));
	store_ban_delete_query(&s->q, &s->nums, s->auth.user_id, s->id);
	return (0);
}

static void
ban_delete_respond(struct http_request *req, struct admin_state *s)
{
	if (!store_found(&s->q)) {
		api_error(req, 404, "not_found", "There is no such ban.", NULL);
		return;
	}
	api_common_headers(req);
	api_respond(req, 204, NULL, 0);
}

static const struct admin_op ban_ops[] = {
	{ HTTP_METHOD_DELETE, ADMIN_MODERATOR, ban_delete_prepare,
	    ban_delete_respond },
};

int
handler_admin_ban(struct http_request *req)
{
	return (admin_run(req, ban_ops, 1, "DELETE"));
}

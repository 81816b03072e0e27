/*
 * Admins manage roles: GET /api/v1/admin/users?q= and PATCH
 * /api/v1/admin/users/ID {"role"}. Role changes are audited in storage.
 */
#include <string.h>

#include "admin.h"
#include "escape.h"

int handler_admin_users(struct http_request *);
int handler_admin_user(struct http_request *);

static int
users_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	const char *q;

	if (admin_query_str(req, s, "q", 200, &q, e) == -1)
		return (-1);
	store_users_query(&s->q, q);
	return (0);
}

static void
write_user(struct buf *b, const struct user_row *u, int with_created)
{
	buf_printf(b, "{\"id\":%lld,\"name\":", (long long)u->id);
	escape_json_cstr(b, u->name);
	buf_puts(b, ",\"email\":");
	escape_json_cstr(b, u->email);
	buf_puts(b, ",\"role\":");
	escape_json_cstr(b, u->role);
	if (with_created) {
		buf_puts(b, ",\"created_at\":");
		escape_json_cstr(b, u->created_at);
	}
	buf_putc(b, '}');
}

static void
users_respond(struct http_request *req, struct admin_state *s)
{
	struct user_row u;
	struct buf      b;
	int             row;

	buf_init(&b);
	buf_puts(&b, "{\"users\":[");
	for (row = 0; store_users_row(&s->q, row, &u) == 0; row++) {
		if (row > 0)
			buf_putc(&b, ',');
		write_user(&b, &u, 1);
	}
	buf_puts(&b, "]}");
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op users_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_ADMIN, users_prepare, users_respond },
};

int
handler_admin_users(struct http_request *req)
{
	return (admin_run(req, users_ops, 1, "GET"));
}

static int
role_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	json_t     *v;
	const char *role;

	if ((s->id = api_path_id(req->path, "/api/v1/admin/users/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such user.", NULL));
	if (admin_body(req, s, e) == -1)
		return (-1);
	v = json_object_get(s->json, "role");
	role = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(role, "reader") != 0 && strcmp(role, "moderator") != 0 &&
	    strcmp(role, "admin") != 0)
		return (apierr_set(e, 422, "invalid_value",
		    "role must be reader, moderator or admin.", "role"));
	store_user_role_query(&s->q, &s->nums, s->auth.user_id, s->id, role);
	return (0);
}

static void
role_respond(struct http_request *req, struct admin_state *s)
{
	struct user_row u;
	const char     *err;
	struct buf      b;

	if ((err = store_user_role_row(&s->q, &u)) != NULL) {
		api_error_for_code(req, API_OP_ROLE, err, 0);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"user\":");
	write_user(&b, &u, 0);
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op role_ops[] = {
	{ HTTP_METHOD_PATCH, ADMIN_ADMIN, role_prepare, role_respond },
};

int
handler_admin_user(struct http_request *req)
{
	return (admin_run(req, role_ops, 1, "PATCH"));
}

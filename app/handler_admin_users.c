/*
 * Admins manage roles: GET /api/v1/admin/users?q= and PATCH
 * /api/v1/admin/users/ID {"role"}. Moderators read the audit log: GET
 * /api/v1/admin/audit?limit=&after= (append-only: no way to change it).
 */
#include <string.h>

#include "admin.h"
#include "escape.h"

int	handler_admin_users(struct http_request *);
int	handler_admin_user(struct http_request *);
int	handler_admin_audit(struct http_request *);

static int
users_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	const char	*q;

	if (admin_query_str(req, s, "q", 200, &q, e) == -1)
		return (-1);
	store_users_query(&s->q, q);
	return (0);
}

static void
write_user(struct buf *b, struct db_query *q, int row, int with_created)
{
	buf_printf(b, "{\"id\":%lld,\"name\":", (long long)db_int(q, row, 0));
	escape_json_cstr(b, db_text(q, row, 1));
	buf_puts(b, ",\"email\":");
	escape_json_cstr(b, db_text(q, row, 2));
	buf_puts(b, ",\"role\":");
	escape_json_cstr(b, db_text(q, row, 3));
	if (with_created) {
		buf_puts(b, ",\"created_at\":");
		escape_json_cstr(b, db_text(q, row, 4));
	}
	buf_putc(b, '}');
}

static void
users_respond(struct http_request *req, struct admin_state *s)
{
	struct buf	b;
	int		row;

	buf_init(&b);
	buf_puts(&b, "{\"users\":[");
	for (row = 0; row < db_rows(&s->q); row++) {
		if (row > 0)
			buf_putc(&b, ',');
		write_user(&b, &s->q, row, 1);
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
role_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	json_t		*v;
	const char	*role;

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
	const char	*err = db_text(&s->q, 0, 0);
	struct buf	 b;

	if (err != NULL && strcmp(err, "last_admin") == 0) {
		api_error(req, 409, "last_admin",
		    "The last admin cannot give up the role.", "role");
		return;
	}
	/* Demoted by another admin while this request was on its way. */
	if (err != NULL && strcmp(err, "forbidden") == 0) {
		api_error(req, 403, "forbidden",
		    "Only admins may change roles.", NULL);
		return;
	}
	if (err != NULL) {
		api_error(req, 404, "not_found", "There is no such user.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"user\":");
	/* Columns 1..4 of the row: id, name, email, role. */
	buf_printf(&b, "{\"id\":%lld,\"name\":", (long long)db_int(&s->q, 0, 1));
	escape_json_cstr(&b, db_text(&s->q, 0, 2));
	buf_puts(&b, ",\"email\":");
	escape_json_cstr(&b, db_text(&s->q, 0, 3));
	buf_puts(&b, ",\"role\":");
	escape_json_cstr(&b, db_text(&s->q, 0, 4));
	buf_puts(&b, "}}");
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

static int
audit_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	struct cursor	 after;
	const char	*cursor;
	long		 limit;

	if (admin_query_int(req, "limit", 1, 200, 50, &limit, e) == -1 ||
	    admin_query_str(req, s, "after", CURSOR_MAX, &cursor, e) == -1)
		return (-1);
	memset(&after, 0, sizeof(after));
	if (cursor != NULL && cursor_decode(cursor, SORT_NEWEST, &after) == -1)
		return (apierr_set(e, 422, "invalid_cursor",
		    "after is not a cursor from this log.", "after"));
	s->flag = (int)limit;
	store_audit_query(&s->q, &s->nums, after.id, (int)limit + 1);
	return (0);
}

/* A JSON column as is (storage made it), or null. */
static void
put_raw_json(struct buf *b, const char *v)
{
	buf_puts(b, v != NULL ? v : "null");
}

static void
audit_respond(struct http_request *req, struct admin_state *s)
{
	struct cursor	 next;
	struct buf	 b;
	char		 enc[CURSOR_MAX];
	int		 row, rows;

	rows = db_rows(&s->q);
	buf_init(&b);
	buf_puts(&b, "{\"entries\":[");
	for (row = 0; row < rows && row < s->flag; row++) {
		if (row > 0)
			buf_putc(&b, ',');
		buf_printf(&b, "{\"id\":%lld,\"actor\":{\"id\":",
		    (long long)db_int(&s->q, row, 0));
		put_raw_json(&b, db_text(&s->q, row, 1));
		buf_puts(&b, ",\"name\":");
		escape_json_cstr(&b, db_text(&s->q, row, 2));
		buf_puts(&b, "},\"action\":");
		escape_json_cstr(&b, db_text(&s->q, row, 3));
		buf_puts(&b, ",\"target\":{\"type\":");
		escape_json_cstr(&b, db_text(&s->q, row, 4));
		buf_puts(&b, ",\"id\":");
		escape_json_cstr(&b, db_text(&s->q, row, 5));
		buf_puts(&b, "},\"before\":");
		put_raw_json(&b, db_text(&s->q, row, 6));
		buf_puts(&b, ",\"after\":");
		put_raw_json(&b, db_text(&s->q, row, 7));
		buf_puts(&b, ",\"at\":");
		escape_json_cstr(&b, db_text(&s->q, row, 8));
		buf_putc(&b, '}');
	}
	buf_puts(&b, "],\"next\":");
	if (rows > s->flag) {
		memset(&next, 0, sizeof(next));
		next.sort = SORT_NEWEST;
		next.id = db_int(&s->q, s->flag - 1, 0);
		cursor_encode(&next, enc);
		escape_json_cstr(&b, enc);
	} else
		buf_puts(&b, "null");
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op audit_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_MODERATOR, audit_prepare, audit_respond },
};

int
handler_admin_audit(struct http_request *req)
{
	return (admin_run(req, audit_ops, 1, "GET"));
}

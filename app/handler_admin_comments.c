/*
 * Moderators' comments: GET /api/v1/admin/comments (filters, search,
 * paging, held and spam counts), POST /api/v1/admin/comments/moderate
 * (bulk approve, hold, spam, trash, restore, delete) and PATCH
 * /api/v1/admin/comments/ID (edit). Every change is audited in storage.
 */
#include <string.h>

#include "admin.h"
#include "comment_input.h"
#include "escape.h"
#include "markdown.h"
#include "netaddr.h"

int handler_admin_comments(struct http_request *);
int handler_admin_moderate(struct http_request *);
int handler_admin_comment(struct http_request *);

#define LIST_LIMIT_MAX   200
#define MODERATE_IDS_MAX 500

static int
list_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	struct admin_filter f;
	struct netaddr_cidr block;
	struct cursor       after;
	const char         *cursor;
	long                limit;

	memset(&f, 0, sizeof(f));
	if (admin_query_str(req, s, "status", 16, &f.status, e) == -1 ||
	    admin_query_str(req, s, "post", POST_KEY_MAX, &f.post, e) == -1 ||
	    admin_query_str(req, s, "q", 200, &f.q, e) == -1 ||
	    admin_query_str(req, s, "email", EMAIL_MAX, &f.email, e) == -1 ||
	    admin_query_str(req, s, "ip", 64, &f.ip, e) == -1 ||
	    admin_query_str(req, s, "after", CURSOR_MAX, &cursor, e) == -1 ||
	    admin_query_int(req, "limit", 1, LIST_LIMIT_MAX, 50, &limit, e) ==
	        -1)
		return (-1);
	if (f.status != NULL && strcmp(f.status, "all") == 0)
		f.status = NULL;
	if (f.status != NULL && strcmp(f.status, "pending") != 0 &&
	    strcmp(f.status, "approved") != 0 &&
	    strcmp(f.status, "spam") != 0 && strcmp(f.status, "deleted") != 0)
		return (apierr_set(e, 422, "invalid_value",
		    "status must be "
		    "all, pending, approved, spam or deleted.",
		    "status"));
	if (f.ip != NULL && netaddr_cidr_parse(f.ip, &block) == -1)
		return (apierr_set(e, 422, "invalid_value",
		    "ip must be an address or a CIDR block.", "ip"));
	if (cursor != NULL) {
		if (cursor_decode(cursor, SORT_NEWEST, &after) == -1)
			return (apierr_set(e, 422, "invalid_cursor",
			    "after is not a cursor from this listing.",
			    "after"));
		f.before_id = after.id;
	}
	/* One more than asked tells whether another page follows. */
	f.limit = (int)limit + 1;
	s->flag = (int)limit;
	store_admin_comments_query(&s->q, &s->nums, &f);
	return (0);
}

static void
write_admin_comment(struct buf *b, const struct admin_comment_row *r)
{
	comment_write_json(b, &r->comment);
	/* Reopen the object to add what only moderators see. */
	b->len--;
	buf_puts(b, ",\"post\":");
	escape_json_cstr(b, r->post);
	buf_printf(b,
	    ",\"post_open\":%s,\"user_id\":", r->post_open ? "true" : "false");
	if (r->user_id != 0)
		buf_printf(b, "%lld", (long long)r->user_id);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"email\":");
	escape_json_cstr(b, r->email);
	buf_puts(b, ",\"ip\":");
	escape_json_cstr(b, r->ip);
	buf_printf(b, ",\"ip_expired\":%s", r->ip_expired ? "true" : "false");
	buf_puts(b, ",\"moderation\":{\"verdict\":");
	escape_json_cstr(b, r->verdict);
	buf_puts(b, ",\"reason\":");
	escape_json_cstr(b, r->reason);
	buf_puts(b, "},\"parent\":");
	if (r->parent_html != NULL) {
		buf_puts(b, "{\"author\":");
		escape_json_cstr(b, r->parent_author);
		buf_puts(b, ",\"html\":");
		escape_json_cstr(b, r->parent_html);
		buf_putc(b, '}');
	} else
		buf_puts(b, "null");
	buf_putc(b, '}');
}

static void
list_respond(struct http_request *req, struct admin_state *s)
{
	struct admin_comment_row r;
	struct admin_counts      n;
	struct cursor            next;
	struct buf               b;
	char                     enc[CURSOR_MAX];
	int                      row, rows, shown;

	rows = db_rows(&s->q);
	buf_init(&b);
	buf_puts(&b, "{\"comments\":[");
	shown = 0;
	memset(&next, 0, sizeof(next));
	for (row = 0; row < rows && shown < s->flag; row++) {
		if (store_admin_comment_row(&s->q, row, &r) == -1)
			continue;
		if (shown++ > 0)
			buf_putc(&b, ',');
		write_admin_comment(&b, &r);
		next.id = r.comment.id;
	}
	buf_puts(&b, "],\"next\":");
	if (rows > s->flag && shown == s->flag) {
		next.sort = SORT_NEWEST;
		cursor_encode(&next, enc);
		escape_json_cstr(&b, enc);
	} else
		buf_puts(&b, "null");
	store_admin_counts(&s->q, &n);
	buf_printf(&b, ",\"counts\":{\"pending\":%lld,\"spam\":%lld}}",
	    (long long)n.pending, (long long)n.spam);
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op list_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_MODERATOR, list_prepare, list_respond },
};

int
handler_admin_comments(struct http_request *req)
{
	return (admin_run(req, list_ops, 1, "GET"));
}

static const char *const actions[] = { "approve", "hold", "spam", "trash",
	"restore", "delete" };

static int
moderate_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	json_t     *ids, *v, *action;
	size_t      i, j, n;
	const char *a;

	if (admin_body(req, s, e) == -1)
		return (-1);
	action = json_object_get(s->json, "action");
	a = json_is_string(action) ? json_string_value(action) : "";
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(a, actions[i]) == 0)
			break;
	}
	if (i == sizeof(actions) / sizeof(actions[0]))
		return (apierr_set(e, 422, "invalid_value",
		    "action must be approve, hold, spam, trash, restore or "
		    "delete.",
		    "action"));
	ids = json_object_get(s->json, "ids");
	if (!json_is_array(ids) || (n = json_array_size(ids)) == 0 ||
	    n > MODERATE_IDS_MAX)
		return (apierr_set(e, 422, "invalid_value",
		    "ids must list 1 to 500 comment ids.", "ids"));
	/* A bigint[] literal from numbers we checked: nothing else in it. */
	buf_putc(&s->scratch, '{');
	json_array_foreach(ids, j, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return (apierr_set(e, 422, "invalid_value",
			    "ids must be comment ids.", "ids"));
		buf_printf(&s->scratch, "%s%lld", j > 0 ? "," : "",
		    (long long)json_integer_value(v));
	}
	buf_putc(&s->scratch, '}');
	store_moderate_query(&s->q, &s->nums, s->auth.user_id, s->scratch.data,
	    actions[i]);
	return (0);
}

static void
moderate_respond(struct http_request *req, struct admin_state *s)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "{\"updated\":%lld}",
	    (long long)store_moderate_updated(&s->q));
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op moderate_ops[] = {
	{ HTTP_METHOD_POST, ADMIN_MODERATOR, moderate_prepare,
	    moderate_respond },
};

int
handler_admin_moderate(struct http_request *req)
{
	return (admin_run(req, moderate_ops, 1, "POST"));
}

static int
edit_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	const char *body;
	size_t      len;

	if ((s->id = api_path_id(req->path, "/api/v1/admin/comments/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such comment.", NULL));
	if (admin_body(req, s, e) == -1 ||
	    body_parse(s->json, &body, &len, e) == -1)
		return (-1);
	if (markdown_render(&s->scratch, body, len) == -1)
		return (apierr_set(e, 422, "invalid_value",
		    "The comment could not be formatted.", "body"));
	store_moderator_edit_query(&s->q, &s->nums, s->auth.user_id, s->id,
	    body, len, s->scratch.data);
	return (0);
}

static void
edit_respond(struct http_request *req, struct admin_state *s)
{
	const char *edited_at;
	struct buf  b;

	if ((edited_at = store_moderator_edited_at(&s->q)) == NULL) {
		api_error(req, 404, "not_found", "There is no such comment.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_printf(&b, "{\"id\":%lld,\"html\":", (long long)s->id);
	escape_json_cstr(&b, s->scratch.data);
	buf_puts(&b, ",\"edited_at\":");
	escape_json_cstr(&b, edited_at);
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op edit_ops[] = {
	{ HTTP_METHOD_PATCH, ADMIN_MODERATOR, edit_prepare, edit_respond },
};

int
handler_admin_comment(struct http_request *req)
{
	return (admin_run(req, edit_ops, 1, "PATCH"));
}

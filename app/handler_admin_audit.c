/*
 * GET /api/v1/admin/audit?limit=&after=: moderators read the audit log,
 * newest first, a page at a time. It is append-only: no endpoint changes
 * it.
 */
#include <string.h>

#include "admin.h"
#include "escape.h"

int handler_admin_audit(struct http_request *);

static int
audit_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	struct cursor after;
	const char   *cursor;
	long          limit;

	if (admin_query_int(req, "limit", 1, 200, 50, &limit, e) == -1 ||
	    admin_query_str(req, s, "after", CURSOR_MAX, &cursor, e) == -1)
		return (-1);
	memset(&after, 0, sizeof(after));
	if (cursor != NULL && cursor_decode(cursor, SORT_NEWEST, &after) == -1)
		return (apierr_set(e, 422, "invalid_cursor",
		    "after is not a cursor from this log.", "after"));
	/* One more than asked tells whether another page follows. */
	s->flag = (int)limit;
	store_audit_query(&s->q, &s->nums, after.id, (int)limit + 1);
	return (0);
}

/* JSON text as storage made it, or null. */
static void
put_raw_json(struct buf *b, const char *v)
{
	buf_puts(b, v != NULL ? v : "null");
}

static void
write_entry(struct buf *b, const struct audit_row *r)
{
	buf_printf(b, "{\"id\":%lld,\"actor\":{\"id\":", (long long)r->id);
	if (r->actor_id != 0)
		buf_printf(b, "%lld", (long long)r->actor_id);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"name\":");
	escape_json_cstr(b, r->actor_name);
	buf_puts(b, "},\"action\":");
	escape_json_cstr(b, r->action);
	buf_puts(b, ",\"target\":{\"type\":");
	escape_json_cstr(b, r->target_type);
	buf_puts(b, ",\"id\":");
	escape_json_cstr(b, r->target_id);
	buf_puts(b, "},\"before\":");
	put_raw_json(b, r->before);
	buf_puts(b, ",\"after\":");
	put_raw_json(b, r->after);
	buf_puts(b, ",\"at\":");
	escape_json_cstr(b, r->at);
	buf_putc(b, '}');
}

static void
audit_respond(struct http_request *req, struct admin_state *s)
{
	struct audit_row r;
	struct cursor    next;
	struct buf       b;
	char             enc[CURSOR_MAX];
	int              row;

	buf_init(&b);
	buf_puts(&b, "{\"entries\":[");
	memset(&next, 0, sizeof(next));
	for (row = 0; row < s->flag && store_audit_row(&s->q, row, &r) == 0;
	     row++) {
		if (row > 0)
			buf_putc(&b, ',');
		write_entry(&b, &r);
		next.id = r.id;
	}
	buf_puts(&b, "],\"next\":");
	/* The extra row says there is more after the last one shown. */
	if (store_audit_row(&s->q, s->flag, &r) == 0) {
		next.sort = SORT_NEWEST;
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

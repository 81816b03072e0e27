/*
 * The verdict hook's request body (see verdict_body.h).
 */
#include <inttypes.h>

#include "escape.h"
#include "verdict_body.h"

static void
id_or_null(struct buf *b, int64_t id)
{
	if (id != 0)
		buf_printf(b, "%" PRId64, id);
	else
		buf_puts(b, "null");
}

void
verdict_body(struct buf *b, const struct verdict_comment *c)
{
	buf_puts(b, "{\"type\":\"comment.verdict\",\"created_at\":");
	escape_json_cstr(b, c->created_at);
	buf_puts(b, ",\"data\":{\"comment\":{\"post\":");
	escape_json_cstr(b, c->post);
	buf_puts(b, ",\"parent_id\":");
	id_or_null(b, c->parent_id);
	buf_puts(b, ",\"body\":");
	escape_json(b, c->body, c->body_len);
	buf_puts(b, ",\"html\":");
	escape_json_cstr(b, c->html);
	buf_puts(b, ",\"author\":{\"name\":");
	escape_json_cstr(b, c->author_name);
	buf_puts(b, ",\"email\":");
	escape_json_cstr(b, c->author_email);
	buf_puts(b, ",\"url\":");
	escape_json_cstr(b, c->author_url);
	buf_puts(b, ",\"user_id\":");
	id_or_null(b, c->user_id);
	buf_puts(b, "},\"ip\":");
	escape_json_cstr(b, c->ip);
	buf_putc(b, '}');
	if (c->id != 0)
		buf_printf(b, ",\"edit\":{\"id\":%" PRId64 "}", c->id);
	buf_puts(b, "}}");
}

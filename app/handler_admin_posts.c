/*
 * PATCH /api/v1/admin/posts?key=KEY {"open"?, "title"?}: a moderator
 * closes or reopens a post to new comments, or renames it. Audited in
 * storage.
 */
#include <string.h>

#include "admin.h"
#include "comment_input.h"
#include "escape.h"

int handler_admin_posts(struct http_request *);

static int
post_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	const char *key, *title = NULL, *open = NULL;
	json_t     *v;

	if (admin_query_str(req, s, "key", POST_KEY_MAX, &key, e) == -1)
		return (-1);
	if (key == NULL || !post_key_valid(key))
		return (apierr_set(e, 422, "required",
		    "Name the post: ?key=KEY.", "key"));
	if (admin_body(req, s, e) == -1)
		return (-1);
	if ((v = json_object_get(s->json, "open")) != NULL) {
		if (!json_is_boolean(v))
			return (apierr_set(e, 422, "invalid_type",
			    "open must be true or false.", "open"));
		open = json_is_true(v) ? "true" : "false";
	}
	if ((v = json_object_get(s->json, "title")) != NULL) {
		if (!json_is_string(v) ||
		    json_string_length(v) != strlen(json_string_value(v)) ||
		    json_string_length(v) > 4 * POST_TITLE_MAX)
			return (apierr_set(e, 422, "invalid_value",
			    "title must be a string of at most 300 "
			    "characters.",
			    "title"));
		title = json_string_value(v);
	}
	store_post_update_query(&s->q, &s->nums, s->auth.user_id, key, open,
	    title);
	return (0);
}

static void
post_respond(struct http_request *req, struct admin_state *s)
{
	struct post_info p;
	struct buf       b;

	if (store_post_row(&s->q, &p) == -1) {
		api_error(req, 404, "not_found", "There is no such post.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"post\":{\"key\":");
	escape_json_cstr(&b, p.key);
	buf_puts(&b, ",\"title\":");
	escape_json_cstr(&b, p.title);
	buf_puts(&b, ",\"url\":");
	escape_json_cstr(&b, p.url);
	buf_printf(&b, ",\"comment_count\":%lld,\"open\":%s}}",
	    (long long)p.comment_count, p.open ? "true" : "false");
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op post_ops[] = {
	{ HTTP_METHOD_PATCH, ADMIN_MODERATOR, post_prepare, post_respond },
};

int
handler_admin_posts(struct http_request *req)
{
	return (admin_run(req, post_ops, 1, "PATCH"));
}

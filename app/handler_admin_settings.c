/*
 * GET|PATCH /api/v1/admin/settings and PATCH /api/v1/admin/posts?key=KEY.
 * Settings are validated here (422 naming the field) and stored in the
 * database, where every worker reads them on each request (and, for
 * allowed_origins, keeps a copy replaced on every change: sites.c).
 */
#include <string.h>

#include "admin.h"
#include "comment_input.h"
#include "escape.h"
#include "settings.h"

int	handler_admin_settings(struct http_request *);
int	handler_admin_posts(struct http_request *);

static int
settings_get_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	(void)req;
	(void)e;
	store_settings_query(&s->q);
	return (0);
}

static void
settings_respond(struct http_request *req, struct admin_state *s)
{
	struct buf	b;

	buf_init(&b);
	buf_puts(&b, "{\"settings\":");
	buf_puts(&b, db_text(&s->q, 0, 0) != NULL ? db_text(&s->q, 0, 0) :
	    "{}");
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

/*
 * Validates the changes on a scratch copy of the defaults and stores the
 * normalised values (word lists trimmed, lower-cased, without repeats) of
 * just the members that came.
 */
static int
settings_patch_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	struct settings	 st;
	json_t		*all, *changes, *v;
	const char	*k;
	char		*text;

	if (admin_body(req, s, e) == -1)
		return (-1);
	/* Which sites may write is the admins' call, like hooks. */
	if (json_object_get(s->json, "allowed_origins") != NULL &&
	    !auth_is_admin(&s->auth))
		return (apierr_set(e, 403, "forbidden",
		    "Only admins may change the allowed sites.",
		    "allowed_origins"));
	settings_defaults(&st);
	if (settings_apply(&st, s->json, e) == -1) {
		settings_free(&st);
		return (-1);
	}
	all = settings_to_json(&st);
	changes = json_object();
	json_object_foreach(s->json, k, v) {
		(void)v;
		json_object_set(changes, k, json_object_get(all, k));
	}
	text = json_dumps(changes, JSON_COMPACT);
	json_decref(changes);
	json_decref(all);
	settings_free(&st);
	if (text == NULL)
		fatal("json_dumps failed");
	store_settings_update_query(&s->q, &s->nums, s->auth.user_id,
	    admin_keep(s, text));
	return (0);
}

static const struct admin_op settings_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_MODERATOR, settings_get_prepare,
	    settings_respond },
	{ HTTP_METHOD_PATCH, ADMIN_MODERATOR, settings_patch_prepare,
	    settings_respond },
};

int
handler_admin_settings(struct http_request *req)
{
	return (admin_run(req, settings_ops, 2, "GET, PATCH"));
}

static int
post_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	const char	*key, *title = NULL, *open = NULL;
	json_t		*v;

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
			    "characters.", "title"));
		title = json_string_value(v);
	}
	store_post_update_query(&s->q, &s->nums, s->auth.user_id, key, open,
	    title);
	return (0);
}

static void
post_respond(struct http_request *req, struct admin_state *s)
{
	struct buf	b;

	if (db_rows(&s->q) != 1) {
		api_error(req, 404, "not_found", "There is no such post.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"post\":{\"key\":");
	escape_json_cstr(&b, db_text(&s->q, 0, 0));
	buf_puts(&b, ",\"title\":");
	escape_json_cstr(&b, db_text(&s->q, 0, 1));
	buf_puts(&b, ",\"url\":");
	escape_json_cstr(&b, db_text(&s->q, 0, 2));
	buf_printf(&b, ",\"comment_count\":%lld,\"open\":%s}}",
	    (long long)db_int(&s->q, 0, 3),
	    db_bool(&s->q, 0, 4) ? "true" : "false");
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

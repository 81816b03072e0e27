/*
 * GET|PATCH /api/v1/admin/settings. Settings are validated here (422
 * naming the field) and stored in the database, where every worker reads
 * them on each request (and, for allowed_origins, keeps a copy replaced
 * on every change: sites.c).
 */
#include "admin.h"
#include "settings.h"

int handler_admin_settings(struct http_request *);

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
	const char *json = store_json(&s->q);
	struct buf  b;

	buf_init(&b);
	buf_puts(&b, "{\"settings\":");
	buf_puts(&b, json != NULL ? json : "{}");
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
	struct settings st;
	json_t         *all, *changes, *v;
	const char     *k;
	char           *text;

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
	json_object_foreach(s->json, k, v)
	{
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

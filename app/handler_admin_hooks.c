/*
 * Admins manage hooks: GET|POST /api/v1/admin/hooks, PATCH|DELETE
 * /api/v1/admin/hooks/ID, GET .../ID/deliveries, POST .../ID/ping and
 * POST /api/v1/admin/deliveries/ID/redeliver. Parley makes each hook's
 * secret, shows it once, and keeps it sealed under the server's key.
 */
#include <string.h>

#include <sodium.h>

#include "admin.h"
#include "comment_input.h"
#include "escape.h"
#include "hook_sign.h"
#include "keys.h"

int handler_admin_hooks(struct http_request *);
int handler_admin_hook(struct http_request *);
int handler_admin_hook_deliveries(struct http_request *);
int handler_admin_hook_ping(struct http_request *);
int handler_admin_redeliver(struct http_request *);

#define GRACE_DEFAULT 86400
#define GRACE_MAX     (7 * 86400)

static const char *const event_types[] = {
	"comment.created",
	"comment.approved",
	"comment.spammed",
	"comment.held",
	"comment.edited",
	"comment.deleted",
	"post.closed",
	"commenter.erased",
};

/* The secret shown once, kept in the state so it is wiped with it. */
struct hook_secret {
	char text[HOOK_SECRET_TEXT_LEN + 1];
	char sealed[HOOK_SEALED_SQL_LEN];
};

static int
event_known(const char *t)
{
	size_t i;

	for (i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++) {
		if (strcmp(t, event_types[i]) == 0)
			return (1);
	}
	return (0);
}

/* A text[] literal from known type names only: nothing else gets in. */
static int
events_literal(json_t *v, struct buf *out, struct apierr *e)
{
	json_t *t;
	size_t  i;

	if (!json_is_array(v))
		return (apierr_set(e, 422, "invalid_value",
		    "events must be a list of event types.", "events"));
	buf_putc(out, '{');
	json_array_foreach(v, i, t)
	{
		if (!json_is_string(t) || !event_known(json_string_value(t)))
			return (apierr_set(e, 422, "invalid_value",
			    "events lists an unknown event type.", "events"));
		buf_printf(out, "%s%s", i > 0 ? "," : "", json_string_value(t));
	}
	buf_putc(out, '}');
	return (0);
}

static int
url_ok(json_t *v, const char **url, struct apierr *e)
{
	if (!json_is_string(v) || !http_url_valid(json_string_value(v)))
		return (apierr_set(e, 422, "invalid_value",
		    "url must be an http or https URL.", "url"));
	*url = json_string_value(v);
	return (0);
}

static void
new_secret(struct hook_secret *hs)
{
	unsigned char raw[HOOK_SECRET_BYTES];

	hook_secret_new(raw, hs->text);
	hook_secret_seal(keys_get(KEY_SECRETBOX), raw, hs->sealed);
	sodium_memzero(raw, sizeof(raw));
}

/* The answer: {"hook": ...} and, right after creating or rotating, the
 * secret. */
static void
send_hook(struct http_request *req, struct admin_state *s, int status)
{
	struct hook_secret *hs = (struct hook_secret *)(void *)s->text[0];
	const char         *json = store_json(&s->q);
	struct buf          b;

	if (json == NULL) {
		api_error(req, 404, "not_found", "There is no such hook.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"hook\":");
	buf_puts(&b, json);
	if (s->flag) {
		buf_puts(&b, ",\"secret\":");
		escape_json_cstr(&b, hs->text);
	}
	buf_putc(&b, '}');
	api_send_json(req, status, &b);
	sodium_memzero(b.data, b.len);
	buf_free(&b);
	sodium_memzero(hs, sizeof(*hs));
}

/* The op's only kept string (text[0]): send_hook finds it there. */
static struct hook_secret *
secret_slot(struct admin_state *s)
{
	struct hook_secret *hs;

	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		fatal("calloc");
	return ((struct hook_secret *)(void *)admin_keep(s, (char *)hs));
}

static int
list_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	(void)req;
	(void)e;
	store_hooks_query(&s->q);
	return (0);
}

static void
list_respond(struct http_request *req, struct admin_state *s)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"hooks\":");
	buf_puts(&b, store_json(&s->q));
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static int
create_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	struct hook_secret *hs;
	const char         *url, *kind;
	json_t             *v;

	if (admin_body(req, s, e) == -1 ||
	    url_ok(json_object_get(s->json, "url"), &url, e) == -1)
		return (-1);
	v = json_object_get(s->json, "kind");
	kind = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(kind, "event") != 0 && strcmp(kind, "verdict") != 0)
		return (apierr_set(e, 422, "invalid_value",
		    "kind must be event or verdict.", "kind"));
	v = json_object_get(s->json, "events");
	if (v == NULL)
		buf_puts(&s->scratch, "{}");
	else if (events_literal(v, &s->scratch, e) == -1)
		return (-1);
	v = json_object_get(s->json, "enabled");
	if (v != NULL && !json_is_boolean(v))
		return (apierr_set(e, 422, "invalid_type",
		    "enabled must be true or false.", "enabled"));
	hs = secret_slot(s);
	new_secret(hs);
	s->flag = 1;
	store_hook_create_query(&s->q, &s->nums, s->auth.user_id, url, kind,
	    s->scratch.data, v == NULL || json_is_true(v), hs->sealed);
	return (0);
}

static void
create_respond(struct http_request *req, struct admin_state *s)
{
	send_hook(req, s, 201);
}

static const struct admin_op hooks_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_ADMIN, list_prepare, list_respond },
	{ HTTP_METHOD_POST, ADMIN_ADMIN, create_prepare, create_respond },
};

int
handler_admin_hooks(struct http_request *req)
{
	return (admin_run(req, hooks_ops, 2, "GET, POST"));
}

static int
hook_id(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	if ((s->id = api_path_id(req->path, "/api/v1/admin/hooks/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such hook.", NULL));
	return (0);
}

static int
update_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	struct hook_secret *hs;
	const char         *url = NULL, *events = NULL;
	json_t             *v;
	int                 enabled = -1, grace = GRACE_DEFAULT;

	if (hook_id(req, s, e) == -1 || admin_body(req, s, e) == -1)
		return (-1);
	if ((v = json_object_get(s->json, "url")) != NULL &&
	    url_ok(v, &url, e) == -1)
		return (-1);
	if ((v = json_object_get(s->json, "events")) != NULL) {
		if (events_literal(v, &s->scratch, e) == -1)
			return (-1);
		events = s->scratch.data;
	}
	if ((v = json_object_get(s->json, "enabled")) != NULL) {
		if (!json_is_boolean(v))
			return (apierr_set(e, 422, "invalid_type",
			    "enabled must be true or false.", "enabled"));
		enabled = json_is_true(v);
	}
	if ((v = json_object_get(s->json, "grace_seconds")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > GRACE_MAX)
			return (apierr_set(e, 422, "invalid_value",
			    "grace_seconds must be 0 to 604800.",
			    "grace_seconds"));
		grace = (int)json_integer_value(v);
	}
	hs = secret_slot(s);
	if ((v = json_object_get(s->json, "rotate_secret")) != NULL &&
	    json_is_true(v)) {
		new_secret(hs);
		s->flag = 1;
	}
	store_hook_update_query(&s->q, &s->nums, s->auth.user_id, s->id, url,
	    events, enabled, s->flag ? hs->sealed : NULL, grace);
	return (0);
}

static void
update_respond(struct http_request *req, struct admin_state *s)
{
	send_hook(req, s, 200);
}

static int
delete_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	if (hook_id(req, s, e) == -1)
		return (-1);
	store_hook_delete_query(&s->q, &s->nums, s->auth.user_id, s->id);
	return (0);
}

static void
delete_respond(struct http_request *req, struct admin_state *s)
{
	if (!store_found(&s->q)) {
		api_error(req, 404, "not_found", "There is no such hook.",
		    NULL);
		return;
	}
	api_common_headers(req);
	api_respond(req, 204, NULL, 0);
}

static const struct admin_op hook_ops[] = {
	{ HTTP_METHOD_PATCH, ADMIN_ADMIN, update_prepare, update_respond },
	{ HTTP_METHOD_DELETE, ADMIN_ADMIN, delete_prepare, delete_respond },
};

int
handler_admin_hook(struct http_request *req)
{
	return (admin_run(req, hook_ops, 2, "PATCH, DELETE"));
}

static int
deliveries_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	long limit;

	if (hook_id(req, s, e) == -1 ||
	    admin_query_int(req, "limit", 1, 200, 50, &limit, e) == -1)
		return (-1);
	store_hook_deliveries_query(&s->q, &s->nums, s->id, (int)limit);
	return (0);
}

static void
deliveries_respond(struct http_request *req, struct admin_state *s)
{
	const char *json = store_json(&s->q);
	struct buf  b;

	if (json == NULL) {
		api_error(req, 404, "not_found", "There is no such hook.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"deliveries\":");
	buf_puts(&b, json);
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op deliveries_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_ADMIN, deliveries_prepare,
	    deliveries_respond },
};

int
handler_admin_hook_deliveries(struct http_request *req)
{
	return (admin_run(req, deliveries_ops, 1, "GET"));
}

static int
ping_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	if (hook_id(req, s, e) == -1)
		return (-1);
	store_hook_ping_query(&s->q, &s->nums, s->auth.user_id, s->id);
	return (0);
}

static void
ping_respond(struct http_request *req, struct admin_state *s)
{
	int64_t    id = store_hook_ping_delivery(&s->q);
	struct buf b;

	if (id == 0) {
		api_error(req, 404, "not_found", "There is no such hook.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_printf(&b, "{\"delivery_id\":%lld}", (long long)id);
	api_send_json(req, 202, &b);
	buf_free(&b);
}

static const struct admin_op ping_ops[] = {
	{ HTTP_METHOD_POST, ADMIN_ADMIN, ping_prepare, ping_respond },
};

int
handler_admin_hook_ping(struct http_request *req)
{
	return (admin_run(req, ping_ops, 1, "POST"));
}

static int
redeliver_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	if ((s->id = api_path_id(req->path, "/api/v1/admin/deliveries/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such delivery.", NULL));
	store_redeliver_query(&s->q, &s->nums, s->auth.user_id, s->id);
	return (0);
}

static void
redeliver_respond(struct http_request *req, struct admin_state *s)
{
	struct buf b;

	if (!store_found(&s->q)) {
		api_error(req, 404, "not_found", "There is no such delivery.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_printf(&b, "{\"delivery_id\":%lld}", (long long)s->id);
	api_send_json(req, 202, &b);
	buf_free(&b);
}

static const struct admin_op redeliver_ops[] = {
	{ HTTP_METHOD_POST, ADMIN_ADMIN, redeliver_prepare, redeliver_respond },
};

int
handler_admin_redeliver(struct http_request *req)
{
	return (admin_run(req, redeliver_ops, 1, "POST"));
}

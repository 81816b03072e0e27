/*
 * The links in Parley's mail, and a member's mail switches.
 *
 * GET /mail/confirm?token=T and GET /mail/unsubscribe?token=T show a page
 * with one button; only its POST (to the same URL) acts. Mail scanners
 * and link previews that follow links therefore confirm nothing and
 * unsubscribe nobody. The unsubscribe POST is also RFC 8058's one-click
 * POST ("List-Unsubscribe=One-Click" as its body, which is not needed):
 * it needs no login, and repeating it is harmless. These are pages, not
 * JSON: a reader opens them from a mail client.
 *
 * GET /api/v1/me/mail and PATCH /api/v1/me/mail {"notify_replies",
 * "mail_held"}: a member's replies by e-mail, and a moderator's digests
 * of held comments. Turning one on sends a confirmation first if the
 * account's address was never confirmed.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "escape.h"
#include "me.h"
#include "page.h"
#include "parley.h"
#include "query.h"
#include "store_mail.h"
#include "token.h"

int handler_mail_confirm(struct http_request *);
int handler_mail_unsubscribe(struct http_request *);
int handler_me_mail(struct http_request *);

enum link_kind { LINK_CONFIRM, LINK_UNSUBSCRIBE };

struct link_state {
	struct db_query  q;
	enum link_kind   kind;
	struct page_link link;
};

static void
link_state_free(struct http_request *req)
{
	struct link_state *s = http_state_get(req);

	db_done(&s->q);
}

/* The page for each outcome of a link (store_mail_outcome_row's codes,
 * and "unavailable"). Only send_outcome reads it. */
static const struct link_outcome {
	const char *code;
	int         status;
	const char *title;
	const char *text;
} link_outcomes[] = {
	/* First: what any code not listed answers. */
	{ "unknown", 404, "This link is not valid",
	    "Check that the whole link from the mail was copied." },
	{ "expired", 410, "This link has expired",
	    "Confirmation links work once, for 48 hours. Ask again from the "
	    "comment form, and a new link is mailed." },
	{ "confirmed", 200, "Confirmed",
	    "You will get e-mail when someone replies to you. Each mail has "
	    "a link to stop them." },
	{ "unsubscribed", 200, "Unsubscribed",
	    "You will get no more e-mail from the comments. To get replies "
	    "again, ask for them when you next comment." },
	{ "unavailable", 503, "Try again in a minute",
	    "The comments' database cannot be reached right now." },
};

static void
send_outcome(struct http_request *req, const char *code)
{
	const struct link_outcome *o = &link_outcomes[0];
	size_t                     i;

	for (i = 0; i < sizeof(link_outcomes) / sizeof(link_outcomes[0]); i++)
		if (strcmp(link_outcomes[i].code, code) == 0)
			o = &link_outcomes[i];
	page_message(req, o->status, o->title, o->text);
}

/* The page a link opens: one button that POSTs to the same URL. */
static void
send_ask(struct http_request *req, struct link_state *s, const char *email)
{
	struct buf b;
	int        confirm = s->kind == LINK_CONFIRM;

	buf_init(&b);
	buf_puts(&b, "<p>");
	buf_puts(&b,
	    confirm ? "Send e-mail from the comments to " :
	              "Stop all e-mail from the comments to ");
	page_put_masked_email(&b, email);
	buf_puts(&b,
	    confirm ? "? You can stop it with the link in each mail." : "?");
	buf_puts(&b, "</p><form method=\"post\" action=\"");
	buf_puts(&b, confirm ? "/mail/confirm" : "/mail/unsubscribe");
	/* The token is URL-safe base64: nothing in it needs escaping. */
	buf_printf(&b,
	    "?token=%s\"><button type=\"submit\">%s</button>"
	    "</form>",
	    s->link.token, confirm ? "Confirm" : "Unsubscribe");
	page_send(req, 200,
	    confirm ? "Confirm your e-mail address" : "Unsubscribe", &b);
	buf_free(&b);
}

static void
link_respond_get(struct http_request *req, struct link_state *s)
{
	struct mail_link_row r;

	if (store_mail_link_row(&s->q, &r) == -1)
		send_outcome(req, "unknown");
	else if (!r.usable)
		send_outcome(req, "expired");
	else
		send_ask(req, s, r.email);
}

/* The token of ?token=: 0, or -1 (answered) when it is missing or
 * malformed. */
static int
link_token(struct http_request *req, struct link_state *s)
{
	if (page_link_read(req, &s->link) == 1)
		return (0);
	send_outcome(req, "unknown");
	return (-1);
}

static void
link_query(struct http_request *req, struct link_state *s)
{
	if (req->method == HTTP_METHOD_POST) {
		if (s->kind == LINK_CONFIRM)
			store_mail_confirm_query(&s->q, s->link.hash);
		else
			store_mail_unsubscribe_query(&s->q, s->link.hash);
	} else
		store_mail_peek_query(&s->q, s->link.hash,
		    s->kind == LINK_CONFIRM ? "confirm" : "unsubscribe");
}

static int
handle_link(struct http_request *req, enum link_kind kind)
{
	struct link_state *s;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD &&
	    req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "GET, HEAD, POST");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), link_state_free);
		s->kind = kind;
		if (link_token(req, s) == -1)
			return (KORE_RESULT_OK);
		link_query(req, s);
	}
	s = http_state_get(req);
	switch (db_run(req, &s->q)) {
	case DB_PENDING:
		return (KORE_RESULT_RETRY);
	case DB_FAILED:
		send_outcome(req, "unavailable");
		break;
	case DB_READY:
		if (req->method == HTTP_METHOD_POST)
			send_outcome(req, store_mail_outcome_row(&s->q));
		else
			link_respond_get(req, s);
		db_done(&s->q);
		break;
	}
	return (KORE_RESULT_OK);
}

int
handler_mail_confirm(struct http_request *req)
{
	return (handle_link(req, LINK_CONFIRM));
}

int
handler_mail_unsubscribe(struct http_request *req)
{
	return (handle_link(req, LINK_UNSUBSCRIBE));
}

/* ------------------------------------------------ a member's switches */

/* A switch of the PATCH: -1 absent, else 0 or 1; -2 not a boolean. */
static int
me_switch(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL)
		return (-1);
	return (json_is_boolean(v) ? json_is_true(v) : -2);
}

/* The PATCH's switches: 0, or -1 (answered). */
static int
me_patch_read(struct http_request *req, struct me_state *s, int *notify,
    int *held)
{
	struct apierr e;
	json_t       *o;

	if (api_read_json(req, &o, &e) == -1) {
		api_error_from(req, &e);
		return (-1);
	}
	*notify = me_switch(o, "notify_replies");
	*held = me_switch(o, "mail_held");
	json_decref(o);
	if (*notify == -2 || *held == -2) {
		api_error(req, 422, "invalid_value",
		    "notify_replies and mail_held must be true or false.",
		    *notify == -2 ? "notify_replies" : "mail_held");
		return (-1);
	}
	if (*held >= 0 && !auth_is_moderator(&s->auth)) {
		api_error(req, 403, "forbidden",
		    "Only moderators get digests of held comments.",
		    "mail_held");
		return (-1);
	}
	if (!mail_enabled() && (*notify == 1 || *held == 1)) {
		api_error(req, 409, "mail_off",
		    "This Parley sends no e-mail (no smtp_url is set).", NULL);
		return (-1);
	}
	return (0);
}

static void
me_respond(struct http_request *req, struct me_state *s)
{
	struct me_mail_row r;
	struct buf         b;

	if (store_me_mail_row(&s->q, &r) == -1) {
		api_error(req, 401, "not_logged_in", "Log in again.", NULL);
		return;
	}
	buf_init(&b);
	buf_printf(&b,
	    "{\"mail\":{\"enabled\":%s,\"notify_replies\":%s,"
	    "\"mail_held\":%s,\"address\":",
	    mail_enabled() ? "true" : "false",
	    r.notify_replies ? "true" : "false",
	    r.mail_held ? "true" : "false");
	escape_json_cstr(&b, r.address);
	buf_puts(&b, "}}");
	api_send_json(req, 200, &b);
	buf_free(&b);
}

/* The PATCH's switches, or none for a GET, and the query. */
static int
me_prepare(struct http_request *req, struct me_state *s)
{
	int notify = -1, held = -1;

	if (req->method == HTTP_METHOD_PATCH &&
	    me_patch_read(req, s, &notify, &held) == -1)
		return (-1);
	store_me_mail_query(&s->q, &s->nums, s->auth.user_id, notify, held);
	return (0);
}

int
handler_me_mail(struct http_request *req)
{
	if (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_PATCH) {
		api_method_not_allowed(req, "GET, PATCH");
		return (KORE_RESULT_OK);
	}
	return (me_run(req, me_prepare, me_respond));
}

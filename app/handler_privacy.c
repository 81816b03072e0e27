/*
 * A commenter's own data: export and erasure (sql/functions/privacy.sql
 * says what each covers).
 *
 * POST /api/v1/privacy/request {"email"}: a guest asks for a link. The
 * answer is the same 202 for every address, and so is the work behind it
 * (one insert): the deliverer decides later, off the request path,
 * whether the address has anything to mail a link about.
 *
 * /privacy: without a token, a page to ask for a link (its form POSTs to
 * /privacy/request). With ?token=T, the page the mailed link opens: "Download
 * my data" and "Erase my data", both POSTs to /privacy?token=T&action=...,
 * the erasure only with its confirmation box ticked. The link works once,
 * for one of them, for 48 hours. Mail scanners that follow the GET do
 * nothing.
 *
 * GET /api/v1/me/export: a member's data as a JSON download. (A member's
 * erasure, DELETE /api/v1/me with the password, is in handler_auth.c.)
 *
 * POST /api/v1/admin/privacy/export and /erase {"email"}: a moderator
 * answers a request that came another way: the guest's data for the
 * address and the account with it. Audited under the address's hash.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin.h"
#include "api.h"
#include "auth.h"
#include "escape.h"
#include "mail.h"
#include "me.h"
#include "page.h"
#include "parley.h"
#include "query.h"
#include "store_privacy.h"
#include "token.h"

int handler_privacy_request(struct http_request *);
int handler_privacy_page(struct http_request *);
int handler_privacy_form(struct http_request *);
int handler_me_export(struct http_request *);
int handler_admin_privacy_export(struct http_request *);
int handler_admin_privacy_erase(struct http_request *);

#define DOWNLOAD_NAME "attachment; filename=\"parley-my-data.json\""
/* A form's body: email=... (254 bytes, each up to 3 escaped) or
 * confirm=yes. */
#define FORM_MAX 1024

static const char sent_text[] =
    "If this address has comments or e-mail subscriptions here, a link "
    "to download or erase them is on its way to it. The link works once, "
    "for 48 hours.";

/* The e-mail of a request, or NULL with e filled. */
static const char *
request_email(json_t *o, struct apierr *e)
{
	json_t *v = json_object_get(o, "email");

	if (v == NULL)
		return (apierr_set(e, 422, "required",
		            "Give the e-mail address you commented with.",
		            "email"),
		    NULL);
	if (!json_is_string(v) || !mail_address_ok(json_string_value(v)))
		return (apierr_set(e, 422, "invalid_value",
		            "email must be an e-mail address.", "email"),
		    NULL);
	return (json_string_value(v));
}

/* Why a guest cannot ask: no mail to send the link by. */
static int
mail_missing(struct apierr *e)
{
	return (apierr_set(e, 409, "mail_off",
	    "This Parley sends no e-mail, so it cannot send a link; ask the "
	    "site's owner.",
	    NULL));
}

/* ------------------------------------------------ asking for a link */

struct request_state {
	struct db_query q;
	json_t         *json;
	char           *form_email; /* the page's form: owned */
	int             started;
	int             page; /* answer with a page, not JSON */
};

static void
request_state_free(struct http_request *req)
{
	struct request_state *s = http_state_get(req);

	db_done(&s->q);
	if (s->json != NULL)
		json_decref(s->json);
	free(s->form_email);
}

static void
send_requested(struct http_request *req, struct request_state *s)
{
	struct buf b;

	if (s->page) {
		page_message(req, 202, "Check your mail", sent_text);
		return;
	}
	buf_init(&b);
	buf_puts(&b, "{\"status\":\"requested\",\"message\":");
	escape_json_cstr(&b, sent_text);
	buf_putc(&b, '}');
	api_send_json(req, 202, &b);
	buf_free(&b);
}

/* Runs the request's one insert and answers; KORE_RESULT_* */
static int
request_run(struct http_request *req, struct request_state *s)
{
	int r;

	if (s->page) {
		switch (db_run(req, &s->q)) {
		case DB_PENDING:
			return (KORE_RESULT_RETRY);
		case DB_FAILED:
			page_message(req, 503, "Try again in a minute",
			    "The comments' database cannot be reached right "
			    "now.");
			break;
		case DB_READY:
			send_requested(req, s);
			break;
		}
		db_done(&s->q);
		return (KORE_RESULT_OK);
	}
	if ((r = api_query_ready(req, &s->q)) == 0)
		return (KORE_RESULT_RETRY);
	if (r == 1)
		send_requested(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

int
handler_privacy_request(struct http_request *req)
{
	struct request_state *s;
	struct apierr         e;
	const char           *email;

	if (req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "POST");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), request_state_free);
		if (!mail_enabled()) {
			api_error_from(req, (mail_missing(&e), &e));
			return (KORE_RESULT_OK);
		}
		if (api_read_json(req, &s->json, &e) == -1 ||
		    (email = request_email(s->json, &e)) == NULL) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		store_privacy_request_query(&s->q, email);
	}
	return (request_run(req, http_state_get(req)));
}

/* A form's urlencoded body, NUL-terminated, into out; -1 if too long. */
static int
form_body(struct http_request *req, char *out, size_t n)
{
	ssize_t r;

	if (req->http_body_length >= n)
		return (-1);
	r = http_body_read(req, out, req->http_body_length);
	if (r < 0)
		return (-1);
	out[r] = '\0';
	return (0);
}

/* The page's form to ask for a link. */
static void
send_ask_form(struct http_request *req, int status, const char *problem)
{
	struct buf b;

	buf_init(&b);
	if (problem != NULL) {
		buf_puts(&b, "<p role=\"alert\"><strong>");
		escape_html(&b, problem, strlen(problem));
		buf_puts(&b, "</strong></p>");
	}
	buf_puts(&b,
	    "<p>Parley, the comments on this site, can send you everything "
	    "it holds about you, or erase it.</p>"
	    "<p><strong>Commented as a guest?</strong> Give the e-mail "
	    "address you commented with, and a link to download or erase "
	    "your data is mailed to it.</p>"
	    "<form method=\"post\" action=\"/privacy/request\">"
	    "<label for=\"email\">Your e-mail address</label>"
	    "<input type=\"email\" id=\"email\" name=\"email\" required "
	    "maxlength=\"254\" autocomplete=\"email\">"
	    "<p><button type=\"submit\">Mail me a link</button></p></form>"
	    "<p><strong>Have an account?</strong> Log in under any post's "
	    "comments, then use the account's own export "
	    "(<code>GET /api/v1/me/export</code>) and erasure "
	    "(<code>DELETE /api/v1/me</code>), or ask the site's owner.</p>");
	page_send(req, status, "Your data in the comments", &b);
	buf_free(&b);
}

/* POST /privacy/request: the page's form. */
int
handler_privacy_form(struct http_request *req)
{
	struct request_state *s;
	char                  body[FORM_MAX];
	int                   bad;

	if (req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "POST");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), request_state_free);
		s->page = 1;
		if (!mail_enabled()) {
			page_message(req, 409, "No e-mail here",
			    "This Parley sends no e-mail, so it cannot send "
			    "a link; ask the site's owner.");
			return (KORE_RESULT_OK);
		}
		if (form_body(req, body, sizeof(body)) == -1 ||
		    (s->form_email = query_get(body, "email", &bad)) == NULL ||
		    !mail_address_ok(s->form_email)) {
			send_ask_form(req, 422, "Give an e-mail address.");
			return (KORE_RESULT_OK);
		}
		store_privacy_request_query(&s->q, s->form_email);
	}
	return (request_run(req, http_state_get(req)));
}

/* ------------------------------------------------------- the link */

enum link_action { LINK_SHOW, LINK_DOWNLOAD, LINK_ERASE };

struct link_state {
	struct db_query  q;
	enum link_action action;
	struct page_link link;
};

static void
link_state_free(struct http_request *req)
{
	struct link_state *s = http_state_get(req);

	db_done(&s->q);
	sodium_memzero(&s->link, sizeof(s->link));
}

/* The pages of a link that cannot be used: privacy_link_use's codes
 * other than "ok", and a peek's. Only send_refusal reads it. */
static const struct link_refusal {
	const char *code;
	int         status;
	const char *title;
	const char *text;
} link_refusals[] = {
	/* First: what any code not listed answers. */
	{ "unknown", 404, "This link is not valid",
	    "Check that the whole link from the mail was copied. A link "
	    "whose data was erased works no more." },
	{ "expired", 410, "This link has been used or has expired",
	    "A link works once, for 48 hours. Ask for a new one at "
	    "/privacy." },
};

static void
send_refusal(struct http_request *req, const char *code)
{
	const struct link_refusal *r = &link_refusals[0];
	size_t                     i;

	for (i = 0; i < sizeof(link_refusals) / sizeof(link_refusals[0]); i++)
		if (code != NULL && strcmp(link_refusals[i].code, code) == 0)
			r = &link_refusals[i];
	page_message(req, r->status, r->title, r->text);
}

static void
send_unknown(struct http_request *req)
{
	send_refusal(req, "unknown");
}

/* The link's page: the two actions. */
static void
send_choices(struct http_request *req, struct link_state *s, const char *email)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<p>The comments here hold data for ");
	page_put_masked_email(&b, email);
	buf_puts(&b,
	    ": the comments posted as a guest with it, and its e-mail "
	    "subscription. This link works once: for a download or for "
	    "the erasure.</p>");
	/* The token is URL-safe base64: nothing in it needs escaping. */
	buf_printf(&b,
	    "<form method=\"post\" action=\"/privacy?token=%s&amp;"
	    "action=download\"><button type=\"submit\">Download my data"
	    "</button></form>",
	    s->link.token);
	buf_printf(&b,
	    "<form method=\"post\" action=\"/privacy?token=%s&amp;"
	    "action=erase\"><p>Erasing deletes your comments; those others "
	    "replied to stay as empty placeholders, so their replies keep "
	    "their place. Your votes, subscription and queued mail go, and "
	    "nothing more is mailed to this address.</p>"
	    "<p><label><input type=\"checkbox\" name=\"confirm\" "
	    "value=\"yes\" required> I understand that this cannot be "
	    "undone.</label></p>"
	    "<button type=\"submit\">Erase my data</button></form>",
	    s->link.token);
	page_send(req, 200, "Your data in the comments", &b);
	buf_free(&b);
}

static void
send_download(struct http_request *req, const char *json)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, json);
	http_response_header(req, "content-disposition", DOWNLOAD_NAME);
	api_send_json(req, 200, &b);
	buf_free(&b);
}

/* The counts an erasure returned, for a person. */
static void
send_erased(struct http_request *req, const char *counts)
{
	json_t    *o = json_loads(counts != NULL ? counts : "{}", 0, NULL);
	struct buf b;

	buf_init(&b);
	buf_printf(&b,
	    "<p>Done. %lld comment(s) deleted; %lld kept as empty "
	    "placeholders because others replied to them. Nothing more "
	    "will be mailed to this address.</p>",
	    (long long)json_integer_value(json_object_get(o, "deleted")),
	    (long long)json_integer_value(json_object_get(o, "anonymized")));
	page_send(req, 200, "Your data is erased", &b);
	buf_free(&b);
	json_decref(o);
}

static void
link_respond(struct http_request *req, struct link_state *s)
{
	struct privacy_peek_row    peek;
	struct privacy_outcome_row out;

	if (s->action == LINK_SHOW) {
		if (store_privacy_peek_row(&s->q, &peek) == -1)
			send_unknown(req);
		else if (!peek.usable)
			send_refusal(req, "expired");
		else
			send_choices(req, s, peek.email);
		return;
	}
	if (store_privacy_outcome_row(&s->q, &out) == -1)
		send_unknown(req);
	else if (strcmp(out.status, "ok") != 0)
		send_refusal(req, out.status);
	else if (s->action == LINK_DOWNLOAD)
		send_download(req, out.result);
	else
		send_erased(req, out.result);
}

/* The action of the URL, its token read: 0, or -1 (answered). */
static int
link_read(struct http_request *req, struct link_state *s)
{
	char confirm[FORM_MAX], *action, *yes = NULL;
	int  bad;

	if (req->method != HTTP_METHOD_POST) {
		s->action = LINK_SHOW;
		return (0);
	}
	action = query_get(api_query(req), "action", &bad);
	s->action = action != NULL && strcmp(action, "erase") == 0 ?
	    LINK_ERASE :
	    LINK_DOWNLOAD;
	free(action);
	/* An erasure only with its box ticked: the form requires it, and a
	 * hand-made POST must say so too. */
	if (s->action == LINK_ERASE &&
	    (form_body(req, confirm, sizeof(confirm)) == -1 ||
	        (yes = query_get(confirm, "confirm", &bad)) == NULL ||
	        strcmp(yes, "yes") != 0)) {
		free(yes);
		page_message(req, 422, "Nothing was erased",
		    "Tick the box that confirms the erasure, then press "
		    "Erase my data again.");
		return (-1);
	}
	free(yes);
	return (0);
}

static void
link_query(struct link_state *s)
{
	if (s->action == LINK_SHOW)
		store_privacy_peek_query(&s->q, s->link.hash);
	else
		store_privacy_link_use_query(&s->q, s->link.hash,
		    s->action == LINK_ERASE);
}

int
handler_privacy_page(struct http_request *req)
{
	struct link_state *s;
	int                rc;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD &&
	    req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "GET, HEAD, POST");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), link_state_free);
		if ((rc = page_link_read(req, &s->link)) == 0 &&
		    req->method != HTTP_METHOD_POST) {
			send_ask_form(req, 200, NULL);
			return (KORE_RESULT_OK);
		}
		if (rc != 1) {
			send_unknown(req);
			return (KORE_RESULT_OK);
		}
		if (link_read(req, s) == -1)
			return (KORE_RESULT_OK);
		link_query(s);
	}
	s = http_state_get(req);
	switch (db_run(req, &s->q)) {
	case DB_PENDING:
		return (KORE_RESULT_RETRY);
	case DB_FAILED:
		page_message(req, 503, "Try again in a minute",
		    "The comments' database cannot be reached right now.");
		break;
	case DB_READY:
		link_respond(req, s);
		break;
	}
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

/* ------------------------------------------------ a member's export */

static int
export_start(struct http_request *req, struct me_state *s)
{
	(void)req;
	store_privacy_export_query(&s->q, &s->nums, s->auth.user_id);
	return (0);
}

static void
export_respond(struct http_request *req, struct me_state *s)
{
	struct privacy_outcome_row out;

	if (store_privacy_outcome_row(&s->q, &out) == 0 && out.result != NULL)
		send_download(req, out.result);
	else
		api_db_unavailable(req);
}

int
handler_me_export(struct http_request *req)
{
	if (req->method != HTTP_METHOD_GET) {
		api_method_not_allowed(req, "GET");
		return (KORE_RESULT_OK);
	}
	return (me_run(req, export_start, export_respond));
}

/* ------------------------------------------------- a moderator's */

static int
for_email_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e, int erase)
{
	const char *email;

	if (admin_body(req, s, e) == -1 ||
	    (email = request_email(s->json, e)) == NULL)
		return (-1);
	store_privacy_for_email_query(&s->q, &s->nums, s->auth.user_id, email,
	    erase);
	return (0);
}

static int
export_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	return (for_email_prepare(req, s, e, 0));
}

static int
erase_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	return (for_email_prepare(req, s, e, 1));
}

static void
for_email_respond(struct http_request *req, struct admin_state *s)
{
	struct privacy_outcome_row out;
	struct buf                 b;

	if (store_privacy_outcome_row(&s->q, &out) == -1) {
		api_db_unavailable(req);
		return;
	}
	if (strcmp(out.status, "ok") != 0) {
		api_error_for_code(req, API_OP_PRIVACY_EMAIL, out.status, 0);
		return;
	}
	buf_init(&b);
	if (s->op->prepare == erase_prepare) {
		buf_puts(&b, "{\"erased\":");
		buf_puts(&b, out.result != NULL ? out.result : "null");
		buf_putc(&b, '}');
	} else
		buf_puts(&b, out.result != NULL ? out.result : "null");
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op export_ops[] = {
	{ HTTP_METHOD_POST, ADMIN_MODERATOR, export_prepare,
	    for_email_respond },
};

static const struct admin_op erase_ops[] = {
	{ HTTP_METHOD_POST, ADMIN_MODERATOR, erase_prepare, for_email_respond },
};

int
handler_admin_privacy_export(struct http_request *req)
{
	return (admin_run(req, export_ops, 1, "POST"));
}

int
handler_admin_privacy_erase(struct http_request *req)
{
	return (admin_run(req, erase_ops, 1, "POST"));
}

/*
 * PATCH /api/v1/comments/ID {"body"} and DELETE /api/v1/comments/ID: the
 * author (Bearer session, or a guest's X-Edit-Token) within the edit
 * window, or a moderator at any time. A deleted comment with replies
 * stays in the thread as a placeholder.
 *
 * - An author's edit passes the content stages again (disallowed words,
 *   hold words, links, then the verdict hook): "hi", approved, cannot
 *   become spam by an edit. Held or spam, it leaves public view.
 * - To its author a comment judged spam is a held comment: the edit
 *   token must not tell a spammer which verdict it got.
 * - A moderator changing someone else's comment here is audited as from
 *   the admin page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "comment_input.h"
#include "edit_policy.h"
#include "escape.h"
#include "markdown.h"
#include "moderation.h"
#include "parley.h"
#include "settings.h"
#include "store.h"
#include "thread.h"
#include "timefmt.h"
#include "token.h"
#include "verdict.h"
#include "verdict_body.h"

int handler_comment(struct http_request *);

enum { ONE_AUTH, ONE_FETCH, ONE_VERDICT, ONE_CHANGE };

struct one_state {
	int                   phase;
	struct auth           auth;
	struct db_query       q;
	struct store_numbers  nums;
	int64_t               id;
	json_t               *json;
	const char           *body;
	size_t                body_len;
	struct buf            html;
	struct comment_change change;
	const char           *status_before; /* static: see keep_status */
	struct mod_verdict    verdict; /* an author's edit, judged */
	struct verdict_call   vcall; /* ... by the verdict hook */
	struct comment        c; /* what PATCH answers with */
	char                 *strings[4]; /* owned copies for c */
	struct api_barrier    barrier; /* a guest's change (api.h) */
};

static void
one_state_free(struct http_request *req)
{
	struct one_state *s = http_state_get(req);
	size_t            i;

	auth_cleanup(&s->auth);
	db_done(&s->q);
	buf_free(&s->html);
	verdict_call_cleanup(&s->vcall);
	api_barrier_cleanup(&s->barrier);
	for (i = 0; i < 4; i++) {
		kore_free(s->strings[i]);
		s->strings[i] = NULL;
	}
	if (s->json != NULL) {
		json_decref(s->json);
		s->json = NULL;
	}
}

static void
keep(struct one_state *s, int i, const char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return;
	}
	kore_free(s->strings[i]);
	s->strings[i] = kore_strdup(src);
	*dst = s->strings[i];
}

/* The stored status as a static string (the result goes away). */
static const char *
keep_status(const char *status)
{
	static const char *const known[] = { "approved", "pending", "spam" };
	size_t                   i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (status != NULL && strcmp(status, known[i]) == 0)
			return (known[i]);
	return (NULL);
}

/* The status an author is shown: spam looks held (see the top). */
static const char *
status_shown(const char *status, int as_moderator)
{
	if (!as_moderator && status != NULL && strcmp(status, "spam") == 0)
		return ("pending");
	return (status);
}

/* Who asks, judged on the stored comment. */
static enum edit_verdict
decide(struct http_request *req, struct one_state *s,
    const struct comment_stored_row *row, int *by_author)
{
	struct edit_request er;
	const char         *tok;

	memset(&er, 0, sizeof(er));
	er.actor_id = s->auth.valid ? s->auth.user_id : 0;
	er.actor_is_moderator = auth_is_moderator(&s->auth);
	er.edit_token_presented =
	    http_request_header(req, "x-edit-token", &tok);
	er.edit_token_matches = er.edit_token_presented &&
	    row->edit_token_hash != NULL &&
	    token_matches(tok, row->edit_token_hash);
	er.author_id = row->user_id;
	er.created_us = row->created_us;
	er.now_us = timefmt_now_us();
	er.window_seconds = row->edit_window_seconds;
	*by_author = er.edit_token_matches ||
	    (er.author_id != 0 && er.author_id == er.actor_id);
	s->change.actor_id = er.actor_id;
	s->change.as_moderator = er.actor_is_moderator && !*by_author;
	return (edit_policy_decide(&er));
}

/* Answers a refusal of edit_policy_decide. */
static void
refuse(struct http_request *req, enum edit_verdict v)
{
	switch (v) {
	case EDIT_NO_CREDENTIALS:
		api_error(req, 401, "not_logged_in",
		    "Log in, or use the edit token of your comment.", NULL);
		break;
	case EDIT_NOT_YOURS:
		api_error(req, 403, "forbidden",
		    "You may only change your own comments.", NULL);
		break;
	case EDIT_WINDOW_CLOSED:
		api_error(req, 403, "edit_window_closed",
		    "The time to change this comment is over.", NULL);
		break;
	case EDIT_ALLOWED:
	default:
		abort();
	}
}

/*
 * Content stages 6-7 on an author's edit. 1 when the verdict hook must
 * be asked too (it is then set up), 0 when the verdict is final.
 */
static int
judge_edit(struct one_state *s, const struct comment_stored_row *row)
{
	const struct settings *st = settings_cached(row->settings);
	struct mod_facts       f;
	struct verdict_comment vc;
	char                   now[RFC3339_LEN];

	memset(&f, 0, sizeof(f));
	f.body = s->body;
	f.body_len = s->body_len;
	f.author_name = row->author_name;
	f.author_email = row->author_email;
	f.author_url = row->author_url;
	f.ip = row->ip;
	f.links = moderation_count_links(s->html.data);
	moderation_decide_edit(st, &f, &s->verdict);
	if (s->verdict.outcome != MOD_APPROVE || row->verdict_url == NULL)
		return (0);
	timefmt_rfc3339(timefmt_now_us(), now);
	memset(&vc, 0, sizeof(vc));
	vc.id = s->id;
	vc.post = row->post;
	vc.parent_id = row->parent_id;
	vc.body = s->body;
	vc.body_len = s->body_len;
	vc.html = s->html.data;
	vc.author_name = row->author_name;
	vc.author_email = row->author_email;
	vc.author_url = row->author_url;
	vc.user_id = row->user_id;
	vc.ip = row->ip;
	vc.created_at = now;
	return (verdict_call_start(&s->vcall, row->verdict_url,
	    row->verdict_secret, row->verdict_old_secret, &vc,
	    st->verdict_timeout_ms, &s->verdict));
}

/*
 * What the edit changes the status to: never better than it was (an
 * edit cannot publish a held comment, nor launder spam), worse when
 * judged so.
 */
static void
apply_verdict(struct one_state *s)
{
	/* Statuses from best to worst; a verdict's rank is its outcome's. */
	static const char *const rank[] = { "approved", "pending", "spam" };
	int                      before, after;

	after = s->verdict.outcome == MOD_SPAM ? 2 :
	    s->verdict.outcome == MOD_HOLD     ? 1 :
	                                         0;
	for (before = 0; before < 2; before++)
		if (strcmp(rank[before], s->status_before) == 0)
			break;
	if (after <= before)
		return;
	s->change.status = rank[after];
	s->change.verdict = mod_outcome_name(s->verdict.outcome);
	s->change.reason = s->verdict.reason;
}

/*
 * Decides from the stored comment: 1 to ask the verdict hook, 0 to
 * change it now, -1 after answering.
 */
static int
may_change(struct http_request *req, struct one_state *s)
{
	struct comment_stored_row row;
	enum edit_verdict         v;
	int                       by_author;

	if (store_comment_stored_row(&s->q, &row) == -1 ||
	    (s->status_before = keep_status(row.status)) == NULL) {
		api_error(req, 404, "not_found", "There is no such comment.",
		    NULL);
		return (-1);
	}
	s->change.id = s->id;
	if ((v = decide(req, s, &row, &by_author)) != EDIT_ALLOWED) {
		refuse(req, v);
		return (-1);
	}
	s->change.remove = req->method == HTTP_METHOD_DELETE;
	s->change.body = s->body;
	s->change.body_len = s->body_len;
	s->change.html = s->body != NULL ? s->html.data : NULL;

	/* What the PATCH answer shows, taken before the result goes. */
	memset(&s->c, 0, sizeof(s->c));
	s->c.id = s->id;
	s->c.parent_id = row.parent_id;
	keep(s, 0, &s->c.author_name, row.author_name);
	keep(s, 1, &s->c.author_url, row.author_url);
	keep(s, 2, &s->c.created_at, row.created_at);
	keep(s, 3, &s->c.author_role, row.role);
	s->c.score = row.score;
	store_avatar(&s->c, row.avatar_seed);
	s->c.own = 1;

	/* Moderators' own words are not judged, as when they post. */
	if (s->change.remove || s->change.as_moderator ||
	    auth_is_moderator(&s->auth))
		return (0);
	return (judge_edit(s, &row));
}

/* The change, with the edit's verdict applied. */
static void
start_change(struct one_state *s)
{
	apply_verdict(s);
	store_comment_change_query(&s->q, &s->nums, &s->change);
	s->phase = ONE_CHANGE;
}

static void
send_changed(struct http_request *req, struct one_state *s)
{
	struct comment_changed_row row;
	struct buf                 b;

	if (store_comment_changed_row(&s->q, &row) == -1) {
		api_error(req, 404, "not_found", "There is no such comment.",
		    NULL);
		return;
	}
	/* Other workers hear of it from PostgreSQL; this one knows now. */
	cache_clear();
	api_written(req, s->barrier.ticket);
	if (req->method == HTTP_METHOD_DELETE) {
		api_common_headers(req);
		api_respond(req, 204, NULL, 0);
		return;
	}
	s->c.edited_at = row.edited_at;
	(void)comment_status_parse(status_shown(row.status,
	                               s->change.as_moderator),
	    &s->c.status);
	s->c.html = s->html.data;
	buf_init(&b);
	buf_puts(&b, "{\"comment\":");
	comment_write_json(&b, &s->c);
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

/* PATCH's body, parsed and rendered before any database work. */
static int
read_edit(struct http_request *req, struct one_state *s, struct apierr *e)
{
	if (api_read_json(req, &s->json, e) == -1 ||
	    body_parse(s->json, &s->body, &s->body_len, e) == -1)
		return (-1);
	buf_init(&s->html);
	if (markdown_render(&s->html, s->body, s->body_len) == -1)
		return (apierr_set(e, 422, "invalid_value",
		    "The comment could not be formatted.", "body"));
	return (0);
}

int
handler_comment(struct http_request *req)
{
	struct one_state *s;
	struct apierr     e;
	int               r;

	if (req->method != HTTP_METHOD_PATCH &&
	    req->method != HTTP_METHOD_DELETE) {
		api_method_not_allowed(req, "PATCH, DELETE");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), one_state_free);
		if ((s->id = api_path_id(req->path, "/api/v1/comments/")) ==
		    0) {
			api_error(req, 404, "not_found",
			    "There is no such comment.", NULL);
			return (KORE_RESULT_OK);
		}
		if (req->method == HTTP_METHOD_PATCH &&
		    read_edit(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
	}
	s = http_state_get(req);
	for (;;) {
		switch (s->phase) {
		case ONE_AUTH:
			if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) !=
			    1)
				return (r == 0 ? KORE_RESULT_RETRY :
				                 KORE_RESULT_OK);
			store_comment_get_query(&s->q, &s->nums, s->id);
			s->phase = ONE_FETCH;
			break;
		case ONE_FETCH:
			if ((r = api_query_ready(req, &s->q)) != 1)
				return (r == 0 ? KORE_RESULT_RETRY :
				                 KORE_RESULT_OK);
			r = may_change(req, s);
			db_done(&s->q);
			if (r == -1)
				return (KORE_RESULT_OK);
			if (r == 1)
				s->phase = ONE_VERDICT;
			else
				start_change(s);
			break;
		case ONE_VERDICT:
			/* Stage 10, as for a new comment: no answer holds. */
			if (!verdict_call_run(req, &s->vcall))
				return (KORE_RESULT_RETRY);
			moderation_verdict_answer(&s->verdict, s->vcall.status,
			    s->vcall.answer, s->vcall.answer_len,
			    s->vcall.error);
			start_change(s);
			break;
		case ONE_CHANGE:
			if ((r = api_query_ready(req, &s->q)) != 1)
				return (r == 0 ? KORE_RESULT_RETRY :
				                 KORE_RESULT_OK);
			if (!s->auth.valid && !api_barrier(req, &s->barrier))
				return (KORE_RESULT_RETRY);
			send_changed(req, s);
			db_done(&s->q);
			return (KORE_RESULT_OK);
		default:
			abort();
		}
	}
}

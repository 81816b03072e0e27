/*
 * PATCH /api/v1/comments/ID {"body"} and DELETE /api/v1/comments/ID: the
 * author (Bearer session, or a guest's X-Edit-Token) within the edit
 * window, or a moderator at any time. A deleted comment with replies
 * stays in the thread as a placeholder.
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
#include "parley.h"
#include "store.h"
#include "thread.h"
#include "timefmt.h"
#include "token.h"

int	handler_comment(struct http_request *);

enum { ONE_AUTH, ONE_FETCH, ONE_CHANGE };

struct one_state {
	int			 phase;
	struct auth		 auth;
	struct db_query		 q;
	struct store_numbers	 nums;
	int64_t			 id;
	json_t			*json;
	const char		*body;
	size_t			 body_len;
	struct buf		 html;
	struct comment		 c;	/* what PATCH answers with */
	char			*strings[4];	/* owned copies for c */
};

static void
one_state_free(struct http_request *req)
{
	struct one_state	*s = http_state_get(req);
	size_t			 i;

	auth_cleanup(&s->auth);
	db_done(&s->q);
	buf_free(&s->html);
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

/* Decides from the stored comment; 1 to change it, 0 after answering. */
static int
may_change(struct http_request *req, struct one_state *s)
{
	struct edit_request	 er;
	const char		*tok, *status;

	status = db_rows(&s->q) == 1 ? db_text(&s->q, 0, 3) : NULL;
	if (status == NULL ||
	    (strcmp(status, "approved") != 0 && strcmp(status, "pending") != 0)) {
		api_error(req, 404, "not_found", "There is no such comment.",
		    NULL);
		return (0);
	}
	memset(&er, 0, sizeof(er));
	er.actor_id = s->auth.valid ? s->auth.user_id : 0;
	er.actor_is_moderator = auth_is_moderator(&s->auth);
	er.edit_token_presented = http_request_header(req, "x-edit-token",
	    &tok);
	er.edit_token_matches = er.edit_token_presented &&
	    db_text(&s->q, 0, 1) != NULL &&
	    token_matches(tok, db_text(&s->q, 0, 1));
	er.author_id = db_int(&s->q, 0, 0);
	er.created_us = db_int(&s->q, 0, 2);
	er.now_us = timefmt_now_us();
	er.window_seconds = db_int(&s->q, 0, 12);

	switch (edit_policy_decide(&er)) {
	case EDIT_ALLOWED:
		break;
	case EDIT_NO_CREDENTIALS:
		api_error(req, 401, "not_logged_in",
		    "Log in, or use the edit token of your comment.", NULL);
		return (0);
	case EDIT_NOT_YOURS:
		api_error(req, 403, "forbidden",
		    "You may only change your own comments.", NULL);
		return (0);
	case EDIT_WINDOW_CLOSED:
		api_error(req, 403, "edit_window_closed",
		    "The time to change this comment is over.", NULL);
		return (0);
	}

	/* What the PATCH answer shows, taken before the result goes. */
	memset(&s->c, 0, sizeof(s->c));
	s->c.id = s->id;
	s->c.parent_id = db_int(&s->q, 0, 9);
	(void)comment_status_parse(status, &s->c.status);
	keep(s, 0, &s->c.author_name, db_text(&s->q, 0, 4));
	keep(s, 1, &s->c.author_url, db_text(&s->q, 0, 5));
	keep(s, 2, &s->c.created_at, db_text(&s->q, 0, 6));
	keep(s, 3, &s->c.author_role, db_text(&s->q, 0, 10));
	s->c.score = db_int(&s->q, 0, 8);
	store_avatar(&s->c, db_text(&s->q, 0, 11));
	s->c.own = 1;
	return (1);
}

static void
start_change(struct http_request *req, struct one_state *s)
{
	if (req->method == HTTP_METHOD_DELETE)
		store_comment_delete_query(&s->q, &s->nums, s->id);
	else
		store_comment_edit_query(&s->q, &s->nums, s->id, s->body,
		    s->body_len, s->html.data);
}

static void
send_changed(struct http_request *req, struct one_state *s)
{
	struct buf	b;

	if (db_rows(&s->q) != 1) {
		api_error(req, 404, "not_found", "There is no such comment.",
		    NULL);
		return;
	}
	/* Other workers hear of it from PostgreSQL; this one knows now. */
	cache_clear();
	if (req->method == HTTP_METHOD_DELETE) {
		api_common_headers(req);
		http_response(req, 204, NULL, 0);
		return;
	}
	s->c.edited_at = db_text(&s->q, 0, 0);
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
	struct one_state	*s;
	struct apierr		 e;
	int			 r;

	if (req->method != HTTP_METHOD_PATCH &&
	    req->method != HTTP_METHOD_DELETE) {
		api_method_not_allowed(req, "PATCH, DELETE");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), one_state_free);
		if ((s->id = api_path_id(req->path, "/api/v1/comments/")) == 0) {
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
	switch (s->phase) {
	case ONE_AUTH:
		if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		store_comment_get_query(&s->q, &s->nums, s->id);
		s->phase = ONE_FETCH;
		/* FALLTHROUGH */
	case ONE_FETCH:
		if ((r = api_query_ready(req, &s->q)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		r = may_change(req, s);
		db_done(&s->q);
		if (!r)
			return (KORE_RESULT_OK);
		start_change(req, s);
		s->phase = ONE_CHANGE;
		/* FALLTHROUGH */
	case ONE_CHANGE:
		if ((r = api_query_ready(req, &s->q)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		send_changed(req, s);
		db_done(&s->q);
		return (KORE_RESULT_OK);
	default:
		abort();
	}
}

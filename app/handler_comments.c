/*
 * GET /api/v1/comments: a post's thread, paged by top-level comment.
 * POST /api/v1/comments: a new comment, from a guest or an account,
 * through the moderation pipeline (moderation.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "listen.h"
#include "comment_input.h"
#include "edit_policy.h"
#include "escape.h"
#include "markdown.h"
#include "hook_sign.h"
#include "keys.h"
#include "moderation.h"
#include "parley.h"
#include "query.h"
#include "sites.h"
#include "store.h"
#include "timefmt.h"
#include "token.h"
#include "metrics.h"
#include "verdict.h"
#include "verdict_body.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX     200
/* Replies per comment and level in a page; the rest through
 * GET /api/v1/comments/ID/replies. */
#define REPLIES_PER 50

int handler_comments(struct http_request *);
int handler_replies(struct http_request *);

struct list_state {
	struct auth          auth;
	int                  querying;
	struct db_query      q;
	struct store_numbers nums;
	char                *key;
	enum thread_sort     sort;
	size_t               limit;
	int                  has_after;
	struct cursor        after;
	struct api_fill      fill; /* anonymous callers only */
};

struct create_state {
	struct auth            auth;
	int                    phase;
	const struct settings *settings; /* the worker's cache */
	struct verdict_call    vcall; /* stage 10 */
	struct mod_verdict     verdict;
	struct db_query        q;
	json_t                *json;
	struct comment_input   in;
	struct buf             html;
	struct store_numbers   nums;
	char                   ip[API_IP_MAX];
	const char            *status; /* stored */
	char                   edit_token[TOKEN_TEXT_LEN + 1];
	char                   edit_token_hash[TOKEN_HASH_SQL_LEN];
	uint64_t               ticket; /* its announcement; 0: none */
	struct listen_waiter   waiter;
};

static void
list_state_free(struct http_request *req)
{
	struct list_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
	free(s->key);
	s->key = NULL;
	api_fill_free(&s->fill);
}

static void
create_state_free(struct http_request *req)
{
	struct create_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
	comment_input_free(&s->in);
	buf_free(&s->html);
	if (s->json != NULL) {
		json_decref(s->json);
		s->json = NULL;
	}
	sodium_memzero(s->edit_token, sizeof(s->edit_token));
	verdict_call_cleanup(&s->vcall);
	listen_unwait(&s->waiter);
}

/* Parses post, sort, limit and after. Fills e and returns -1 when bad. */
/* ?limit= of a page (1..LIMIT_MAX, LIMIT_DEFAULT when absent): 0, or -1
 * with e filled (a malformed query string included). */
static int
limit_param(struct http_request *req, size_t *limit, struct apierr *e)
{
	char *v, *ep;
	int   bad;
	long  n;

	*limit = LIMIT_DEFAULT;
	if ((v = query_get(api_query(req), "limit", &bad)) == NULL)
		return (bad ? apierr_set(e, 400, "malformed_query",
		                  "The query string is malformed.", NULL) :
		              0);
	errno = 0;
	n = strtol(v, &ep, 10);
	if (*v == '\0' || *ep != '\0' || errno != 0 || n < 1 || n > LIMIT_MAX) {
		free(v);
		return (apierr_set(e, 422, "invalid_value",
		    "limit must be a number from 1 to 200.", "limit"));
	}
	*limit = (size_t)n;
	free(v);
	return (0);
}

static int
list_params(struct http_request *req, struct list_state *s, struct apierr *e)
{
	char *v;
	int   bad;

	s->key = query_get(api_query(req), "post", &bad);
	if (bad)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (s->key == NULL || *s->key == '\0')
		return (apierr_set(e, 422, "required",
		    "Name the post: ?post=KEY.", "post"));
	if (!post_key_valid(s->key))
		return (apierr_set(e, 422, "invalid_value",
		    "The post key must be 1 to 256 bytes without control "
		    "characters.",
		    "post"));

	v = query_get(api_query(req), "sort", &bad);
	if (cursor_sort_parse(v, &s->sort) == -1) {
		free(v);
		return (apierr_set(e, 422, "invalid_value",
		    "sort must be oldest, newest or top.", "sort"));
	}
	free(v);

	if (limit_param(req, &s->limit, e) == -1)
		return (-1);

	if ((v = query_get(api_query(req), "after", &bad)) != NULL) {
		if (cursor_decode(v, s->sort, &s->after) == -1) {
			free(v);
			return (apierr_set(e, 422, "invalid_cursor",
			    "after is not a cursor from this thread and sort.",
			    "after"));
		}
		s->has_after = 1;
		free(v);
	}
	return (0);
}

static void
write_post(struct buf *b, const char *key, const struct post_info *p, int found)
{
	buf_puts(b, "{\"key\":");
	escape_json_cstr(b, key);
	buf_puts(b, ",\"title\":");
	escape_json_cstr(b, found ? p->title : NULL);
	/* Shown only while its site is allowed (sites.h). */
	buf_puts(b, ",\"url\":");
	escape_json_cstr(b, found && sites_url_shown(p->url) ? p->url : NULL);
	buf_printf(b, ",\"comment_count\":%lld,\"open\":%s}",
	    found ? (long long)p->comment_count : 0LL,
	    !found || p->open ? "true" : "false");
}

static void
list_respond(struct http_request *req, struct list_state *s)
{
	struct post_info   post;
	struct comment    *items;
	struct thread      t;
	struct thread_page pg;
	struct buf         b;
	size_t             n;
	int                found;
	char               next[CURSOR_MAX];

	memset(&post, 0, sizeof(post));
	found = store_thread_read(&s->q, &post, &items, &n);
	if (thread_build(&t, items, n, s->sort) == -1)
		fatal("thread_build: out of memory");
	/* The page came from SQL: its comments after the cursor, and one
	 * more when there is a next page. */
	thread_page(&t, NULL, s->limit, s->sort, &pg);

	buf_init(&b);
	buf_puts(&b, "{\"post\":");
	write_post(&b, s->key, &post, found);
	buf_puts(&b, ",\"comments\":");
	thread_write_json(&b, &t, &pg);
	buf_puts(&b, ",\"next\":");
	if (pg.has_next) {
		cursor_encode(&pg.next, next);
		escape_json_cstr(&b, next);
	} else
		buf_puts(&b, "null");
	/* Whether the widget offers "E-mail me replies". */
	buf_printf(&b, ",\"mail\":%s}", mail_enabled() ? "true" : "false");

	api_cache_fill(req, &s->fill, s->key, &b);
	buf_free(&b);
	thread_free(&t);
	free(items);
}

/*
 * Anonymous readers all get the same answer for the same request: it may
 * come from the worker's cache. Returns 1 after answering from it.
 */
static int
list_cached(struct http_request *req, struct list_state *s)
{
	const char *h;
	struct buf  k;

	if (http_request_header(req, "authorization", &h))
		return (0);
	buf_init(&k);
	buf_printf(&k, "t\x1f%s\x1f%d\x1f%zu\x1f%lld", s->key, (int)s->sort,
	    s->limit, s->has_after ? (long long)s->after.id : 0LL);
	if (s->has_after)
		buf_printf(&k, ".%lld.%lld", (long long)s->after.score,
		    (long long)s->after.created_us);
	return (api_cache_lookup(req, &k, &s->fill));
}

static int
comments_list(struct http_request *req)
{
	struct list_state *s;
	struct apierr      e;
	int                r;

	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), list_state_free);
		if (list_params(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		if (list_cached(req, s))
			return (KORE_RESULT_OK);
	}
	s = http_state_get(req);
	if (!s->querying) {
		if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		store_thread_page_query(&s->q, &s->nums, s->key,
		    s->auth.valid ? s->auth.user_id : 0, s->sort,
		    s->has_after ? &s->after : NULL, s->limit, REPLIES_PER);
		api_fill_route(&s->fill, &s->q, s->key);
		s->querying = 1;
	}
	if ((r = api_query_ready(req, &s->q)) == 0)
		return (KORE_RESULT_RETRY);
	if (r == 1) {
		list_respond(req, s);
		db_done(&s->q);
	}
	return (KORE_RESULT_OK);
}

/* Stage 1: the request itself. Renders the body and starts the facts
 * query the rest of the pipeline needs. */
static int
create_prepare(struct http_request *req, struct create_state *s,
    struct apierr *e)
{
	int guest = !s->auth.valid;

	if (api_read_json(req, &s->json, e) == -1)
		return (-1);
	if (comment_input_parse_as(s->json, guest, &s->in, e) == -1)
		return (-1);
	if (guest && s->in.notify && mail_enabled() &&
	    s->in.author_email == NULL)
		return (apierr_set(e, 422, "required",
		    "Give your e-mail address to get replies.",
		    "author_email"));
	/* The first commenter must not choose where the post links to
	 * (thread.html shows it on Parley's origin): allowed sites only. */
	if (!sites_url_allowed(s->in.post_url))
		s->in.post_url = "";
	buf_init(&s->html);
	if (markdown_render(&s->html, s->in.body, s->in.body_len) == -1)
		return (apierr_set(e, 422, "invalid_value",
		    "The comment could not be formatted.", "body"));
	api_client_ip(req, s->ip);
	if (!guest)
		s->in.author_email = s->auth.email;
	store_comment_facts_query(&s->q, &s->nums, s->in.post,
	    guest ? 0 : s->auth.user_id, s->in.author_email,
	    s->ip[0] ? s->ip : NULL, s->in.body, s->in.body_len,
	    guest ? s->in.author_name : s->auth.name);
	return (0);
}

/*
 * The verdict hook's request: the new comment as moderators would see
 * it. 1 when it was set up, 0 when the secret could not be opened (the
 * comment is then held, saying so).
 */
static int
verdict_start(struct create_state *s, const char *url, const char *sealed,
    const char *sealed_old)
{
	struct verdict_comment c;
	char                   now[RFC3339_LEN];

	timefmt_rfc3339(timefmt_now_us(), now);
	memset(&c, 0, sizeof(c));
	c.post = s->in.post;
	c.parent_id = s->in.parent_id;
	c.body = s->in.body;
	c.body_len = s->in.body_len;
	c.html = s->html.data;
	c.author_name = s->auth.valid ? s->auth.name : s->in.author_name;
	c.author_email = s->in.author_email;
	c.author_url = s->in.author_url;
	c.user_id = s->auth.valid ? s->auth.user_id : 0;
	c.ip = s->ip[0] ? s->ip : NULL;
	c.created_at = now;
	return (verdict_call_start(&s->vcall, url, sealed, sealed_old, &c,
	    s->settings->verdict_timeout_ms, &s->verdict));
}

/*
 * Stages 2-9 and 11 on the facts. Returns -1 after answering (a refusal,
 * or 503 when the facts did not come), 1 when the verdict hook must be
 * asked (stage 10), 0 when the comment can be stored.
 */
static int
create_judge(struct http_request *req, struct create_state *s)
{
	struct comment_facts_row row;
	struct mod_facts         f;
	int                      guest = !s->auth.valid, ask = 0;

	if (store_comment_facts_row(&s->q, &row) == -1) {
		api_db_unavailable(req);
		return (-1);
	}
	s->settings = settings_cached(row.settings);
	memset(&f, 0, sizeof(f));
	f.is_guest = guest;
	f.is_moderator = auth_is_moderator(&s->auth);
	f.post_open = row.post_open;
	f.ban_kind = row.ban_kind;
	f.ban_reason = row.ban_reason;
	f.rate_wait = (int)row.rate_wait;
	f.duplicate = row.duplicate;
	f.prior_approved = row.prior_approved;
	f.honeypot = s->in.honeypot;
	f.body = s->in.body;
	f.body_len = s->in.body_len;
	f.author_name = guest ? s->in.author_name : s->auth.name;
	f.author_email = s->in.author_email;
	f.author_url = s->in.author_url;
	f.ip = s->ip[0] ? s->ip : NULL;
	f.links = moderation_count_links(s->html.data);
	moderation_decide(s->settings, &f, &s->verdict);
	/* Stage 10 only judges what stages 2-9 would publish, and never a
	 * moderator's own comment. */
	if (s->verdict.outcome == MOD_APPROVE && !f.is_moderator &&
	    row.verdict_url != NULL)
		ask = verdict_start(s, row.verdict_url, row.verdict_secret,
		    row.verdict_old_secret);
	db_done(&s->q);

	if (s->verdict.outcome == MOD_REFUSE) {
		metrics_count(METRICS_COMMENTS_REFUSE, 1);
		api_error_for_code(req, API_OP_COMMENT_NEW, s->verdict.code,
		    s->verdict.retry_after);
		return (-1);
	}
	return (ask);
}

/* Starts the insert with the verdict reached. */
static void
create_store(struct create_state *s)
{
	struct comment_create cc;
	int                   guest = !s->auth.valid;

	s->status = s->verdict.outcome == MOD_APPROVE ? "approved" :
	    s->verdict.outcome == MOD_HOLD            ? "pending" :
	                                                "spam";
	/* A guest proves authorship of later edits with this token. */
	if (guest) {
		token_new(s->edit_token);
		(void)token_hash_sql(s->edit_token, s->edit_token_hash);
	}
	memset(&cc, 0, sizeof(cc));
	cc.in = &s->in;
	cc.html = s->html.data;
	cc.max_depth = s->settings->max_depth;
	cc.user_id = guest ? 0 : s->auth.user_id;
	cc.author_name = guest ? s->in.author_name : s->auth.name;
	cc.status = s->status;
	cc.ip = s->ip[0] ? s->ip : NULL;
	cc.edit_token_hash_sql = guest ? s->edit_token_hash : NULL;
	cc.verdict = mod_outcome_name(s->verdict.outcome);
	cc.reason = s->verdict.reason;
	cc.rate_limit = auth_is_moderator(&s->auth) ?
	    0 :
	    s->settings->rate_limit_per_minute;
	/* Spam subscribes nobody: a bot could use it to send mail. */
	cc.notify =
	    s->in.notify && mail_enabled() && s->verdict.outcome != MOD_SPAM;
	store_comment_create_query(&s->q, &s->nums, &cc);
}

/*
 * What "notify": true came to, as the 201 says it: "off" (no mail on this
 * Parley), else mail_subscribe's answer. Spam is answered like a held
 * comment whose address awaits confirmation, so a bot learns nothing.
 */
static const char *
create_mail_answer(struct create_state *s)
{
	const char *mail;

	if (!mail_enabled())
		return ("off");
	if (s->verdict.outcome == MOD_SPAM)
		return ("confirming");
	mail = store_comment_create_mail(&s->q);
	return (mail != NULL ? mail : "confirming");
}

static void
create_respond(struct http_request *req, struct create_state *s)
{
	struct comment c;
	const char    *err;
	struct buf     b;
	char           until[RFC3339_LEN];

	memset(&c, 0, sizeof(c));
	if ((err = store_comment_create_read(&s->q, &c)) != NULL) {
		/* Checked again as it is stored: rate_limited here lost a
		 * race with a concurrent comment. */
		metrics_count(METRICS_COMMENTS_REFUSE, 1);
		api_error_for_code(req, API_OP_COMMENT_NEW, err, 60);
		return;
	}
	metrics_count(s->verdict.outcome == MOD_APPROVE ?
	        METRICS_COMMENTS_APPROVE :
	        s->verdict.outcome == MOD_HOLD ? METRICS_COMMENTS_HOLD :
	                                         METRICS_COMMENTS_SPAM,
	    1);
	c.author_name = s->auth.valid ? s->auth.name : s->in.author_name;
	c.author_url = s->auth.valid ? NULL : s->in.author_url;
	c.author_role = s->auth.valid ? s->auth.role : "guest";
	c.html = s->html.data;
	/* Spam is answered exactly like a held comment: a bot learns
	 * nothing. */
	c.status = s->verdict.outcome == MOD_APPROVE ? STATUS_APPROVED :
	                                               STATUS_PENDING;
	c.own = 1;
	timefmt_rfc3339(edit_window_end(c.created_us,
	                    s->settings->edit_window_seconds),
	    until);

	buf_init(&b);
	buf_puts(&b, "{\"comment\":");
	comment_write_json(&b, &c);
	buf_puts(&b, ",\"edit_token\":");
	escape_json_cstr(&b, s->auth.valid ? NULL : s->edit_token);
	buf_puts(&b, ",\"edit_until\":");
	escape_json_cstr(&b, until);
	if (s->in.notify) {
		buf_puts(&b, ",\"mail\":");
		escape_json_cstr(&b, create_mail_answer(s));
	}
	buf_putc(&b, '}');
	api_written(req, s->ticket);
	api_send_json(req, 201, &b);
	sodium_memzero(b.data, b.len);
	buf_free(&b);
}

enum {
	CREATE_AUTH,
	CREATE_FACTS,
	CREATE_VERDICT,
	CREATE_STORE,
	CREATE_ANNOUNCE
};

/*
 * The comment is committed: this worker forgets the thread now, and the
 * others (and the hook deliverers) hear of it through PostgreSQL before
 * the author is answered, so their next read, anywhere, shows it.
 */
static void
create_announce(struct create_state *s)
{
	if (!store_comment_create_ok(&s->q))
		return;
	cache_invalidate(s->in.post);
	s->ticket =
	    listen_announce(s->in.post, store_comment_create_deliveries(&s->q));
}

static int
comments_create(struct http_request *req)
{
	struct create_state *s;
	struct apierr        e;
	int                  r;

	if (!http_state_exists(req))
		(void)http_state_create(req, sizeof(*s), create_state_free);
	s = http_state_get(req);
	switch (s->phase) {
	case CREATE_AUTH:
		if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		if (create_prepare(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		s->phase = CREATE_FACTS;
		/* FALLTHROUGH */
	case CREATE_FACTS:
		if ((r = api_query_ready(req, &s->q)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		if ((r = create_judge(req, s)) == -1)
			return (KORE_RESULT_OK);
		s->phase = r == 1 ? CREATE_VERDICT : CREATE_STORE;
		if (r == 0)
			create_store(s);
		return (comments_create(req));
	case CREATE_VERDICT:
		if (!verdict_call_run(req, &s->vcall))
			return (KORE_RESULT_RETRY);
		moderation_verdict_answer(&s->verdict, s->vcall.status,
		    s->vcall.answer, s->vcall.answer_len,
		    s->vcall.error[0] != '\0' ? s->vcall.error : NULL);
		create_store(s);
		s->phase = CREATE_STORE;
		/* FALLTHROUGH */
	case CREATE_STORE:
		if ((r = api_query_ready(req, &s->q)) == -1) {
			/* The commit may have happened before the failure. */
			listen_announce(s->in.post, 1);
			return (KORE_RESULT_OK);
		}
		if (r == 0)
			return (KORE_RESULT_RETRY);
		create_announce(s);
		s->phase = CREATE_ANNOUNCE;
		/* FALLTHROUGH */
	case CREATE_ANNOUNCE:
		if (s->ticket != 0 && !listen_wait(req, &s->waiter, s->ticket))
			return (KORE_RESULT_RETRY);
		create_respond(req, s);
		db_done(&s->q);
		return (KORE_RESULT_OK);
	default:
		abort();
	}
}

int
handler_comments(struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		return (comments_list(req));
	case HTTP_METHOD_POST:
		return (comments_create(req));
	default:
		api_method_not_allowed(req, "GET, HEAD, POST");
		return (KORE_RESULT_OK);
	}
}

/*
 * GET /api/v1/comments/ID/replies?after=CURSOR&limit=N: the replies of a
 * comment after those a page showed ("more_replies"), oldest first, each
 * with its own replies capped like a thread's. Cached for anonymous
 * readers like threads, and dropped with them when the post changes.
 */
struct replies_state {
	struct auth          auth;
	int                  querying;
	struct db_query      q;
	struct store_numbers nums;
	int64_t              id;
	size_t               limit;
	struct cursor        after; /* id 0: from the first */
	struct api_fill      fill;
};

static void
replies_state_free(struct http_request *req)
{
	struct replies_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
	api_fill_free(&s->fill);
}

static int
replies_params(struct http_request *req, struct replies_state *s,
    struct apierr *e)
{
	char *v;
	int   bad;

	if ((s->id = api_path_id(req->path, "/api/v1/comments/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such comment.", NULL));
	if (limit_param(req, &s->limit, e) == -1)
		return (-1);
	memset(&s->after, 0, sizeof(s->after));
	if ((v = query_get(api_query(req), "after", &bad)) != NULL) {
		if (cursor_decode(v, SORT_OLDEST, &s->after) == -1) {
			free(v);
			return (apierr_set(e, 422, "invalid_cursor",
			    "after is not a cursor from more_replies or next.",
			    "after"));
		}
		free(v);
	}
	if (bad)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	return (0);
}

static void
replies_respond(struct http_request *req, struct replies_state *s)
{
	struct post_info   post;
	struct comment    *items;
	struct thread      t;
	struct thread_page pg;
	struct cursor      cur;
	struct buf         b;
	struct apierr      e;
	size_t             n;
	char               next[CURSOR_MAX];

	memset(&post, 0, sizeof(post));
	if (!store_thread_read(&s->q, &post, &items, &n)) {
		apierr_set(&e, 404, "not_found", "There is no such comment.",
		    NULL);
		api_error_from(req, &e);
		return;
	}
	if (thread_build_under(&t, items, n, SORT_OLDEST, s->id) == -1)
		fatal("thread_build: out of memory");
	thread_page(&t, NULL, s->limit, SORT_OLDEST, &pg);

	buf_init(&b);
	buf_puts(&b, "{\"replies\":");
	thread_write_json(&b, &t, &pg);
	buf_puts(&b, ",\"next\":");
	if (pg.has_next && pg.count > 0) {
		reply_cursor(t.top[pg.first + pg.count - 1], &cur);
		cursor_encode(&cur, next);
		escape_json_cstr(&b, next);
	} else
		buf_puts(&b, "null");
	buf_putc(&b, '}');

	api_cache_fill(req, &s->fill, store_page_key(&s->q), &b);
	buf_free(&b);
	thread_free(&t);
	free(items);
}

int
handler_replies(struct http_request *req)
{
	struct replies_state *s;
	struct apierr         e;
	struct buf            k;
	const char           *h;
	int                   r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), replies_state_free);
		if (replies_params(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		if (!http_request_header(req, "authorization", &h)) {
			buf_init(&k);
			buf_printf(&k, "r\x1f%lld\x1f%zu\x1f%lld",
			    (long long)s->id, s->limit, (long long)s->after.id);
			if (api_cache_lookup(req, &k, &s->fill))
				return (KORE_RESULT_OK);
		}
	}
	s = http_state_get(req);
	if (!s->querying) {
		if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		store_replies_query(&s->q, &s->nums, s->id,
		    s->auth.valid ? s->auth.user_id : 0, s->after.id, s->limit,
		    REPLIES_PER);
		/* Whose post it is comes with the answer. */
		api_fill_route(&s->fill, &s->q, NULL);
		s->querying = 1;
	}
	if ((r = api_query_ready(req, &s->q)) == 0)
		return (KORE_RESULT_RETRY);
	if (r == 1) {
		replies_respond(req, s);
		db_done(&s->q);
	}
	return (KORE_RESULT_OK);
}

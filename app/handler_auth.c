/*
 * Accounts: POST /api/v1/auth/register, /login, /logout, /password,
 * GET /api/v1/auth/me and DELETE /api/v1/me (an account's erasure). Password work runs in a bounded pool of threads
 * (pwtask.h): a full one answers 503 before anything is counted. Failed
 * logins and registrations are throttled per client net (an IPv4
 * address or an IPv6 /64) in storage (register_attempt, login_lookup);
 * sessions are random tokens of which only hashes are stored.
 */
#include <string.h>

#include "account_input.h"
#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "escape.h"
#include "netaddr.h"
#include "parley.h"
#include "pwtask.h"
#include "store.h"
#include "store_privacy.h"
#include "token.h"

int handler_auth_register(struct http_request *);
int handler_auth_login(struct http_request *);
int handler_auth_logout(struct http_request *);
int handler_auth_me(struct http_request *);
int handler_auth_password(struct http_request *);
int handler_me(struct http_request *);

/* One state for all account requests; each uses what it needs. */
struct account_state {
	int                  phase;
	struct auth          auth;
	struct db_query      q;
	struct store_numbers nums;
	json_t              *json;
	struct account_input in;
	struct pwtask        pw;
	char                 token[TOKEN_TEXT_LEN + 1];
	char                 token_hash[TOKEN_HASH_SQL_LEN];
	char                 net[NETADDR_TEXT_MAX]; /* the client's */
	int64_t              user_id;
};

static void
account_state_free(struct http_request *req)
{
	struct account_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
	pwtask_cleanup(&s->pw);
	account_input_free(&s->in);
	if (s->json != NULL) {
		json_decref(s->json);
		s->json = NULL;
	}
	sodium_memzero(s->token, sizeof(s->token));
}

static struct account_state *
account_state(struct http_request *req)
{
	if (!http_state_exists(req))
		return (http_state_create(req, sizeof(struct account_state),
		    account_state_free));
	return (http_state_get(req));
}

/* {"token": ..., "user": {...}} for the account of the new session. */
static void
send_session(struct http_request *req, struct account_state *s, int status,
    const struct user_row *u)
{
	struct buf b;

	/* Reuse auth's writer: it holds exactly the fields we send. */
	s->auth.valid = 1;
	s->auth.user_id = u->id;
	(void)kore_strlcpy(s->auth.name, u->name, sizeof(s->auth.name));
	(void)kore_strlcpy(s->auth.email, u->email, sizeof(s->auth.email));
	(void)kore_strlcpy(s->auth.role, u->role, sizeof(s->auth.role));

	buf_init(&b);
	buf_puts(&b, "{\"token\":");
	escape_json_cstr(&b, s->token);
	buf_puts(&b, ",\"user\":");
	auth_write_user(&b, &s->auth);
	buf_putc(&b, '}');
	api_send_json(req, status, &b);
	sodium_memzero(b.data, b.len);
	buf_free(&b);
}

static void
new_session_token(struct account_state *s)
{
	token_new(s->token);
	if (token_hash_sql(s->token, s->token_hash) == -1)
		fatal("token_hash_sql refused a fresh token");
}

static int
require_post(struct http_request *req)
{
	if (req->method == HTTP_METHOD_POST)
		return (0);
	api_method_not_allowed(req, "POST");
	return (-1);
}

/* What the throttles count the client as: its address, or its /64. */
static void
client_net(struct http_request *req, struct account_state *s)
{
	char ip[API_IP_MAX];

	api_client_ip(req, ip);
	if (netaddr_limit_key(ip, s->net) == -1)
		s->net[0] = '\0';
}

static void
send_retry_after(struct http_request *req, int64_t seconds)
{
	char v[24];

	(void)snprintf(v, sizeof(v), "%lld",
	    (long long)(seconds > 0 ? seconds : 1));
	http_response_header(req, "retry-after", v);
}

/* The password work cannot be done now: the queue is full, or argon2id
 * found no memory. */
static void
send_busy(struct http_request *req)
{
	http_response_header(req, "retry-after", PWTASK_RETRY_AFTER);
	api_error(req, 503, "busy",
	    "The server is too busy; try again shortly.", NULL);
}

/*
 * Takes a place in the worker's queue of password work, before anything
 * is counted or stored. Raises HTTP 503 (with Retry-After) when the
 * queue is full. 0 to go on, -1 after answering.
 */
static int
reserve_password_work(struct http_request *req, struct account_state *s)
{
	if (pwtask_reserve(&s->pw) == 0)
		return (0);
	send_busy(req);
	return (-1);
}

/* A place in the queue of password work, then the client's net for the
 * throttles. 0 to go on, -1 after answering. */
static int
account_reserve(struct http_request *req, struct account_state *s)
{
	if (reserve_password_work(req, s) == -1)
		return (-1);
	client_net(req, s);
	return (0);
}

/*
 * The first steps of a request that does password work: its body, read
 * with parse; a place in the queue for that work; the client's net for
 * the throttles. In this order, so that a refused body or a full queue
 * counts nothing. 0 to go on, -1 after answering.
 */
static int
account_begin(struct http_request *req, struct account_state *s,
    int (*parse)(json_t *, struct account_input *, struct apierr *))
{
	struct apierr e;

	if (api_read_json(req, &s->json, &e) == -1 ||
	    parse(s->json, &s->in, &e) == -1) {
		api_error_from(req, &e);
		return (-1);
	}
	return (account_reserve(req, s));
}

enum { REG_PARSE, REG_THROTTLE, REG_HASH, REG_STORE };

/* After the registration throttle: 1 to go on, 0 after answering 429. */
static int
register_allowed(struct http_request *req, struct account_state *s)
{
	int64_t retry = store_register_attempt_wait(&s->q);

	db_done(&s->q);
	if (retry <= 0)
		return (1);
	send_retry_after(req, retry);
	api_error(req, 429, "too_many_attempts",
	    "Too many accounts were registered from your address lately; "
	    "wait a while before trying again.",
	    NULL);
	return (0);
}

int
handler_auth_register(struct http_request *req)
{
	struct account_state *s;
	struct user_row       u;
	const char           *err;
	int                   r;

	if (require_post(req) == -1)
		return (KORE_RESULT_OK);
	s = account_state(req);
	switch (s->phase) {
	case REG_PARSE:
		if (account_begin(req, s, account_register_parse) == -1)
			return (KORE_RESULT_OK);
		store_register_attempt_query(&s->q, s->net);
		s->phase = REG_THROTTLE;
		/* FALLTHROUGH */
	case REG_THROTTLE:
		if ((r = api_query_ready(req, &s->q)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1 || !register_allowed(req, s))
			return (KORE_RESULT_OK);
		pwtask_init(&s->pw, PWTASK_HASH, s->in.password,
		    s->in.password_len, NULL);
		s->phase = REG_HASH;
		/* FALLTHROUGH */
	case REG_HASH:
		if (!pwtask_run(req, &s->pw))
			return (KORE_RESULT_RETRY);
		if (!s->pw.ok) {
			send_busy(req);
			return (KORE_RESULT_OK);
		}
		new_session_token(s);
		store_user_register_query(&s->q, &s->nums, s->in.email,
		    s->in.name, s->pw.hash, s->token_hash,
		    parley_config.session_ttl_seconds, s->net);
		s->phase = REG_STORE;
		/* FALLTHROUGH */
	case REG_STORE:
		if ((r = api_query_ready(req, &s->q)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1)
			return (KORE_RESULT_OK);
		if ((err = store_user_register_row(&s->q, &u)) != NULL)
			api_error_for_code(req, API_OP_REGISTER, err, 0);
		else
			send_session(req, s, 201, &u);
		db_done(&s->q);
		return (KORE_RESULT_OK);
	default:
		abort();
	}
}

enum { LOGIN_PARSE, LOGIN_LOOKUP, LOGIN_VERIFY, LOGIN_OPEN };

static void
send_bad_credentials(struct http_request *req)
{
	/* The same answer for an unknown e-mail and a wrong password. */
	api_error(req, 401, "invalid_credentials",
	    "That e-mail and password do not match an account.", NULL);
}

static void
send_throttled(struct http_request *req, int64_t seconds)
{
	send_retry_after(req, seconds);
	api_error(req, 429, "too_many_attempts",
	    "Too many failed logins; wait a while before trying again.", NULL);
}

/* After the lookup: the stored hash, or the dummy one for an unknown
 * e-mail so both cases do the same work. 1 to go on, 0 after answering. */
static int
login_checked(struct http_request *req, struct account_state *s)
{
	struct login_row row;
	const char      *hash;
	char             dummy[PASSWORD_HASH_MAX];

	/* No answer reads as an unknown e-mail: zeroes. */
	(void)store_login_row(&s->q, &row);
	if (row.retry_after > 0) {
		send_throttled(req, row.retry_after);
		db_done(&s->q);
		return (0);
	}
	s->user_id = row.user_id;
	hash = row.password_hash;
	if (hash == NULL) {
		if (password_dummy_hash(dummy) == -1)
			fatal("password_dummy_hash failed");
		hash = dummy;
	}
	pwtask_init(&s->pw, PWTASK_VERIFY, s->in.password, s->in.password_len,
	    hash);
	db_done(&s->q);
	return (1);
}

int
handler_auth_login(struct http_request *req)
{
	struct account_state *s;
	struct user_row       u;
	int                   r;

	if (require_post(req) == -1)
		return (KORE_RESULT_OK);
	s = account_state(req);
	switch (s->phase) {
	case LOGIN_PARSE:
		if (account_begin(req, s, account_login_parse) == -1)
			return (KORE_RESULT_OK);
		store_login_lookup_query(&s->q, s->in.email, s->net, 1);
		s->phase = LOGIN_LOOKUP;
		/* FALLTHROUGH */
	case LOGIN_LOOKUP:
		if ((r = api_query_ready(req, &s->q)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1 || !login_checked(req, s))
			return (KORE_RESULT_OK);
		s->phase = LOGIN_VERIFY;
		/* FALLTHROUGH */
	case LOGIN_VERIFY:
		if (!pwtask_run(req, &s->pw))
			return (KORE_RESULT_RETRY);
		/* The lookup already counted this attempt as failed. */
		if (!s->pw.ok || s->user_id == 0) {
			send_bad_credentials(req);
			return (KORE_RESULT_OK);
		}
		new_session_token(s);
		store_session_create_query(&s->q, &s->nums, s->user_id,
		    s->token_hash, parley_config.session_ttl_seconds,
		    s->pw.rehashed ? s->pw.new_hash : NULL, s->net);
		s->phase = LOGIN_OPEN;
		/* FALLTHROUGH */
	case LOGIN_OPEN:
		if ((r = api_query_ready(req, &s->q)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == 1) {
			if (store_session_user_row(&s->q, &u) == 0)
				send_session(req, s, 200, &u);
			else
				api_db_unavailable(req);
			db_done(&s->q);
		}
		return (KORE_RESULT_OK);
	default:
		abort();
	}
}

int
handler_auth_me(struct http_request *req)
{
	struct account_state *s;
	struct buf            b;
	int                   r;

	if (req->method != HTTP_METHOD_GET) {
		api_method_not_allowed(req, "GET");
		return (KORE_RESULT_OK);
	}
	s = account_state(req);
	if ((r = auth_resolve(req, &s->auth, AUTH_REQUIRED)) == 0)
		return (KORE_RESULT_RETRY);
	if (r == 1) {
		buf_init(&b);
		buf_puts(&b, "{\"user\":");
		auth_write_user(&b, &s->auth);
		buf_putc(&b, '}');
		api_send_json(req, 200, &b);
		buf_free(&b);
	}
	return (KORE_RESULT_OK);
}

int
handler_auth_logout(struct http_request *req)
{
	struct account_state *s;
	int                   r;

	if (require_post(req) == -1)
		return (KORE_RESULT_OK);
	s = account_state(req);
	if (s->phase == 0) {
		if ((r = auth_resolve(req, &s->auth, AUTH_REQUIRED)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1)
			return (KORE_RESULT_OK);
		store_session_delete_query(&s->q, s->auth.token_hash);
		s->phase = 1;
	}
	if ((r = api_query_ready(req, &s->q)) == 0)
		return (KORE_RESULT_RETRY);
	if (r == 1) {
		api_common_headers(req);
		api_respond(req, 204, NULL, 0);
		db_done(&s->q);
	}
	return (KORE_RESULT_OK);
}

/*
 * The lookup of the caller's own account before its password is checked
 * again (a change, an erasure): throttled like logins from this net.
 * 1 with row filled (its strings in s->q's result: db_done after use), 0
 * to come back, -1 after answering.
 */
static int
own_password_row(struct http_request *req, struct account_state *s,
    struct login_row *row)
{
	int r;

	if ((r = api_query_ready(req, &s->q)) == 0)
		return (0);
	if (r == -1)
		return (-1);
	(void)store_login_row(&s->q, row);
	if (row->retry_after > 0 || row->password_hash == NULL) {
		if (row->retry_after > 0)
			send_throttled(req, row->retry_after);
		else
			api_error(req, 401, "not_logged_in", "Log in again.",
			    NULL);
		db_done(&s->q);
		return (-1);
	}
	return (1);
}

enum { PW_AUTH, PW_GET, PW_CHANGE, PW_STORE };

int
handler_auth_password(struct http_request *req)
{
	struct account_state *s;
	struct login_row      row;
	int                   r;

	if (require_post(req) == -1)
		return (KORE_RESULT_OK);
	s = account_state(req);
	switch (s->phase) {
	case PW_AUTH:
		if ((r = auth_resolve(req, &s->auth, AUTH_REQUIRED)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1)
			return (KORE_RESULT_OK);
		if (account_begin(req, s, account_password_parse) == -1)
			return (KORE_RESULT_OK);
		/*
		 * Guessing the current password with a stolen session is
		 * throttled like logging in from the same address: the same
		 * lookup counts it. The account's own ceiling is for guessers
		 * without a session; it does not stop the owner's change.
		 */
		store_login_lookup_query(&s->q, s->auth.email, s->net, 0);
		s->phase = PW_GET;
		/* FALLTHROUGH */
	case PW_GET:
		if ((r = own_password_row(req, s, &row)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1)
			return (KORE_RESULT_OK);
		/* Both passwords in one piece of work: one place, one wait. */
		pwtask_init(&s->pw, PWTASK_CHANGE, s->in.password,
		    s->in.password_len, row.password_hash);
		pwtask_init_new(&s->pw, s->in.new_password,
		    s->in.new_password_len);
		db_done(&s->q);
		s->phase = PW_CHANGE;
		/* FALLTHROUGH */
	case PW_CHANGE:
		if (!pwtask_run(req, &s->pw))
			return (KORE_RESULT_RETRY);
		if (!s->pw.ok) {
			api_error(req, 403, "wrong_password",
			    "The current password is not right.",
			    "current_password");
			return (KORE_RESULT_OK);
		}
		if (!s->pw.rehashed) {
			send_busy(req);
			return (KORE_RESULT_OK);
		}
		store_password_set_query(&s->q, &s->nums, s->auth.user_id,
		    s->pw.new_hash, s->auth.token_hash, s->net);
		s->phase = PW_STORE;
		/* FALLTHROUGH */
	case PW_STORE:
		if ((r = api_query_ready(req, &s->q)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == 1) {
			api_common_headers(req);
			api_respond(req, 204, NULL, 0);
			db_done(&s->q);
		}
		return (KORE_RESULT_OK);
	default:
		abort();
	}
}

enum { ERASE_AUTH, ERASE_GET, ERASE_VERIFY, ERASE_STORE };

/*
 * DELETE /api/v1/me with X-Parley-Password: a member erases their account
 * and what it posted (privacy_erase in sql/functions/privacy.sql says what
 * goes). The password is asked again, so a session left open on a shared
 * computer erases no one. It travels percent-encoded in a header, since
 * Kore 4.1 reads no body on a DELETE. It is checked off the event loop and
 * throttled like a password change. Moderators and admins are made
 * readers first (409 staff_account), so a site never loses its last admin
 * this way.
 */
int
handler_me(struct http_request *req)
{
	struct account_state      *s;
	struct login_row           row;
	struct privacy_outcome_row out;
	struct apierr              e;
	struct buf                 b;
	const char                *pw;
	int                        r;

	if (req->method != HTTP_METHOD_DELETE) {
		api_method_not_allowed(req, "DELETE");
		return (KORE_RESULT_OK);
	}
	s = account_state(req);
	switch (s->phase) {
	case ERASE_AUTH:
		if ((r = auth_resolve(req, &s->auth, AUTH_REQUIRED)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1)
			return (KORE_RESULT_OK);
		if (!http_request_header(req, "x-parley-password", &pw))
			pw = NULL;
		if (account_erase_parse(pw, &s->in, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		if (account_reserve(req, s) == -1)
			return (KORE_RESULT_OK);
		store_login_lookup_query(&s->q, s->auth.email, s->net, 0);
		s->phase = ERASE_GET;
		/* FALLTHROUGH */
	case ERASE_GET:
		if ((r = own_password_row(req, s, &row)) == 0)
			return (KORE_RESULT_RETRY);
		if (r == -1)
			return (KORE_RESULT_OK);
		pwtask_init(&s->pw, PWTASK_VERIFY, s->in.password,
		    s->in.password_len, row.password_hash);
		db_done(&s->q);
		s->phase = ERASE_VERIFY;
		/* FALLTHROUGH */
	case ERASE_VERIFY:
		if (!pwtask_run(req, &s->pw))
			return (KORE_RESULT_RETRY);
		if (!s->pw.ok) {
			api_error(req, 403, "wrong_password",
			    "The password is not right.", "password");
			return (KORE_RESULT_OK);
		}
		store_privacy_erase_self_query(&s->q, &s->nums,
		    s->auth.user_id);
		s->phase = ERASE_STORE;
		/* FALLTHROUGH */
	case ERASE_STORE:
		if ((r = api_query_ready(req, &s->q)) == 0)
			return (KORE_RESULT_RETRY);
		if (r != 1)
			return (KORE_RESULT_OK);
		if (store_privacy_outcome_row(&s->q, &out) == -1)
			api_db_unavailable(req);
		else if (strcmp(out.status, "ok") != 0)
			api_error_for_code(req, API_OP_ERASE_SELF, out.status,
			    0);
		else {
			buf_init(&b);
			buf_puts(&b, "{\"erased\":");
			buf_puts(&b, out.result);
			buf_putc(&b, '}');
			api_send_json(req, 200, &b);
			buf_free(&b);
		}
		db_done(&s->q);
		return (KORE_RESULT_OK);
	default:
		abort();
	}
}

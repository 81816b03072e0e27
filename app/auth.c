#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "sites.h"
#include "escape.h"
#include "parley.h"

/* The token from "Authorization: Bearer TOKEN"; NULL if none came. */
static const char *
bearer_token(struct http_request *req, int *presented)
{
	const char *h;

	*presented = 0;
	if (!http_request_header(req, "authorization", &h))
		return (NULL);
	*presented = 1;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return (NULL);
	return (h + 7);
}

static void
copy_user(struct auth *a, const struct user_row *u)
{
	a->user_id = u->id;
	(void)kore_strlcpy(a->name, u->name, sizeof(a->name));
	(void)kore_strlcpy(a->email, u->email, sizeof(a->email));
	(void)kore_strlcpy(a->role, u->role, sizeof(a->role));
}

enum auth_status
auth_run(struct http_request *req, struct auth *a)
{
	const char     *token;
	struct user_row u;

	if (a->finished)
		return (AUTH_DONE);
	if (!a->started) {
		a->started = 1;
		token = bearer_token(req, &a->presented);
		if (token == NULL ||
		    token_hash_sql(token, a->token_hash) == -1) {
			a->finished = 1;
			return (AUTH_DONE);
		}
		/* Staff tokens in a blog's localStorage live briefly. */
		store_session_user_query(&a->q, &a->nums, a->token_hash,
		    parley_config.session_ttl_seconds,
		    sites_request_from_blog(req) ? AUTH_STAFF_WIDGET_SECONDS :
		                                   0);
	}
	switch (db_run(req, &a->q)) {
	case DB_PENDING:
		return (AUTH_PENDING);
	case DB_FAILED:
		return (AUTH_FAILED);
	case DB_READY:
		break;
	}
	if (store_session_user_row(&a->q, &u) == 0) {
		a->valid = 1;
		copy_user(a, &u);
	}
	db_done(&a->q);
	a->finished = 1;
	return (AUTH_DONE);
}

void
auth_cleanup(struct auth *a)
{
	db_done(&a->q);
	sodium_memzero(a->token_hash, sizeof(a->token_hash));
}

int
auth_is_moderator(const struct auth *a)
{
	return (a->valid &&
	    (strcmp(a->role, "moderator") == 0 ||
	        strcmp(a->role, "admin") == 0));
}

int
auth_is_admin(const struct auth *a)
{
	return (a->valid && strcmp(a->role, "admin") == 0);
}

int
auth_require(struct http_request *req, const struct auth *a)
{
	if (a->valid)
		return (0);
	http_response_header(req, "www-authenticate", "Bearer");
	if (a->presented)
		api_error(req, 401, "invalid_token",
		    "Your session has ended; please log in again.", NULL);
	else
		api_error(req, 401, "not_logged_in", "Please log in first.",
		    NULL);
	return (-1);
}

void
auth_write_user(struct buf *b, const struct auth *a)
{
	buf_printf(b, "{\"id\":%lld,\"name\":", (long long)a->user_id);
	escape_json_cstr(b, a->name);
	buf_puts(b, ",\"email\":");
	escape_json_cstr(b, a->email);
	buf_puts(b, ",\"role\":");
	escape_json_cstr(b, a->role);
	buf_putc(b, '}');
}

int
auth_resolve(struct http_request *req, struct auth *a, int required)
{
	switch (auth_run(req, a)) {
	case AUTH_PENDING:
		return (0);
	case AUTH_FAILED:
		api_db_unavailable(req);
		return (-1);
	case AUTH_DONE:
		break;
	}
	if (a->valid)
		return (1);
	if (required || a->presented)
		return (auth_require(req, a));
	return (1);
}

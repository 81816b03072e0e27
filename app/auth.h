/*
 * Who is calling: the Bearer session token of a request, resolved to an
 * account through storage. Handlers run it as their first stage.
 */
#ifndef PARLEY_AUTH_H
#define PARLEY_AUTH_H

#include "db.h"
#include "store.h"
#include "token.h"

enum auth_status {
	AUTH_PENDING, /* return KORE_RESULT_RETRY */
	AUTH_DONE, /* see presented / valid */
	AUTH_FAILED, /* database unavailable: answer 503 */
};

struct auth {
	struct db_query      q;
	struct store_numbers nums;
	int                  started;
	int                  finished;
	int                  presented; /* an Authorization header came */
	int                  valid; /* it names a live session */
	char                 token_hash[TOKEN_HASH_SQL_LEN];
	int64_t              user_id;
	char                 name[4 * 80 + 1];
	char                 email[255];
	char                 role[16];
};

enum auth_status auth_run(struct http_request *, struct auth *);
void             auth_cleanup(struct auth *);
int              auth_is_moderator(const struct auth *);
int              auth_is_admin(const struct auth *);
/* Answers 401 when the caller is not logged in (or the token is dead). */
int auth_require(struct http_request *, const struct auth *);
/*
 * How long a moderator's or admin's session serves requests from a blog's
 * pages (the widget), where the blog's other scripts could read it; the
 * admin page, on Parley's own origin, keeps the usual lifetime.
 */
#define AUTH_STAFF_WIDGET_SECONDS (12 * 3600)

#define AUTH_OPTIONAL 0
#define AUTH_REQUIRED 1
/*
 * Runs the stage for a handler: 1 when the caller is resolved, 0 while
 * pending (return KORE_RESULT_RETRY), -1 after answering: 503 when the
 * database is away, 401 for a dead token, and 401 for no token at all when
 * login is required. A handler with optional login then treats the caller
 * as anonymous unless a->valid.
 */
int auth_resolve(struct http_request *, struct auth *, int);
/* Writes {"id","name","email","role"} of the caller's account. */
void auth_write_user(struct buf *, const struct auth *);

#endif

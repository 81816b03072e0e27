/*
 * Storage: the only place with SQL. Each store_*_query prepares a db_query
 * (parameterized, never formatted); each store_*_read turns its rows into
 * domain structs, borrowing strings from the result.
 */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include "comment_input.h"
#include "db.h"
#include "thread.h"

/* Parameters that are numbers need text buffers that outlive the query. */
struct store_numbers {
	char	v[8][24];
};

void	store_health_query(struct db_query *);

/* All comments of a post, with the post; viewer_id's own held comments
 * come in full (0: an anonymous reader). */
void	store_thread_query(struct db_query *, struct store_numbers *,
	    const char *key, int64_t viewer_id);
/* 1 if the post exists (post filled), 0 if not; *items is allocated
 * (free it) and its strings borrowed from q's result. */
int	store_thread_read(struct db_query *, struct post_info *,
	    struct comment **, size_t *);

/* The author is the account user_id (0: a guest, named by in). */
/* Sets c->avatar from an identity seed (NULL: none). */
void	store_avatar(struct comment *, const char *seed);

struct comment_create {
	const struct comment_input	*in;
	const char			*html;
	int				 max_depth;
	int64_t				 user_id;	/* 0: a guest */
	const char			*author_name;
	const char			*status;
	const char			*ip;
	const char			*edit_token_hash_sql;
	const char			*verdict;
	const char			*reason;
	int				 rate_limit;	/* 0: not checked */
};
void	store_comment_create_query(struct db_query *, struct store_numbers *,
	    const struct comment_create *);
/* NULL on success (c filled), else the error code the function returned. */
const char *store_comment_create_read(struct db_query *, struct comment *);
/* 1 if the comment was stored (no error code came back). */
int	store_comment_create_ok(struct db_query *);
/* Whether the new comment made hook deliveries nobody was woken for. */
int	store_comment_create_deliveries(struct db_query *);

/*
 * The announcement a worker sends on its LISTEN connection after a
 * commit (listen.c): $1 the post keys, '\n'-separated (NULL: every
 * post), $2 whether to wake the hook deliverers.
 */
extern const char store_sql_announce[];
/*
 * What the LISTEN connection runs once connected (listen.c): LISTEN on
 * both channels, committed, then one row holding the allowed_origins
 * setting as JSON text, read after the LISTEN so no change is missed.
 */
extern const char store_sql_listen[];

/* keys_json: a JSON array of post keys. Rows: key, count. */
void	store_counts_query(struct db_query *, const char *keys_json);

/* An account as storage returns it: id, name, email, role columns. */
struct store_user {
	int64_t		 id;
	const char	*name;
	const char	*email;
	const char	*role;
};

/* Rows: id, name, email, role of a live session's account (sliding).
 * staff_max_age > 0: a moderator's or admin's session older than that
 * (seconds since login) is not found (sql/021). */
void	store_session_user_query(struct db_query *, struct store_numbers *,
	    const char *token_hash_sql, int ttl_seconds, int staff_max_age);
/* Reads columns first..first+3 of row 0; 0 if there is no row. */
int	store_user_read(struct db_query *, int first, struct store_user *);

/*
 * Throttles count clients by net: the key netaddr_limit_key makes of the
 * client's address (an IPv6 /64, an IPv4 address). See sql/016.
 */
/* Row: err, id, name, email, role. The new account knows net. */
void	store_user_register_query(struct db_query *, struct store_numbers *,
	    const char *email, const char *name, const char *hash,
	    const char *token_hash_sql, int ttl_seconds, const char *net);
/* Row: retry_after; unless it is > 0 (refused), the registration counts
 * against net's throttle. */
void	store_register_attempt_query(struct db_query *, const char *net);
/* Row: id, password_hash, name, email, role, retry_after. Unless it is
 * throttled (retry_after > 0), the attempt counts as failed from here on:
 * a successful session_create or password_set takes it back. ceiling:
 * whether the account's own ceiling applies (not when the caller holds a
 * session of the account). */
void	store_login_lookup_query(struct db_query *, const char *email,
	    const char *net, int ceiling);
/* Row: id, name, email, role. new_hash may be NULL. Forgets net's failed
 * attempts for the account; net is known to the account from now on. */
void	store_session_create_query(struct db_query *, struct store_numbers *,
	    int64_t user_id, const char *token_hash_sql, int ttl_seconds,
	    const char *new_hash, const char *net);
void	store_session_delete_query(struct db_query *,
	    const char *token_hash_sql);
/* Forgets net's failed attempts for the account, as session_create. */
void	store_password_set_query(struct db_query *, struct store_numbers *,
	    int64_t user_id, const char *hash, const char *keep_token_hash_sql,
	    const char *net);

/* One comment as PATCH and DELETE /api/v1/comments/ID need it. */
void	store_comment_get_query(struct db_query *, struct store_numbers *,
	    int64_t id);
struct comment_stored_row {
	int64_t		 user_id;		/* 0: a guest's */
	const char	*edit_token_hash;	/* bytea text, NULL if none */
	int64_t		 created_us;
	const char	*status;
	const char	*author_name;
	const char	*author_url;
	const char	*created_at;		/* RFC 3339 */
	const char	*edited_at;
	int64_t		 score;
	int64_t		 parent_id;
	const char	*role;			/* the author's, or "guest" */
	const char	*avatar_seed;
	int64_t		 edit_window_seconds;	/* the setting */
	const char	*settings;		/* all settings as JSON text */
	const char	*post;			/* its post's key */
	const char	*author_email;
	const char	*ip;
	const char	*verdict_url;		/* NULL: no verdict hook */
	const char	*verdict_secret;	/* sealed, bytea text */
	const char	*verdict_old_secret;	/* during a rotation, or NULL */
};
/* Reads its answer: 0, or -1 when there is no such comment. Strings
 * live as long as the query's result. */
int	store_comment_stored_row(struct db_query *,
	    struct comment_stored_row *);
/* An edit or removal through the readers' endpoints (sql/019). */
struct comment_change {
	int64_t		 id;
	int64_t		 actor_id;	/* 0: a guest with an edit token */
	int		 as_moderator;	/* someone else's comment: audited */
	int		 remove;	/* DELETE; else an edit of body/html */
	const char	*body;
	size_t		 body_len;
	const char	*html;
	/* An author's edit judged again; NULL keeps what is stored. */
	const char	*status;
	const char	*verdict;
	const char	*reason;
};
void	store_comment_change_query(struct db_query *, struct store_numbers *,
	    const struct comment_change *);
/* The comment after the change. */
struct comment_changed_row {
	const char	*edited_at;	/* RFC 3339, NULL if never edited */
	const char	*status;
};
/* Reads the answer of store_comment_change_query: 0, or -1 when the
 * comment was gone. Strings live as long as the query's result. */
int	store_comment_changed_row(struct db_query *,
	    struct comment_changed_row *);
/* Row: err, score, the post's key. */
void	store_vote_query(struct db_query *, struct store_numbers *,
	    int64_t comment_id, const char *voter, int value, int64_t user_id);

/* Moderators' listing, newest first. Any filter may be NULL. Row 0 may
 * be counts only (id NULL) when nothing matches. Columns: see
 * store_admin_comment_read. */
struct admin_filter {
	const char	*status;
	const char	*post;
	const char	*q;
	const char	*email;
	const char	*ip;		/* an address or CIDR block */
	int64_t		 before_id;	/* paging: ids below this one */
	int		 limit;
};
void	store_admin_comments_query(struct db_query *, struct store_numbers *,
	    const struct admin_filter *);
/* The comment of a listing row (strings borrowed), 0 if the row has none. */
int	store_admin_comment_read(struct db_query *, int row, struct comment *);
enum {
	ADM_POST = 12, ADM_EMAIL, ADM_IP, ADM_VERDICT, ADM_REASON,
	ADM_PARENT_AUTHOR, ADM_PARENT_HTML, ADM_PENDING, ADM_SPAM,
	ADM_USER_ID, ADM_POST_OPEN
};

/* ids_literal: a bigint[] literal such as "{1,2}". Row: updated. */
void	store_moderate_query(struct db_query *, struct store_numbers *,
	    int64_t actor, const char *ids_literal, const char *action);
/* Row: edited_at; none if the comment does not exist. */
void	store_moderator_edit_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id, const char *body, size_t len,
	    const char *html);
/* Row: settings (JSON text). */
void	store_settings_query(struct db_query *);
void	store_settings_update_query(struct db_query *, struct store_numbers *,
	    int64_t actor, const char *changes_json);
/* Rows: id, kind, value, reason, expires_at, created_at, active,
 * created_by name. */
void	store_bans_query(struct db_query *);
/* Row: the new ban, same columns. */
void	store_ban_create_query(struct db_query *, struct store_numbers *,
	    int64_t actor, const char *kind, const char *value,
	    const char *reason, const char *expires_at);
/* Row: deleted (boolean). */
void	store_ban_delete_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id);
/* Row: key, title, url, comment_count, open; none if no such post.
 * open: "true"/"false"/NULL; title NULL to keep. */
void	store_post_update_query(struct db_query *, struct store_numbers *,
	    int64_t actor, const char *key, const char *open,
	    const char *title);
/* Rows: id, name, email, role, created_at. */
void	store_users_query(struct db_query *, const char *q);
/* Row: err, id, name, email, role. */
void	store_user_role_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id, const char *role);
/* Rows: id, actor_id, actor_name, action, target_type, target_id,
 * before, after, at. Newest first, ids below before_id (0: from top). */
void	store_audit_query(struct db_query *, struct store_numbers *,
	    int64_t before_id, int limit);
/* Facts for a new comment (see comment_facts in sql/). Row: settings,
 * post_open, ban_kind, ban_reason, rate_wait, duplicate, prior_approved,
 * and the verdict hook's url and sealed secret (NULL when there is none). */
void	store_comment_facts_query(struct db_query *, struct store_numbers *,
	    const char *key, int64_t user_id, const char *email,
	    const char *ip, const char *body, size_t body_len,
	    const char *author_name);

/* Hooks (rows: the hook's JSON as text, unless said otherwise). */
void	store_hooks_query(struct db_query *);
/* events_literal: a text[] literal of checked type names. */
void	store_hook_create_query(struct db_query *, struct store_numbers *,
	    int64_t actor, const char *url, const char *kind,
	    const char *events_literal, int enabled, const char *sealed_sql);
/* NULL leaves a field; enabled: -1 leaves it. Row: JSON or NULL. */
void	store_hook_update_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id, const char *url,
	    const char *events_literal, int enabled, const char *sealed_sql,
	    int grace_seconds);
/* Row: deleted (boolean). */
void	store_hook_delete_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id);
/* Row: the deliveries JSON array (text), NULL if no such hook. */
void	store_hook_deliveries_query(struct db_query *, struct store_numbers *,
	    int64_t id, int limit);
/* Row: the new delivery's id, NULL if no such hook. */
void	store_hook_ping_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id);
/* Row: redelivered (boolean). */
void	store_redeliver_query(struct db_query *, struct store_numbers *,
	    int64_t actor, int64_t id);

#endif

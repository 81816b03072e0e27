/*
 * Storage: the only place with SQL. Each store_*_query prepares a db_query
 * (parameterized, never formatted); its reader (store_*_row, store_*_read)
 * turns the answer into a struct named after it, borrowing strings from
 * the result: they live until db_done. Nothing outside this module knows
 * the order of a query's columns.
 */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include "comment_input.h"
#include "db.h"
#include "thread.h"

/* Parameters that are numbers need text buffers that outlive the query. */
struct store_numbers {
	char v[8][24];
};

void store_health_query(struct db_query *);

/* Reads the answer of store_thread_page_query or store_replies_query:
 * 1 if the post exists (post filled), 0 if not; *items is allocated
 * (free it) and its strings borrowed from q's result. */
int store_thread_read(struct db_query *, struct post_info *, struct comment **,
    size_t *);

/* A page of a post's thread, paged in SQL: at most limit top-level
 * comments after the cursor (NULL: from the start) and one more when
 * there is a next page, each with at most `replies` replies per comment
 * and level (comment.more: those left out). Read with store_thread_read
 * and thread_build. */
void store_thread_page_query(struct db_query *, struct store_numbers *,
    const char *key, int64_t viewer_id, enum thread_sort,
    const struct cursor *after, size_t limit, size_t replies);
/* The same for the replies of comment_id after reply after_id (0: from
 * the first); no row when the comment does not exist. Read with
 * store_thread_read and thread_build_under(comment_id). */
void store_replies_query(struct db_query *, struct store_numbers *,
    int64_t comment_id, int64_t viewer_id, int64_t after_id, size_t limit,
    size_t replies);
/* The post's key from a page's answer (NULL: none). */
const char *store_page_key(struct db_query *);

/* Sets c->avatar from an identity seed (NULL: none). */
void store_avatar(struct comment *, const char *seed);

struct comment_create {
	const struct comment_input *in;
	const char                 *html;
	int                         max_depth;
	int64_t                     user_id; /* 0: a guest */
	const char                 *author_name;
	const char                 *status;
	const char                 *ip;
	const char                 *edit_token_hash_sql;
	const char                 *verdict;
	const char                 *reason;
	int                         rate_limit; /* 0: not checked */
	int                         notify; /* replies by e-mail asked */
};
void store_comment_create_query(struct db_query *, struct store_numbers *,
    const struct comment_create *);
/* NULL on success (c filled), else the error code comment_create returned
 * ("no_row" when nothing came back). */
const char *store_comment_create_read(struct db_query *, struct comment *);
/* 1 if the comment was stored (no error code came back). */
int store_comment_create_ok(struct db_query *);
/* What asking for replies by e-mail came to ("subscribed",
 * "confirming", "suppressed"; see mail_subscribe in sql/), or NULL. */
const char *store_comment_create_mail(struct db_query *);
/* Whether the new comment made hook deliveries nobody was woken for. */
int store_comment_create_deliveries(struct db_query *);

/*
 * The announcement a worker sends on its LISTEN connection after a
 * commit (listen.c): $1 the post keys, '\n'-separated (NULL: every
 * post; '': none), $2 whether to wake the hook deliverers. One row:
 * the primary's WAL position after the commits announced.
 */
extern const char store_sql_announce[];
/* One row, the primary's WAL insert position (pg_lsn text): on the
 * LISTEN connection, after notifications (replica_lag.h). */
extern const char store_sql_wal_position[];
/* One row, how far a standby has replayed (NULL if not a standby). */
extern const char store_sql_replay_position[];
/*
 * What the LISTEN connection runs once connected (listen.c): LISTEN on
 * both channels, committed, then one row holding the allowed_origins
 * setting as JSON text, read after the LISTEN so no change is missed.
 */
extern const char store_sql_listen[];

/* keys_json: a JSON array of post keys. One row per key, in order. */
void store_counts_query(struct db_query *, const char *keys_json);
struct count_row {
	const char *key;
	int64_t     count; /* approved comments; 0: no such post */
};
/* Reads row: 0, or -1 past the last row. */
int store_count_row(struct db_query *, int row, struct count_row *);

/* An account as storage returns it. */
struct user_row {
	int64_t     id;
	const char *name;
	const char *email;
	const char *role;
	const char *created_at; /* RFC 3339; store_users_row only */
};

/* The account of a live session (sliding). staff_max_age > 0: a
 * moderator's or admin's session older than that (seconds since login)
 * is not found (see session_user_get in sql/). */
void store_session_user_query(struct db_query *, struct store_numbers *,
    const char *token_hash_sql, int ttl_seconds, int staff_max_age);
/* Reads the account of store_session_user_query or
 * store_session_create_query: 0, or -1 when there is none. */
int store_session_user_row(struct db_query *, struct user_row *);

/*
 * Throttles count clients by net: the key netaddr_limit_key makes of the
 * client's address (an IPv6 /64, an IPv4 address). See register_attempt
 * and login_lookup in sql/.
 *
 * A registration: the new account knows net.
 */
void store_user_register_query(struct db_query *, struct store_numbers *,
    const char *email, const char *name, const char *hash,
    const char *token_hash_sql, int ttl_seconds, const char *net);
/* NULL with u filled (the new account), else the error code storage
 * returned ("email_taken"; "no_row" when nothing came back). */
const char *store_user_register_row(struct db_query *, struct user_row *);
/* Unless it is refused, the registration counts against net's throttle. */
void store_register_attempt_query(struct db_query *, const char *net);
/* Seconds to wait before registering from net again; 0 or less: go on. */
int64_t store_register_attempt_wait(struct db_query *);
/* Unless it is throttled, the attempt counts as failed from here on: a
 * successful session_create or password_set takes it back. ceiling:
 * whether the account's own ceiling applies (not when the caller holds a
 * session of the account). */
void store_login_lookup_query(struct db_query *, const char *email,
    const char *net, int ceiling);
struct login_row {
	int64_t     user_id; /* 0: no such account */
	const char *password_hash; /* NULL: no such account */
	const char *name;
	const char *email;
	const char *role;
	int64_t     retry_after; /* > 0: throttled for that long */
};
/* Reads the answer: 0, or -1 (r zeroed) when there was none. */
int store_login_row(struct db_query *, struct login_row *);
/* Answers the account as store_session_user_row reads it. new_hash may be
 * NULL. Forgets net's failed attempts for the account; net is known to the
 * account from now on. */
void store_session_create_query(struct db_query *, struct store_numbers *,
    int64_t user_id, const char *token_hash_sql, int ttl_seconds,
    const char *new_hash, const char *net);
void store_session_delete_query(struct db_query *, const char *token_hash_sql);
/* Forgets net's failed attempts for the account, as session_create. */
void store_password_set_query(struct db_query *, struct store_numbers *,
    int64_t user_id, const char *hash, const char *keep_token_hash_sql,
    const char *net);

/* One comment as PATCH and DELETE /api/v1/comments/ID need it. */
void store_comment_get_query(struct db_query *, struct store_numbers *,
    int64_t id);
struct comment_stored_row {
	int64_t     user_id; /* 0: a guest's */
	const char *edit_token_hash; /* bytea text, NULL if none */
	int64_t     created_us;
	const char *status;
	const char *author_name;
	const char *author_url;
	const char *created_at; /* RFC 3339 */
	const char *edited_at;
	int64_t     score;
	int64_t     parent_id;
	const char *role; /* the author's, or "guest" */
	const char *avatar_seed;
	int64_t     edit_window_seconds; /* the setting */
	const char *settings; /* all settings as JSON text */
	const char *post; /* its post's key */
	const char *author_email;
	const char *ip;
	const char *verdict_url; /* NULL: no verdict hook */
	const char *verdict_secret; /* sealed, bytea text */
	const char *verdict_old_secret; /* during a rotation, or NULL */
};
/* Reads its answer: 0, or -1 when there is no such comment. Strings
 * live as long as the query's result. */
int store_comment_stored_row(struct db_query *, struct comment_stored_row *);
/* An edit or removal through the readers' endpoints (see comment_change
 * in sql/). */
struct comment_change {
	int64_t     id;
	int64_t     actor_id; /* 0: a guest with an edit token */
	int         as_moderator; /* someone else's comment: audited */
	int         remove; /* DELETE; else an edit of body/html */
	const char *body;
	size_t      body_len;
	const char *html;
	/* An author's edit judged again; NULL keeps what is stored. */
	const char *status;
	const char *verdict;
	const char *reason;
};
void store_comment_change_query(struct db_query *, struct store_numbers *,
    const struct comment_change *);
/* The comment after the change. */
struct comment_changed_row {
	const char *edited_at; /* RFC 3339, NULL if never edited */
	const char *status;
};
/* Reads the answer of store_comment_change_query: 0, or -1 when the
 * comment was gone. Strings live as long as the query's result. */
int store_comment_changed_row(struct db_query *, struct comment_changed_row *);

/* voter: "u:" and an account id, or "g:" and a keyed hash of a guest's
 * net; value 1, 0 (withdrawn) or -1. */
void store_vote_query(struct db_query *, struct store_numbers *,
    int64_t comment_id, const char *voter, int value, int64_t user_id);
struct vote_row {
	int64_t     score; /* the comment's, after the vote */
	const char *post; /* its post's key */
};
/* NULL with r filled, else the error code storage returned ("not_found",
 * "own_comment"; "no_row" when nothing came back). */
const char *store_vote_row(struct db_query *, struct vote_row *);

/* The caller's votes and own comments on the post key (see sql_votes_of):
 * voter as for store_vote_query, user_id 0 for a guest. */
void store_votes_of_query(struct db_query *, struct store_numbers *,
    const char *key, const char *voter, int64_t user_id);
struct votes_of_row {
	int64_t comment_id;
	int     value; /* 1 or -1; 0 on an own comment's row */
	int     own; /* the caller wrote it */
};
/* Fills r from row row: 0, or -1 past the last row. */
int store_votes_of_row(struct db_query *, int row, struct votes_of_row *);

/* Moderators' listing, newest first. Any filter may be NULL. */
struct admin_filter {
	const char *status;
	const char *post;
	const char *q;
	const char *email;
	const char *ip; /* an address or CIDR block */
	int64_t     before_id; /* paging: ids below this one */
	int         limit;
};
void store_admin_comments_query(struct db_query *, struct store_numbers *,
    const struct admin_filter *);
/* A row of the listing. */
struct admin_comment_row {
	struct comment comment; /* as moderators see it (reveal) */
	const char    *post; /* its post's key */
	int            post_open;
	int64_t        user_id; /* 0: a guest's */
	const char    *email;
	const char    *ip;
	int            ip_expired; /* cleared after ip_retention_days */
	const char    *verdict; /* what moderation decided */
	const char    *reason; /* and why */
	const char    *parent_author; /* of the comment it replies to */
	const char    *parent_html; /* NULL: not a reply, or the parent
					 * is gone */
};
/* Reads row: 0, or -1 when the row holds no comment (the counts-only row
 * that comes when nothing matches, or past the last row). */
int store_admin_comment_row(struct db_query *, int row,
    struct admin_comment_row *);
/* What every listing counts, whatever its filters. */
struct admin_counts {
	int64_t pending;
	int64_t spam;
};
void store_admin_counts(struct db_query *, struct admin_counts *);

/* ids_literal: a bigint[] literal such as "{1,2}". */
void store_moderate_query(struct db_query *, struct store_numbers *,
    int64_t actor, const char *ids_literal, const char *action);
/* How many comments the action changed. */
int64_t store_moderate_updated(struct db_query *);
void    store_moderator_edit_query(struct db_query *, struct store_numbers *,
       int64_t actor, int64_t id, const char *body, size_t len, const char *html);
/* When the edit was made (RFC 3339), or NULL when there is no such
 * comment. */
const char *store_moderator_edited_at(struct db_query *);

/*
 * The answer of a query that returns one JSON document, as text (NULL:
 * none): store_settings_query and store_settings_update_query (all
 * settings), store_hooks_query (an array of hooks), store_hook_create_query
 * and store_hook_update_query (the hook; NULL if no such hook),
 * store_hook_deliveries_query (an array; NULL if no such hook).
 */
const char *store_json(struct db_query *);
/*
 * Whether the thing to change was there: the answer of
 * store_ban_delete_query, store_hook_delete_query and
 * store_redeliver_query.
 */
int store_found(struct db_query *);

void store_settings_query(struct db_query *);
void store_settings_update_query(struct db_query *, struct store_numbers *,
    int64_t actor, const char *changes_json);

/* Newest first, at most 1000. */
void store_bans_query(struct db_query *);
/* Answers the new ban as store_ban_row reads it. */
void store_ban_create_query(struct db_query *, struct store_numbers *,
    int64_t actor, const char *kind, const char *value, const char *reason,
    const char *expires_at);
struct ban_row {
	int64_t     id;
	const char *kind; /* "account", "email" or "ip" */
	const char *value;
	const char *reason;
	const char *expires_at; /* RFC 3339, NULL: never */
	const char *created_at;
	int         active; /* not expired */
	const char *created_by; /* the moderator's name, or NULL */
};
/* Reads row: 0, or -1 past the last row. */
int  store_ban_row(struct db_query *, int row, struct ban_row *);
void store_ban_delete_query(struct db_query *, struct store_numbers *,
    int64_t actor, int64_t id);

/* open: "true"/"false"/NULL to keep; title NULL to keep. */
void store_post_update_query(struct db_query *, struct store_numbers *,
    int64_t actor, const char *key, const char *open, const char *title);
/* The post after the change: 0, or -1 when there is no such post. */
int store_post_row(struct db_query *, struct post_info *);

/* Accounts whose name or e-mail contains q (NULL: all), by id, at most
 * 200. */
void store_users_query(struct db_query *, const char *q);
/* Reads row (created_at included): 0, or -1 past the last row. */
int  store_users_row(struct db_query *, int row, struct user_row *);
void store_user_role_query(struct db_query *, struct store_numbers *,
    int64_t actor, int64_t id, const char *role);
/* NULL with u filled (the account after the change), else the error code
 * storage returned ("not_found", "last_admin", "forbidden"; "no_row" when
 * nothing came back). */
const char *store_user_role_row(struct db_query *, struct user_row *);

/* Newest first, ids below before_id (0: from the top). */
void store_audit_query(struct db_query *, struct store_numbers *,
    int64_t before_id, int limit);
struct audit_row {
	int64_t     id;
	int64_t     actor_id; /* 0: none, or the account is gone */
	const char *actor_name;
	const char *action;
	const char *target_type;
	const char *target_id;
	const char *before; /* JSON text, or NULL */
	const char *after; /* JSON text, or NULL */
	const char *at; /* RFC 3339 */
};
/* Reads row: 0, or -1 past the last row. */
int store_audit_row(struct db_query *, int row, struct audit_row *);

/* Facts for a new comment (see comment_facts in sql/). */
void store_comment_facts_query(struct db_query *, struct store_numbers *,
    const char *key, int64_t user_id, const char *email, const char *ip,
    const char *body, size_t body_len, const char *author_name);
struct comment_facts_row {
	const char *settings; /* all settings as JSON text */
	int         post_open; /* true for a post not yet stored */
	const char *ban_kind; /* the ban that applies, or NULL */
	const char *ban_reason;
	int64_t     rate_wait; /* seconds; > 0: over the limit */
	int         duplicate; /* the same words lately */
	int         prior_approved; /* the e-mail has an approved
						 * comment */
	const char *verdict_url; /* NULL: no verdict hook */
	const char *verdict_secret; /* sealed, bytea text */
	const char *verdict_old_secret; /* during a rotation, or NULL */
};
/* Reads the answer: 0, or -1 (r zeroed) when there was none. */
int store_comment_facts_row(struct db_query *, struct comment_facts_row *);

/* Hooks. See store_json and store_found for what they answer. */
void store_hooks_query(struct db_query *);
/* events_literal: a text[] literal of checked type names. */
void store_hook_create_query(struct db_query *, struct store_numbers *,
    int64_t actor, const char *url, const char *kind,
    const char *events_literal, int enabled, const char *sealed_sql);
/* NULL leaves a field; enabled: -1 leaves it. */
void store_hook_update_query(struct db_query *, struct store_numbers *,
    int64_t actor, int64_t id, const char *url, const char *events_literal,
    int enabled, const char *sealed_sql, int grace_seconds);
void store_hook_delete_query(struct db_query *, struct store_numbers *,
    int64_t actor, int64_t id);
void store_hook_deliveries_query(struct db_query *, struct store_numbers *,
    int64_t id, int limit);
void store_hook_ping_query(struct db_query *, struct store_numbers *,
    int64_t actor, int64_t id);
/* The new delivery's id, or 0 when there is no such hook. */
int64_t store_hook_ping_delivery(struct db_query *);
void    store_redeliver_query(struct db_query *, struct store_numbers *,
       int64_t actor, int64_t id);

/* Imports of the admin API: a new job (store_import_started: its id, or
 * 0 while another import runs), and a job as it stands. */
void    store_import_start_query(struct db_query *, struct store_numbers *,
       const char *format, const char *key, int64_t bytes, int64_t user_id);
int64_t store_import_started(struct db_query *);
void    store_import_job_query(struct db_query *, struct store_numbers *,
       int64_t id);
struct import_job_row {
	int64_t     id;
	const char *format; /* "wxr", "disqus", "parley" */
	const char *state; /* "queued", "running", "done", "failed" */
	int64_t bytes, bytes_read, read, imported, skipped, already, orphans;
	const char *errors; /* a JSON array of strings */
	const char *created_at;
	const char *finished_at; /* NULL while not finished */
};
/* 0, or -1 when there is no such job. */
int store_import_job_row(struct db_query *, struct import_job_row *);
/* The audit entry of an export, before it is written. */
void store_export_audit_query(struct db_query *, struct store_numbers *,
    int64_t user_id);

/* Live streams (stream.c): the SQL its listening connection runs, a row
 * of its answer (0, or -1 past the last), and the newest event of a
 * post, where a new stream starts. */
extern const char store_sql_stream_since[];
struct stream_row {
	int64_t        event_id;
	const char    *kind; /* "comment", "edit", "delete" */
	int64_t        count; /* the post's approved comments */
	int64_t        head; /* the post's newest event */
	int64_t        comment_id; /* the event's, even if gone since */
	int            has_comment; /* c filled */
	struct comment c; /* as the thread shows it to anyone */
};
int     store_stream_row(PGresult *, int row, struct stream_row *);
void    store_stream_head_query(struct db_query *, const char *key);
int64_t store_stream_head(struct db_query *);

#endif

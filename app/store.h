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
	char	v[4][24];
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

void	store_comment_create_query(struct db_query *, struct store_numbers *,
	    const struct comment_input *, const char *html, int max_depth,
	    int64_t user_id, const char *author_name, const char *status,
	    const char *ip, const char *edit_token_hash_sql);
/* NULL on success (c filled), else the error code the function returned. */
const char *store_comment_create_read(struct db_query *, struct comment *);

/* keys_json: a JSON array of post keys. Rows: key, count. */
void	store_counts_query(struct db_query *, const char *keys_json);

/* An account as storage returns it: id, name, email, role columns. */
struct store_user {
	int64_t		 id;
	const char	*name;
	const char	*email;
	const char	*role;
};

/* Rows: id, name, email, role of a live session's account (sliding). */
void	store_session_user_query(struct db_query *, struct store_numbers *,
	    const char *token_hash_sql, int ttl_seconds);
/* Reads columns first..first+3 of row 0; 0 if there is no row. */
int	store_user_read(struct db_query *, int first, struct store_user *);

/* Row: err, id, name, email, role. */
void	store_user_register_query(struct db_query *, struct store_numbers *,
	    const char *email, const char *name, const char *hash,
	    const char *token_hash_sql, int ttl_seconds);
/* Row: id, password_hash, name, email, role, retry_after. */
void	store_login_lookup_query(struct db_query *, const char *email,
	    const char *ip);
void	store_login_failed_query(struct db_query *, const char *email,
	    const char *ip);
/* Row: id, name, email, role. new_hash may be NULL. */
void	store_session_create_query(struct db_query *, struct store_numbers *,
	    int64_t user_id, const char *token_hash_sql, int ttl_seconds,
	    const char *new_hash);
void	store_session_delete_query(struct db_query *,
	    const char *token_hash_sql);
/* Row: password_hash of the account. */
void	store_password_get_query(struct db_query *, struct store_numbers *,
	    int64_t user_id);
void	store_password_set_query(struct db_query *, struct store_numbers *,
	    int64_t user_id, const char *hash, const char *keep_token_hash_sql);

/* Row: user_id, edit_token_hash, created_us, status, author_name,
 * author_url, created_at, edited_at, score, parent_id, role, avatar seed. */
void	store_comment_get_query(struct db_query *, struct store_numbers *,
	    int64_t id);
/* Row: edited_at; none when the comment is gone. */
void	store_comment_edit_query(struct db_query *, struct store_numbers *,
	    int64_t id, const char *body, size_t body_len, const char *html);
void	store_comment_delete_query(struct db_query *, struct store_numbers *,
	    int64_t id);
/* Row: err, score. */
void	store_vote_query(struct db_query *, struct store_numbers *,
	    int64_t comment_id, const char *voter, int value, int64_t user_id);

#endif

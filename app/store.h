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

/* All comments of a post, with the post. */
void	store_thread_query(struct db_query *, const char *key);
/* 1 if the post exists (post filled), 0 if not; *items is allocated
 * (free it) and its strings borrowed from q's result. */
int	store_thread_read(struct db_query *, struct post_info *,
	    struct comment **, size_t *);

void	store_comment_create_query(struct db_query *, struct store_numbers *,
	    const struct comment_input *, const char *html, int max_depth,
	    const char *status, const char *ip);
/* NULL on success (c filled), else the error code the function returned. */
const char *store_comment_create_read(struct db_query *, struct comment *);

/* keys_json: a JSON array of post keys. Rows: key, count. */
void	store_counts_query(struct db_query *, const char *keys_json);

#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define RFC3339(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char sql_health[] = "SELECT 1";

/*
 * Every comment of the post: approved ones in full; the others only as
 * their place in the tree, so a removed comment's text never leaves the
 * database on the readers' path.
 */
static const char sql_thread[] =
	"SELECT p.title, p.url, p.comment_count, p.open,"
	" c.id, c.parent_id, c.status,"
	" CASE WHEN c.status = 'approved' THEN c.author_name ELSE '' END,"
	" CASE WHEN c.status = 'approved' THEN c.author_url END,"
	" CASE WHEN c.status = 'approved' THEN c.html ELSE '' END,"
	" " RFC3339("c.created_at") ", " RFC3339("c.edited_at") ","
	" (extract(epoch FROM c.created_at) * 1000000)::bigint, c.score"
	" FROM posts p LEFT JOIN comments c ON c.post_id = p.id"
	" WHERE p.key = $1";

enum {
	TH_TITLE, TH_URL, TH_COUNT, TH_OPEN, TH_ID, TH_PARENT, TH_STATUS,
	TH_NAME, TH_AUTHOR_URL, TH_HTML, TH_CREATED, TH_EDITED, TH_CREATED_US,
	TH_SCORE
};

static const char sql_comment_create[] =
	"SELECT err, comment_id, parent_id, " RFC3339("created_at") ","
	" (extract(epoch FROM created_at) * 1000000)::bigint"
	" FROM comment_create($1, $2, $3, $4::bigint, $5::integer, $6, $7, $8,"
	" $9, $10, $11, $12::inet)";

static const char sql_counts[] =
	"SELECT k.key, COALESCE(p.comment_count, 0)"
	" FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS k(key, n)"
	" LEFT JOIN posts p ON p.key = k.key ORDER BY k.n";

void
store_health_query(struct db_query *q)
{
	db_query_init(q, sql_health);
}

void
store_thread_query(struct db_query *q, const char *key)
{
	db_query_init(q, sql_thread);
	db_param(q, key);
}

int
store_thread_read(struct db_query *q, struct post_info *post,
    struct comment **itemsp, size_t *np)
{
	struct comment	*items, *c;
	int		 row, rows;
	size_t		 n;

	*itemsp = NULL;
	*np = 0;
	rows = db_rows(q);
	if (rows == 0)
		return (0);
	post->title = db_text(q, 0, TH_TITLE);
	post->url = db_text(q, 0, TH_URL);
	post->comment_count = db_int(q, 0, TH_COUNT);
	post->open = db_bool(q, 0, TH_OPEN);

	if ((items = calloc((size_t)rows, sizeof(*items))) == NULL)
		abort();
	n = 0;
	for (row = 0; row < rows; row++) {
		if (db_text(q, row, TH_ID) == NULL)
			continue;	/* the post has no comments */
		c = &items[n];
		c->id = db_int(q, row, TH_ID);
		c->parent_id = db_int(q, row, TH_PARENT);
		if (comment_status_parse(db_text(q, row, TH_STATUS),
		    &c->status) == -1)
			continue;
		c->author_name = db_text(q, row, TH_NAME);
		c->author_url = db_text(q, row, TH_AUTHOR_URL);
		c->author_role = "guest";
		c->html = db_text(q, row, TH_HTML);
		c->created_at = db_text(q, row, TH_CREATED);
		c->edited_at = db_text(q, row, TH_EDITED);
		c->created_us = db_int(q, row, TH_CREATED_US);
		c->score = db_int(q, row, TH_SCORE);
		n++;
	}
	*itemsp = items;
	*np = n;
	return (1);
}

void
store_comment_create_query(struct db_query *q, struct store_numbers *nums,
    const struct comment_input *in, const char *html, int max_depth,
    const char *status, const char *ip)
{
	db_query_init(q, sql_comment_create);
	db_param(q, in->post);
	db_param(q, in->post_title);
	db_param(q, in->post_url);
	if (in->parent_id != 0) {
		snprintf(nums->v[0], sizeof(nums->v[0]), "%" PRId64,
		    in->parent_id);
		db_param(q, nums->v[0]);
	} else
		db_param(q, NULL);
	snprintf(nums->v[1], sizeof(nums->v[1]), "%d", max_depth);
	db_param(q, nums->v[1]);
	db_param(q, in->author_name);
	db_param(q, in->author_email);
	db_param(q, in->author_url);
	db_param_len(q, in->body, in->body_len);
	db_param(q, html);
	db_param(q, status);
	db_param(q, ip);
}

const char *
store_comment_create_read(struct db_query *q, struct comment *c)
{
	const char	*err;

	if (db_rows(q) != 1)
		return ("no_row");
	if ((err = db_text(q, 0, 0)) != NULL)
		return (err);
	c->id = db_int(q, 0, 1);
	c->parent_id = db_int(q, 0, 2);
	c->created_at = db_text(q, 0, 3);
	c->created_us = db_int(q, 0, 4);
	return (NULL);
}

void
store_counts_query(struct db_query *q, const char *keys_json)
{
	db_query_init(q, sql_counts);
	db_param(q, keys_json);
}

#include <stdio.h>
#include <stdlib.h>

#include "store_feed.h"

/* clang-format off */
/* A post's feed, or the site's with a NULL key (feed_comments). */
static const char sql_feed[] =
	"SELECT post_key, post_title, post_url, post_created, id, parent_id,"
	" author_name, html, created_at, edited_at"
	" FROM feed_comments($1, $2::int)";

enum {
	FEED_POST_KEY, FEED_POST_TITLE, FEED_POST_URL, FEED_POST_CREATED,
	FEED_ID, FEED_PARENT, FEED_NAME, FEED_HTML, FEED_CREATED, FEED_EDITED
};
/* clang-format on */

void
store_feed_query(struct db_query *q, struct store_numbers *nums,
    const char *key)
{
	db_query_init(q, sql_feed);
	db_param(q, key);
	snprintf(nums->v[0], sizeof(nums->v[0]), "%d", FEED_ENTRIES_MAX);
	db_param(q, nums->v[0]);
}

/* Reads row into e: 0, or -1 when the row holds no comment (a post's
 * feed without any). */
static int
entry_read(struct db_query *q, int row, struct feed_entry *e)
{
	if (db_text(q, row, FEED_ID) == NULL ||
	    db_text(q, row, FEED_CREATED) == NULL)
		return (-1);
	e->id = db_int(q, row, FEED_ID);
	e->parent_id = db_int(q, row, FEED_PARENT);
	e->author_name = db_text(q, row, FEED_NAME);
	e->html = db_text(q, row, FEED_HTML);
	e->created_at = db_text(q, row, FEED_CREATED);
	e->edited_at = db_text(q, row, FEED_EDITED);
	e->post_key = db_text(q, row, FEED_POST_KEY);
	e->post_title = db_text(q, row, FEED_POST_TITLE);
	e->post_url = db_text(q, row, FEED_POST_URL);
	return (0);
}

void
store_feed_read(struct db_query *q, struct feed *f,
    struct feed_entry **entriesp)
{
	struct feed_entry *entries;
	int                row, rows;
	size_t             n;

	f->post_title = f->post_url = f->post_created = NULL;
	rows = db_rows(q);
	if (rows > 0 && f->post_key != NULL) {
		f->post_title = db_text(q, 0, FEED_POST_TITLE);
		f->post_url = db_text(q, 0, FEED_POST_URL);
		f->post_created = db_text(q, 0, FEED_POST_CREATED);
	}
	if ((entries = calloc((size_t)rows + 1, sizeof(*entries))) == NULL)
		abort();
	n = 0;
	for (row = 0; row < rows && n < FEED_ENTRIES_MAX; row++)
		if (entry_read(q, row, &entries[n]) == 0)
			n++;
	f->entries = entries;
	f->nentries = n;
	*entriesp = entries;
}

/*
 * Storage of the Atom feeds (feed.h): the only place with their SQL,
 * over feed_comments in sql/functions/feed.sql.
 */
#ifndef PARLEY_STORE_FEED_H
#define PARLEY_STORE_FEED_H

#include "db.h"
#include "feed.h"
#include "store.h"

/* The newest approved comments (at most FEED_ENTRIES_MAX) of the post
 * key, or of every post when key is NULL. */
void store_feed_query(struct db_query *, struct store_numbers *,
    const char *key);
/*
 * Fills the post's fields and the entries of f, whose post_key the
 * caller set as for the query (authority and base are the caller's
 * too). *entries is allocated (free it) and every string is borrowed
 * from q's result. The post's fields stay NULL for the site's feed and
 * for an unknown post.
 */
void store_feed_read(struct db_query *, struct feed *,
    struct feed_entry **entries);

#endif

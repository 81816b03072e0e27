/*
 * Each worker's cache of answers to anonymous thread and count requests:
 * the JSON, its gzip and their ETags, so a hit costs no database round
 * trip, no rendering and no compression. Entries are dropped when
 * PostgreSQL announces a change to their post (LISTEN/NOTIFY, listen.c),
 * and the whole cache when that channel is lost. Bounded in bytes; least
 * recently used entries go first.
 */
#ifndef PARLEY_CACHE_H
#define PARLEY_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct cache_entry {
	char               *key; /* the request, normalised */
	char               *post; /* NULL: depends on every post */
	unsigned char      *body;
	size_t              body_len;
	unsigned char      *gz; /* NULL if gzip saved nothing */
	size_t              gz_len;
	char                etag[36]; /* quoted */
	char                gz_etag[40];
	uint64_t            born_ms; /* when it was stored (cache_clock) */
	struct cache_entry *prev, *next; /* recency, most recent first */
	struct cache_entry *chain; /* hash bucket */
};

/*
 * An entry answers for CACHE_MAX_AGE_MS at most. Changes drop entries
 * when PostgreSQL announces them; this bounds what an announcement that
 * never came (its node died between the commit and it) can leave stale.
 */
#define CACHE_MAX_AGE_MS 60000

/* Sets the byte budget and empties the cache. */
void cache_init(size_t budget);
/* 1 while the cache may be used (the change channel is up). */
int  cache_usable(void);
void cache_set_usable(int);
/* The clock entries' ages are read on (ms, monotonic); tests set one. */
void cache_set_clock(uint64_t (*)(void));
/* The entry for key, or NULL (an entry past its age is dropped). */
const struct cache_entry *cache_get(const char *key);
/* The number of invalidations so far: a fill started before a change must
 * not be stored after it (compare before and after the query). */
uint64_t cache_generation(void);
/* Stores a copy of body (and its gzip) under key unless the generation
 * moved since gen or the cache is not usable. Returns the entry or NULL. */
const struct cache_entry *cache_put(const char *key, const char *post,
    const void *body, size_t len, uint64_t gen);
/* Drops the entries of post and those depending on every post. */
void cache_invalidate(const char *post);
void cache_clear(void);
/* The most entries sharing one hash bucket: stays small whatever keys
 * the requests choose. */
size_t cache_longest_chain(void);

/* gzip (level 6) into a new buffer; NULL if it would not be smaller. */
unsigned char *cache_gzip(const void *, size_t, size_t *);
/* A strong ETag for bytes: a quoted 128-bit BLAKE2b in hex. */
void cache_etag(const void *, size_t, char out[36]);

#endif

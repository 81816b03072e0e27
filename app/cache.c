#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zlib.h>

#include "buf.h"
#include "cache.h"
#include "metrics.h"

#define BUCKETS 1024

static struct cache_entry *buckets[BUCKETS];
/*
 * Keys are the clients' choice (post keys): with an unkeyed hash anyone
 * could pick keys that share a bucket and make every lookup walk one long
 * chain. SipHash (crypto_shorthash) under a key of this worker's, made at
 * cache_init, cannot be aimed at.
 */
static unsigned char       bucket_key[crypto_shorthash_KEYBYTES];
static struct cache_entry *head, *tail;
static size_t              budget, bytes, entries;
static uint64_t            generation;
static int                 usable;

/* The coarse clock: a vDSO read, a few ns; ms resolution is plenty. */
static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static uint64_t (*cache_clock)(void) = monotonic_ms;

void
cache_set_clock(uint64_t (*clock)(void))
{
	cache_clock = clock != NULL ? clock : monotonic_ms;
}

static size_t
entry_size(const struct cache_entry *e)
{
	return (sizeof(*e) + strlen(e->key) + (e->post ? strlen(e->post) : 0) +
	    e->body_len + e->gz_len);
}

static unsigned int
bucket_of(const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t      v;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key),
	    bucket_key);
	memcpy(&v, h, sizeof(v));
	return ((unsigned int)(v % BUCKETS));
}

static void
unlink_recency(struct cache_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		tail = e->prev;
	e->prev = e->next = NULL;
}

static void
push_front(struct cache_entry *e)
{
	e->prev = NULL;
	e->next = head;
	if (head != NULL)
		head->prev = e;
	head = e;
	if (tail == NULL)
		tail = e;
}

/* What /metrics says this worker's cache holds. */
static void
account(void)
{
	metrics_gauge_set(METRICS_CACHE_BYTES, (int64_t)bytes);
	metrics_gauge_set(METRICS_CACHE_ENTRIES, (int64_t)entries);
}

static void
drop(struct cache_entry *e)
{
	struct cache_entry **pp;

	for (pp = &buckets[bucket_of(e->key)]; *pp != NULL;
	     pp = &(*pp)->chain) {
		if (*pp == e) {
			*pp = e->chain;
			break;
		}
	}
	unlink_recency(e);
	bytes -= entry_size(e);
	entries--;
	account();
	free(e->key);
	free(e->post);
	free(e->body);
	free(e->gz);
	free(e);
}

void
cache_clear(void)
{
	while (head != NULL)
		drop(head);
	generation++;
}

void
cache_init(size_t b)
{
	/* Emptied first: entries are found by the key they went in with. */
	cache_clear();
	crypto_shorthash_keygen(bucket_key);
	budget = b;
}

int
cache_usable(void)
{
	return (usable);
}

void
cache_set_usable(int u)
{
	/* Whatever was cached while no change could reach us is suspect. */
	if (u != usable)
		cache_clear();
	usable = u;
}

uint64_t
cache_generation(void)
{
	return (generation);
}

const struct cache_entry *
cache_get(const char *key)
{
	struct cache_entry *e;

	if (!usable)
		return (NULL);
	for (e = buckets[bucket_of(key)]; e != NULL; e = e->chain) {
		if (strcmp(e->key, key) == 0) {
			if (cache_clock() - e->born_ms >= CACHE_MAX_AGE_MS) {
				drop(e);
				break;
			}
			unlink_recency(e);
			push_front(e);
			metrics_count(METRICS_CACHE_HITS, 1);
			return (e);
		}
	}
	metrics_count(METRICS_CACHE_MISSES, 1);
	return (NULL);
}

void
cache_etag(const void *data, size_t len, char out[36])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	out[0] = '"';
	sodium_bin2hex(out + 1, 33, h, sizeof(h));
	out[33] = '"';
	out[34] = '\0';
}

unsigned char *
cache_gzip(const void *data, size_t len, size_t *outlen)
{
	z_stream       z;
	unsigned char *out;
	uLong          bound;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return (NULL);
	bound = deflateBound(&z, len);
	if ((out = malloc(bound)) == NULL)
		abort();
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= len) {
		free(out);
		out = NULL;
	} else
		*outlen = z.total_out;
	deflateEnd(&z);
	return (out);
}

const struct cache_entry *
cache_put(const char *key, const char *post, const void *body, size_t len,
    uint64_t gen)
{
	struct cache_entry *e, *old;
	unsigned int        b;

	if (!usable || gen != generation)
		return (NULL);
	for (old = buckets[bucket_of(key)]; old != NULL; old = old->chain) {
		if (strcmp(old->key, key) == 0) {
			drop(old);
			break;
		}
	}
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->body = malloc(len ? len : 1)) == NULL)
		abort();
	e->key = xstrdup(key);
	e->post = post != NULL ? xstrdup(post) : NULL;
	e->born_ms = cache_clock();
	memcpy(e->body, body, len);
	e->body_len = len;
	cache_etag(body, len, e->etag);
	if ((e->gz = cache_gzip(body, len, &e->gz_len)) != NULL) {
		memcpy(e->gz_etag, e->etag, 33);
		memcpy(e->gz_etag + 33, "-gz\"", 5);
	}
	if (entry_size(e) > budget) {
		free(e->key);
		free(e->post);
		free(e->body);
		free(e->gz);
		free(e);
		return (NULL);
	}
	while (bytes + entry_size(e) > budget && tail != NULL)
		drop(tail);
	b = bucket_of(key);
	e->chain = buckets[b];
	buckets[b] = e;
	push_front(e);
	bytes += entry_size(e);
	entries++;
	account();
	return (e);
}

void
cache_invalidate(const char *post)
{
	struct cache_entry *e, *next;

	for (e = head; e != NULL; e = next) {
		next = e->next;
		if (e->post == NULL || strcmp(e->post, post) == 0)
			drop(e);
	}
	generation++;
}

size_t
cache_longest_chain(void)
{
	const struct cache_entry *e;
	size_t                    i, n, longest = 0;

	for (i = 0; i < BUCKETS; i++) {
		n = 0;
		for (e = buckets[i]; e != NULL; e = e->chain)
			n++;
		if (n > longest)
			longest = n;
	}
	return (longest);
}

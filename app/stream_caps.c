/*
 * Node-wide stream caps in shared memory (stream_caps.h).
 *
 * One mapping: the header, then the node counts (one per worker slot),
 * then the address counters, bucket by bucket, each bucket one counter
 * per slot. A worker only ever writes its own slot; a check adds up the
 * slots. An open counts itself first and checks after, taking it back
 * when over: two workers racing for the last place may both be refused,
 * but a cap is never passed.
 */
#include <sys/mman.h>

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "netaddr.h"
#include "stream_caps.h"

#define WORKERS_MAX   255
#define BUCKETS_MIN   4096
#define BUCKETS_SPARE 16 /* counters per stream of the node cap */
/* At most 2 MiB of counters a worker (a node cap past 65536 streams has
 * fewer than 16 a stream). */
#define BUCKETS_MAX (1U << 20)

struct stream_caps {
	unsigned          workers;
	uint32_t          buckets; /* a power of two */
	int               node_max;
	int               per_address;
	size_t            len; /* of the whole mapping */
	unsigned char     key[crypto_shorthash_KEYBYTES];
	_Atomic int32_t  *node; /* [workers] */
	_Atomic uint8_t   started[WORKERS_MAX]; /* a worker ran in the slot */
	_Atomic uint16_t *address; /* [buckets][workers] */
};

struct stream_caps *
stream_caps_create(unsigned workers, int node_max, int per_address)
{
	struct stream_caps *c;
	uint64_t            want;
	uint32_t            buckets = BUCKETS_MIN;
	size_t              head, len;
	void               *m;

	if (workers == 0 || workers > WORKERS_MAX || node_max < 1 ||
	    per_address < 1 || per_address > UINT16_MAX / 2)
		return (NULL);
	want = (uint64_t)node_max * BUCKETS_SPARE;
	while (buckets < want && buckets < BUCKETS_MAX)
		buckets <<= 1;
	head = (sizeof(*c) + 63) & ~(size_t)63;
	len = head + workers * sizeof(int32_t) +
	    (size_t)buckets * workers * sizeof(uint16_t);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (m == MAP_FAILED)
		return (NULL);
	c = m;
	c->workers = workers;
	c->buckets = buckets;
	c->node_max = node_max;
	c->per_address = per_address;
	c->len = len;
	crypto_shorthash_keygen(c->key);
	c->node = (_Atomic int32_t *)((char *)m + head);
	c->address =
	    (_Atomic uint16_t *)((char *)m + head + workers * sizeof(int32_t));
	/* A fresh anonymous mapping is zeroed: every count is 0. */
	return (c);
}

void
stream_caps_destroy(struct stream_caps *c)
{
	if (c != NULL)
		(void)munmap(c, c->len);
}

void
stream_caps_worker_start(struct stream_caps *c, unsigned slot)
{
	uint32_t b;

	if (c == NULL || slot >= c->workers)
		return;
	/* The slot's first worker finds it zeroed: the pages of its
	 * counters stay untouched until used. */
	if (atomic_exchange(&c->started[slot], 1) == 0)
		return;
	atomic_store(&c->node[slot], 0);
	for (b = 0; b < c->buckets; b++)
		atomic_store(&c->address[(size_t)b * c->workers + slot], 0);
}

/* The bucket of an address: a keyed hash of its limit key ("" for what
 * is no address: all such share one). */
static uint32_t
bucket(const struct stream_caps *c, const char *addr)
{
	char          k[NETADDR_TEXT_MAX];
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t      v;

	(void)netaddr_limit_key(addr, k);
	crypto_shorthash(h, (const unsigned char *)k, strlen(k), c->key);
	memcpy(&v, h, sizeof(v));
	return ((uint32_t)(v & (c->buckets - 1)));
}

static int
sum_node(const struct stream_caps *c)
{
	unsigned w;
	int      n = 0;

	for (w = 0; w < c->workers; w++)
		n += atomic_load(&c->node[w]);
	return (n);
}

static int
sum_bucket(const struct stream_caps *c, uint32_t b)
{
	_Atomic uint16_t *row = &c->address[(size_t)b * c->workers];
	unsigned          w;
	int               n = 0;

	for (w = 0; w < c->workers; w++)
		n += atomic_load(&row[w]);
	return (n);
}

enum stream_caps_verdict
stream_caps_open(struct stream_caps *c, unsigned slot, const char *addr,
    uint32_t *ticket)
{
	uint32_t          b;
	_Atomic uint16_t *mine;

	if (c == NULL || slot >= c->workers)
		return (STREAM_CAPS_NODE);
	b = bucket(c, addr);
	mine = &c->address[(size_t)b * c->workers + slot];
	atomic_fetch_add(mine, 1);
	if (sum_bucket(c, b) > c->per_address) {
		atomic_fetch_sub(mine, 1);
		return (STREAM_CAPS_ADDRESS);
	}
	atomic_fetch_add(&c->node[slot], 1);
	if (sum_node(c) > c->node_max) {
		atomic_fetch_sub(&c->node[slot], 1);
		atomic_fetch_sub(mine, 1);
		return (STREAM_CAPS_NODE);
	}
	*ticket = b;
	return (STREAM_CAPS_OK);
}

void
stream_caps_close(struct stream_caps *c, unsigned slot, uint32_t ticket)
{
	if (c == NULL || slot >= c->workers || ticket >= c->buckets)
		return;
	atomic_fetch_sub(&c->address[(size_t)ticket * c->workers + slot], 1);
	atomic_fetch_sub(&c->node[slot], 1);
}

int
stream_caps_node(const struct stream_caps *c)
{
	return (c != NULL ? sum_node(c) : 0);
}

int
stream_caps_address(const struct stream_caps *c, const char *addr)
{
	return (c != NULL ? sum_bucket(c, bucket(c, addr)) : 0);
}

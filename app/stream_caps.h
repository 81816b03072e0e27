/*
 * Node-wide caps on live streams (stream.c), counted across the workers
 * of a node in memory they share: the parent maps it before the workers
 * fork (stream_caps_create), each worker counts in a slot of its own
 * (stream_caps_open, stream_caps_close), and a cap is checked against
 * the sum over the slots, so no lock is needed.
 *
 * Two counts: the node's open streams (its cap is stream_max: 503) and
 * the streams of each address (the per-address cap: 429). An address is
 * counted by its limit key (netaddr_limit_key: an IPv6 address by its
 * /64), in one of a fixed table of counters chosen by a keyed hash of
 * that key (crypto_shorthash, its key random per start). The table has
 * 16 counters per stream the node may hold (up to 2^20 counters), so
 * two addresses rarely share one; those that do share their cap, and the random key
 * keeps anyone from choosing whom they share it with.
 *
 * A worker that dies takes its connections, and so its streams, with
 * it: the slot it counted in is zeroed when the worker starts again
 * (stream_caps_worker_start), Kore's restarted worker having the same
 * id. Until then its counts still stand (a cap may refuse early for that
 * moment), never longer.
 *
 * Free of Kore types, for the unit tests.
 */
#ifndef PARLEY_STREAM_CAPS_H
#define PARLEY_STREAM_CAPS_H

#include <stdint.h>

struct stream_caps;

enum stream_caps_verdict {
	STREAM_CAPS_OK = 0,
	STREAM_CAPS_ADDRESS, /* past the per-address cap */
	STREAM_CAPS_NODE, /* past the node's cap */
};

/* Maps the shared counters for `workers` slots (1 to 255), a node cap of
 * node_max streams and per_address streams from one address. NULL if
 * the memory cannot be had. */
struct stream_caps *stream_caps_create(unsigned workers, int node_max,
    int per_address);
/* Unmaps (tests; the server keeps them for its life). */
void stream_caps_destroy(struct stream_caps *);

/* A worker (slot 0 to workers - 1) starts: what its slot counted is gone. */
void stream_caps_worker_start(struct stream_caps *, unsigned slot);

/* A stream from the client address `addr` (text) asks to open on the
 * worker of `slot`: counted and STREAM_CAPS_OK, with *ticket for
 * stream_caps_close, or refused and not counted. */
enum stream_caps_verdict stream_caps_open(struct stream_caps *, unsigned slot,
    const char *addr, uint32_t *ticket);
/* That stream ended. */
void stream_caps_close(struct stream_caps *, unsigned slot, uint32_t ticket);

/* The node's open streams, and those of addr's limit key. */
int stream_caps_node(const struct stream_caps *);
int stream_caps_address(const struct stream_caps *, const char *addr);

#endif

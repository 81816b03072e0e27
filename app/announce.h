/*
 * The changes a worker has yet to announce to every worker of every node
 * (listen.c sends them on PostgreSQL's "parley_thread" channel after
 * their commit): post keys, coalesced and deduplicated while the previous
 * announcement is in flight, collapsing to "every post" past a bound.
 */
#ifndef PARLEY_ANNOUNCE_H
#define PARLEY_ANNOUNCE_H

#include <stddef.h>

#include "buf.h"

/* Past these, one "every post" message replaces the keys. */
#define ANNOUNCE_KEYS_MAX  64
#define ANNOUNCE_BYTES_MAX 4096

struct announce {
	struct buf keys; /* '\n'-separated, no trailing one */
	size_t     n;
	int        all; /* every post may have changed */
	int        deliveries; /* hook deliverers have work */
	/* Someone waits for the primary's WAL position after their
	 * commit (listen_barrier): an announcement goes out even with
	 * nothing to tell. */
	int barrier;
};

void announce_init(struct announce *);
void announce_free(struct announce *);
/* Post key changed; NULL, "" or a key with a newline: every post. */
void announce_post(struct announce *, const char *);
void announce_deliveries(struct announce *);
void announce_barrier(struct announce *);
int  announce_pending(const struct announce *);
/*
 * Hands over what is pending and empties the set: *keys is a new string
 * of '\n'-separated keys, or NULL for every post (free it); *deliveries
 * is 1 when the deliverers are to be woken. *keys is "" when there is
 * only a barrier.
 */
void announce_take(struct announce *, char **keys, int *deliveries);

#endif

/*
 * Each worker listens on PostgreSQL's "parley_thread" channel, where
 * triggers, and workers after posting a comment (listen_announce),
 * announce the post keys whose threads or counts changed, and drops
 * those answers from its cache; and on "parley_sites", where a change
 * of the allowed_origins setting arrives with the new list (sites.c),
 * which the connection also reads once it is listening. A dedicated libpq connection,
 * connected and driven without blocking by Kore's event loop; when it is
 * lost, the cache is off (and emptied) until a reconnect succeeds, so a
 * missed message cannot leave stale answers behind.
 */
#ifndef PARLEY_LISTEN_H
#define PARLEY_LISTEN_H

#include <sys/queue.h>

#include <stdint.h>

struct http_request;

/* A request waiting for its announcement (owned by the handler's state). */
struct listen_waiter {
	struct http_request *req;
	uint64_t             ticket;
	int                  queued;
	TAILQ_ENTRY(listen_waiter) list;
};

/* Starts connecting and listening; retries every second while it cannot. */
void listen_start(const char *conninfo);

/*
 * Reads whatever the channel holds right now (one non-blocking recv):
 * pending changes and a lost connection are seen before the cache
 * answers, not only when the event loop comes round to the socket.
 */
void listen_poll(void);
/* Reads waiting stream events now if the connection is free (stream.c);
 * otherwise once it is. */
void listen_kick(void);
/* 1 while the connection exists or is being made, 0 after a failure
 * (until the next attempt, a second later). */
int listen_connected(void);

/*
 * After a commit that changed post's thread (NULL: maybe every post) and,
 * if deliveries, made hook deliveries: tells every worker of every node,
 * and the deliverers, through PostgreSQL. Coalesced while an earlier
 * announcement is in flight; kept until the connection is back if it is
 * down. Returns a ticket for listen_wait.
 */
uint64_t listen_announce(const char *post, int deliveries);

/* A ticket for the next announcement, which goes out even with nothing
 * to tell: after a commit announced some other way (its triggers), for
 * the WAL position past it (listen_written). */
uint64_t listen_barrier(void);

/*
 * 1 once the announcement with ticket has been committed (or could not
 * be: the channel is down, and this worker's cache with it). Otherwise
 * puts req to sleep until then and returns 0: return KORE_RESULT_RETRY,
 * and call again when the handler runs next. So a writer's next read,
 * on any worker, finds the change announced.
 */
int listen_wait(struct http_request *, struct listen_waiter *, uint64_t ticket);
/* After listen_wait said 1: the primary's WAL position past the commit
 * announced with ticket (the writer's X-Parley-Written, replica.h); 0 if
 * the announcement did not go out. */
uint64_t listen_written(uint64_t ticket);
/* Forgets w (the request is going away). Idempotent. */
void listen_unwait(struct listen_waiter *);

#endif

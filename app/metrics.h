/*
 * The node's metrics for /metrics (Prometheus text format 0.0.4), counted
 * across the workers of a node in memory they share: the parent maps it
 * before the workers fork (metrics_create), each process counts in a slot
 * of its own (metrics_attach: a worker's slot is Kore's worker id - 1),
 * and a scrape adds up the slots, so no lock is needed: every value is
 * an atomic that only its slot's process writes.
 *
 * Counters survive a worker's restart (its successor keeps adding to the
 * same slot, so a node's totals never go down while the parent lives);
 * gauges describe the process that set them (its cache's bytes, its
 * password queue) and are zeroed when a worker starts in the slot.
 *
 * Requests are counted by route (the name of the route's handler, given
 * by the parent before the workers fork: never the URL), method and
 * status class, with a latency histogram by route.
 *
 * Free of Kore types, for the unit tests. Every counting call does
 * nothing in a process that attached no slot.
 */
#ifndef PARLEY_METRICS_H
#define PARLEY_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define METRICS_ROUTES_MAX     64
#define METRICS_ROUTE_NAME_MAX 48
/* Histogram buckets (upper bounds in seconds; +Inf comes after). */
#define METRICS_BUCKETS 13

enum metrics_method {
	METRICS_GET,
	METRICS_HEAD,
	METRICS_POST,
	METRICS_PUT,
	METRICS_PATCH,
	METRICS_DELETE,
	METRICS_OPTIONS,
	METRICS_OTHER,
	METRICS_METHODS
};

/* Counters by name (metrics.c's table gives their text). */
enum metrics_counter {
	METRICS_COMMENTS_APPROVE, /* stored approved */
	METRICS_COMMENTS_HOLD, /* stored pending */
	METRICS_COMMENTS_SPAM, /* stored as spam */
	METRICS_COMMENTS_REFUSE, /* refused, nothing stored */
	METRICS_CACHE_HITS,
	METRICS_CACHE_MISSES,
	METRICS_DB_QUERIES,
	METRICS_DB_WAITS, /* a query queued for a free connection */
	METRICS_DB_ERRORS, /* a query failed (SQL error, no database) */
	METRICS_DB_REPLICA, /* a query sent to database_replica */
	METRICS_DB_REPLICA_FALLBACK, /* ... that failed, then went to the
				      * primary */
	METRICS_PW_REFUSED, /* password work refused: its queue was full */
	METRICS_REQUESTS, /* answers of a route (shown by worker) */
	METRICS_COUNTERS
};

enum metrics_gauge {
	METRICS_CACHE_BYTES, /* held by the workers' caches */
	METRICS_CACHE_ENTRIES,
	METRICS_PW_QUEUE, /* password work waiting or running */
	METRICS_GAUGES
};

/* What a scrape reads elsewhere: the database's queues (have_db 0 when the
 * query failed: they are left out) and the node's open streams. */
struct metrics_extra {
	int     have_db;
	int64_t deliveries_pending; /* hook deliveries to send */
	int64_t deliveries_retrying; /* of those, failed at least once */
	int64_t delivery_failures_hour; /* failed attempts, last hour */
	int64_t mail_pending; /* mail waiting to be sent */
	int64_t mail_retrying; /* of those, failed at least once */
	int64_t mail_failed_hour; /* mail given up in the last hour */
	int64_t streams_open;
};

struct metrics;

/* Maps zeroed metrics for `workers` slots (1 to 255). NULL if the memory
 * cannot be had. */
struct metrics *metrics_create(unsigned workers);
/* Unmaps (tests; the server keeps them for its life). */
void metrics_destroy(struct metrics *);
/*
 * Names a route (before any worker forks): its index, the same for a
 * name given again; -1 when METRICS_ROUTES_MAX are named or the name is
 * too long or empty.
 */
int metrics_route(struct metrics *, const char *name);

/* This process counts in slot (0 to workers - 1) from now on; its gauges
 * start at zero. NULL: it counts nowhere. */
void metrics_attach(struct metrics *, unsigned slot);

void metrics_count(enum metrics_counter, uint64_t n);
void metrics_gauge_add(enum metrics_gauge, int64_t delta);
void metrics_gauge_set(enum metrics_gauge, int64_t value);
/* An answer on route (-1: none named) to method, with status, usec after
 * the request began. */
void metrics_request(int route, enum metrics_method, int status, uint64_t usec);

/* Sums over the slots (tests, and the rendering). */
uint64_t metrics_counter_sum(const struct metrics *, enum metrics_counter);
int64_t  metrics_gauge_sum(const struct metrics *, enum metrics_gauge);
uint64_t metrics_requests_sum(const struct metrics *, int route,
    enum metrics_method, int                              status_class);
/* The histogram's cumulative count up to bucket b (METRICS_BUCKETS: +Inf). */
uint64_t metrics_bucket_sum(const struct metrics *, int route, int b);

/* Appends the text format of everything (extra may be NULL). */
void metrics_render(const struct metrics *, const struct metrics_extra *,
    struct buf *);
/* A label value as the text format quotes it (no quotes added): \\, \"
 * and \n escaped. */
void metrics_label_escape(struct buf *, const char *);

/*
 * When each request of this process began, kept aside by key (the
 * request's address) from its first run to its answer: a fixed table,
 * where an entry never answered is taken over when its key comes again
 * or once it is old. metrics_begin records now_us; metrics_end returns
 * the recorded start and forgets it, or 0 when there is none.
 */
void     metrics_begin(const void *key, uint64_t now_us);
uint64_t metrics_end(const void *key);

#endif

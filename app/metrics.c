/*
 * The node's metrics in shared memory (metrics.h).
 *
 * One mapping: the header (the routes' names, written by the parent
 * before the workers fork, then only read), then one slot per worker.
 * A slot's values are atomics written by its process only; a scrape
 * reads every slot and adds up. A histogram keeps the count of each
 * bucket alone (not cumulative) and the sum of the latencies in
 * microseconds; rendering makes the buckets cumulative.
 */
#include <sys/mman.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

#include "metrics.h"

#define WORKERS_MAX 255
/* metrics_begin's table: a power of two, probed this far. */
#define STARTS       4096
#define STARTS_PROBE 8
/* An entry older than this was never answered: taken over. */
#define START_STALE_US (600ULL * 1000000)

#define STATUS_CLASSES 5 /* 1xx to 5xx */

struct metrics_slot {
	_Atomic uint64_t counters[METRICS_COUNTERS];
	_Atomic int64_t  gauges[METRICS_GAUGES];
	_Atomic uint64_t
	    requests[METRICS_ROUTES_MAX][METRICS_METHODS][STATUS_CLASSES];
	_Atomic uint64_t buckets[METRICS_ROUTES_MAX][METRICS_BUCKETS + 1];
	_Atomic uint64_t sum_us[METRICS_ROUTES_MAX];
};

struct metrics {
	unsigned             workers;
	int                  nroutes;
	size_t               len; /* of the whole mapping */
	char                 routes[METRICS_ROUTES_MAX][METRICS_ROUTE_NAME_MAX];
	struct metrics_slot *slots; /* [workers] */
};

/* Upper bounds of the buckets, in microseconds and as the text says. */
static const uint64_t    bucket_us[METRICS_BUCKETS] = { 1000, 2500, 5000, 10000,
	   25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	   10000000 };
static const char *const bucket_le[METRICS_BUCKETS] = { "0.001", "0.0025",
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
	"10" };

static const char *const method_names[METRICS_METHODS] = { "GET", "HEAD",
	"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other" };

/* This process's slot. */
static struct metrics_slot *mine;

struct metrics *
metrics_create(unsigned workers)
{
	struct metrics *m;
	size_t          head, len;
	void           *p;

	if (workers == 0 || workers > WORKERS_MAX)
		return (NULL);
	head = (sizeof(*m) + 63) & ~(size_t)63;
	len = head + workers * sizeof(struct metrics_slot);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	/* A fresh anonymous mapping is zeroed: every value is 0. */
	m = p;
	m->workers = workers;
	m->len = len;
	m->slots = (struct metrics_slot *)((char *)p + head);
	return (m);
}

void
metrics_destroy(struct metrics *m)
{
	if (m == NULL)
		return;
	if (mine != NULL && mine >= m->slots && mine < m->slots + m->workers)
		mine = NULL;
	(void)munmap(m, m->len);
}

int
metrics_route(struct metrics *m, const char *name)
{
	int i;

	if (m == NULL || name == NULL || *name == '\0' ||
	    strlen(name) >= METRICS_ROUTE_NAME_MAX)
		return (-1);
	for (i = 0; i < m->nroutes; i++)
		if (strcmp(m->routes[i], name) == 0)
			return (i);
	if (m->nroutes == METRICS_ROUTES_MAX)
		return (-1);
	memcpy(m->routes[m->nroutes], name, strlen(name) + 1);
	return (m->nroutes++);
}

void
metrics_attach(struct metrics *m, unsigned slot)
{
	int g;

	if (m == NULL || slot >= m->workers) {
		mine = NULL;
		return;
	}
	mine = &m->slots[slot];
	/* What a dead predecessor held (cache, queue) went with it. */
	for (g = 0; g < METRICS_GAUGES; g++)
		atomic_store(&mine->gauges[g], 0);
}

void
metrics_count(enum metrics_counter c, uint64_t n)
{
	if (mine != NULL && (unsigned)c < METRICS_COUNTERS)
		atomic_fetch_add_explicit(&mine->counters[c], n,
		    memory_order_relaxed);
}

void
metrics_gauge_add(enum metrics_gauge g, int64_t delta)
{
	if (mine != NULL && (unsigned)g < METRICS_GAUGES)
		atomic_fetch_add_explicit(&mine->gauges[g], delta,
		    memory_order_relaxed);
}

void
metrics_gauge_set(enum metrics_gauge g, int64_t value)
{
	if (mine != NULL && (unsigned)g < METRICS_GAUGES)
		atomic_store_explicit(&mine->gauges[g], value,
		    memory_order_relaxed);
}

void
metrics_request(int route, enum metrics_method method, int status,
    uint64_t usec)
{
	int b, cls;

	if (mine == NULL || route < 0 || route >= METRICS_ROUTES_MAX)
		return;
	if ((unsigned)method >= METRICS_METHODS)
		method = METRICS_OTHER;
	cls = status / 100 - 1;
	if (cls < 0 || cls >= STATUS_CLASSES)
		cls = STATUS_CLASSES - 1; /* nonsense is a server error */
	for (b = 0; b < METRICS_BUCKETS && usec > bucket_us[b]; b++)
		;
	atomic_fetch_add_explicit(&mine->requests[route][method][cls], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&mine->counters[METRICS_REQUESTS], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&mine->buckets[route][b], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&mine->sum_us[route], usec,
	    memory_order_relaxed);
}

uint64_t
metrics_counter_sum(const struct metrics *m, enum metrics_counter c)
{
	uint64_t n = 0;
	unsigned w;

	if (m == NULL || (unsigned)c >= METRICS_COUNTERS)
		return (0);
	for (w = 0; w < m->workers; w++)
		n += atomic_load(&m->slots[w].counters[c]);
	return (n);
}

int64_t
metrics_gauge_sum(const struct metrics *m, enum metrics_gauge g)
{
	int64_t  n = 0;
	unsigned w;

	if (m == NULL || (unsigned)g >= METRICS_GAUGES)
		return (0);
	for (w = 0; w < m->workers; w++)
		n += atomic_load(&m->slots[w].gauges[g]);
	return (n);
}

uint64_t
metrics_requests_sum(const struct metrics *m, int route,
    enum metrics_method method, int status_class)
{
	uint64_t n = 0;
	unsigned w;
	int      cls = status_class - 1;

	if (m == NULL || route < 0 || route >= METRICS_ROUTES_MAX ||
	    (unsigned)method >= METRICS_METHODS || cls < 0 ||
	    cls >= STATUS_CLASSES)
		return (0);
	for (w = 0; w < m->workers; w++)
		n += atomic_load(&m->slots[w].requests[route][method][cls]);
	return (n);
}

uint64_t
metrics_bucket_sum(const struct metrics *m, int route, int b)
{
	uint64_t n = 0;
	unsigned w;
	int      i;

	if (m == NULL || route < 0 || route >= METRICS_ROUTES_MAX || b < 0 ||
	    b > METRICS_BUCKETS)
		return (0);
	for (w = 0; w < m->workers; w++)
		for (i = 0; i <= b; i++)
			n += atomic_load(&m->slots[w].buckets[route][i]);
	return (n);
}

static uint64_t
sum_us(const struct metrics *m, int route)
{
	uint64_t n = 0;
	unsigned w;

	for (w = 0; w < m->workers; w++)
		n += atomic_load(&m->slots[w].sum_us[route]);
	return (n);
}

void
metrics_label_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
route_label(struct buf *b, const struct metrics *m, int r)
{
	buf_puts(b, "route=\"");
	metrics_label_escape(b, m->routes[r]);
	buf_putc(b, '"');
}

static void
render_requests(const struct metrics *m, struct buf *b)
{
	uint64_t n;
	unsigned w;
	int      r, meth, cls;

	family(b, "parley_http_requests_total", "counter",
	    "Answers sent, by route (its handler), method and status class.");
	for (r = 0; r < m->nroutes; r++)
		for (meth = 0; meth < METRICS_METHODS; meth++)
			for (cls = 1; cls <= STATUS_CLASSES; cls++) {
				n = metrics_requests_sum(m, r, meth, cls);
				if (n == 0)
					continue;
				buf_puts(b, "parley_http_requests_total{");
				route_label(b, m, r);
				buf_printf(b,
				    ",method=\"%s\",code=\"%dxx\"} %" PRIu64
				    "\n",
				    method_names[meth], cls, n);
			}

	family(b, "parley_worker_requests_total", "counter",
	    "Answers sent, by worker (Kore's worker number).");
	for (w = 0; w < m->workers; w++)
		buf_printf(b,
		    "parley_worker_requests_total{worker=\"%u\"} %" PRIu64 "\n",
		    w + 1,
		    atomic_load(&m->slots[w].counters[METRICS_REQUESTS]));

	family(b, "parley_http_request_duration_seconds", "histogram",
	    "Time from a request's first run to its answer, by route.");
	for (r = 0; r < m->nroutes; r++) {
		uint64_t total = metrics_bucket_sum(m, r, METRICS_BUCKETS);
		uint64_t us;
		int      i;

		if (total == 0)
			continue;
		for (i = 0; i <= METRICS_BUCKETS; i++) {
			buf_puts(b,
			    "parley_http_request_duration_seconds_bucket{");
			route_label(b, m, r);
			buf_printf(b, ",le=\"%s\"} %" PRIu64 "\n",
			    i < METRICS_BUCKETS ? bucket_le[i] : "+Inf",
			    metrics_bucket_sum(m, r, i));
		}
		us = sum_us(m, r);
		buf_puts(b, "parley_http_request_duration_seconds_sum{");
		route_label(b, m, r);
		buf_printf(b, "} %" PRIu64 ".%06" PRIu64 "\n", us / 1000000,
		    us % 1000000);
		buf_puts(b, "parley_http_request_duration_seconds_count{");
		route_label(b, m, r);
		buf_printf(b, "} %" PRIu64 "\n", total);
	}
}

static void
counter(struct buf *b, const struct metrics *m, const char *name,
    enum metrics_counter c, const char *help)
{
	family(b, name, "counter", help);
	buf_printf(b, "%s %" PRIu64 "\n", name, metrics_counter_sum(m, c));
}

static void
gauge(struct buf *b, const char *name, int64_t v, const char *help)
{
	family(b, name, "gauge", help);
	buf_printf(b, "%s %" PRId64 "\n", name, v);
}

void
metrics_render(const struct metrics *m, const struct metrics_extra *x,
    struct buf *b)
{
	static const struct {
		const char          *verdict;
		enum metrics_counter c;
	} verdicts[] = {
		{ "approved", METRICS_COMMENTS_APPROVE },
		{ "held", METRICS_COMMENTS_HOLD },
		{ "spam", METRICS_COMMENTS_SPAM },
		{ "refused", METRICS_COMMENTS_REFUSE },
	};
	size_t i;

	if (m == NULL)
		return;
	render_requests(m, b);

	family(b, "parley_comments_total", "counter",
	    "New comments by moderation's verdict (refused: nothing stored).");
	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		buf_printf(b,
		    "parley_comments_total{verdict=\"%s\"} %" PRIu64 "\n",
		    verdicts[i].verdict, metrics_counter_sum(m, verdicts[i].c));

	counter(b, m, "parley_cache_hits_total", METRICS_CACHE_HITS,
	    "Answers served from a worker's cache.");
	counter(b, m, "parley_cache_misses_total", METRICS_CACHE_MISSES,
	    "Cacheable answers not in the worker's cache.");
	gauge(b, "parley_cache_bytes",
	    metrics_gauge_sum(m, METRICS_CACHE_BYTES),
	    "Bytes held by the workers' caches.");
	gauge(b, "parley_cache_entries",
	    metrics_gauge_sum(m, METRICS_CACHE_ENTRIES),
	    "Answers held by the workers' caches.");

	counter(b, m, "parley_db_queries_total", METRICS_DB_QUERIES,
	    "Queries the request handlers started.");
	counter(b, m, "parley_db_pool_waits_total", METRICS_DB_WAITS,
	    "Queries that waited for a free pooled connection.");
	counter(b, m, "parley_db_errors_total", METRICS_DB_ERRORS,
	    "Queries that failed (SQL error or no database).");
	counter(b, m, "parley_db_replica_queries_total", METRICS_DB_REPLICA,
	    "Anonymous reads sent to the streaming replica.");
	counter(b, m, "parley_db_replica_fallbacks_total",
	    METRICS_DB_REPLICA_FALLBACK,
	    "Reads the replica failed, answered by the primary instead.");

	gauge(b, "parley_password_queue_depth",
	    metrics_gauge_sum(m, METRICS_PW_QUEUE),
	    "Password hashings waiting or running.");
	counter(b, m, "parley_password_refused_total", METRICS_PW_REFUSED,
	    "Password work refused (503) because its queue was full.");

	if (x == NULL)
		return;
	gauge(b, "parley_streams_open", x->streams_open,
	    "Live streams (Server-Sent Events) open on the node.");
	gauge(b, "parley_database_up", x->have_db ? 1 : 0,
	    "1 when this scrape could read the queues from the database.");
	if (!x->have_db)
		return;
	gauge(b, "parley_deliveries_pending", x->deliveries_pending,
	    "Hook deliveries waiting to be sent (the outbox).");
	gauge(b, "parley_deliveries_retrying", x->deliveries_retrying,
	    "Pending hook deliveries that failed at least once.");
	gauge(b, "parley_delivery_failures_last_hour",
	    x->delivery_failures_hour,
	    "Hook delivery attempts that failed in the last hour.");
	gauge(b, "parley_mail_pending", x->mail_pending,
	    "Mails waiting to be sent (the mail queue).");
	gauge(b, "parley_mail_retrying", x->mail_retrying,
	    "Pending mails that failed at least once.");
	gauge(b, "parley_mail_failed_last_hour", x->mail_failed_hour,
	    "Mails given up in the last hour.");
}

/* metrics_begin's table: this process's own. */
static struct {
	const void *key;
	uint64_t    start;
} starts[STARTS];

static unsigned
start_index(const void *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key;

	h ^= h >> 29;
	h *= 0x9e3779b97f4a7c15ULL;
	return ((unsigned)(h >> 40) & (STARTS - 1));
}

void
metrics_begin(const void *key, uint64_t now_us)
{
	unsigned i, at, free_at = STARTS;

	for (i = 0; i < STARTS_PROBE; i++) {
		at = (start_index(key) + i) & (STARTS - 1);
		if (starts[at].key == key) {
			starts[at].start = now_us;
			return;
		}
		if (free_at == STARTS &&
		    (starts[at].key == NULL ||
		        now_us - starts[at].start > START_STALE_US))
			free_at = at;
	}
	if (free_at == STARTS)
		return; /* full: this request's latency goes unmeasured */
	starts[free_at].key = key;
	starts[free_at].start = now_us;
}

uint64_t
metrics_end(const void *key)
{
	unsigned i, at;
	uint64_t start;

	for (i = 0; i < STARTS_PROBE; i++) {
		at = (start_index(key) + i) & (STARTS - 1);
		if (starts[at].key == key) {
			start = starts[at].start;
			starts[at].key = NULL;
			return (start);
		}
	}
	return (0);
}

/*
 * /metrics on its own listener (handler_metrics.h).
 *
 * The listener is a Kore server made here, in the parent, from
 * parley.conf's metrics_listen, as the configuration file would make
 * one: a plain-HTTP server with a domain "*" whose only route is
 * /metrics. Kore picks a request's domain among those of the server
 * whose listener accepted it, so the public server's domain, which has
 * no such route, answers /metrics with 404.
 */
#include <string.h>
#include <time.h>

#include "api.h"
#include "db.h"
#include "handler_metrics.h"
#include "metrics.h"
#include "stream.h"

#define METRICS_SERVER "parley-metrics"
#define ROUTE_PREFIX   "handler_"

static struct metrics *shared;
/* Each route's handler and its name's index: made by the parent,
 * inherited by the workers. */
static struct {
	const struct kore_module_handle *hdlr;
	int                              route;
} routes[METRICS_ROUTES_MAX * 2];
static size_t nroutes;

/* The queues an operator watches, counted with the partial indexes that
 * serve their senders (and sql/030_metrics.sql's). */
static const char sql_queues[] =
    "SELECT (SELECT count(*) FROM deliveries WHERE state = 'pending'),"
    " (SELECT count(*) FROM deliveries WHERE state = 'pending'"
    "   AND attempts > 0),"
    " (SELECT count(*) FROM delivery_attempts"
    "   WHERE (status IS NULL OR status NOT BETWEEN 200 AND 299)"
    "   AND at > now() - interval '1 hour'),"
    " (SELECT count(*) FROM mail_outbox WHERE state = 'pending'),"
    " (SELECT count(*) FROM mail_outbox WHERE state = 'pending'"
    "   AND attempts > 0),"
    " (SELECT count(*) FROM mail_outbox WHERE state = 'failed'"
    "   AND failed_at > now() - interval '1 hour')";

static uint64_t
now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

static void
name_routes(void)
{
	struct kore_server        *srv;
	struct kore_domain        *dom;
	struct kore_module_handle *h;
	const char                *name;
	int                        r;

	LIST_FOREACH(srv, &kore_servers, list)
	{
		TAILQ_FOREACH(dom, &srv->domains, list)
		{
			TAILQ_FOREACH(h, &dom->handlers, list)
			{
				name = h->func;
				if (strncmp(name, ROUTE_PREFIX,
				        strlen(ROUTE_PREFIX)) == 0)
					name += strlen(ROUTE_PREFIX);
				if ((r = metrics_route(shared, name)) == -1 ||
				    nroutes ==
				        sizeof(routes) / sizeof(routes[0])) {
					kore_log(LOG_WARNING,
					    "parley: /metrics does not count "
					    "route %s (too many routes)",
					    h->func);
					continue;
				}
				routes[nroutes].hdlr = h;
				routes[nroutes].route = r;
				nroutes++;
			}
		}
	}
}

static int
listener_start(const struct config *cf)
{
	struct kore_server *srv;
	struct kore_domain *dom;

	srv = kore_server_create(METRICS_SERVER);
	srv->tls = 0;
	if (!kore_server_bind(srv, cf->metrics_host, cf->metrics_port, NULL))
		return (-2);
	dom = kore_domain_new("*");
	if (!kore_domain_attach(dom, srv) ||
	    !kore_module_handler_new(dom, "/metrics", "handler_metrics", NULL,
	        HANDLER_TYPE_STATIC))
		return (-2);
	kore_server_finalize(srv);
	return (0);
}

int
metrics_parent_init(unsigned workers, const struct config *cf)
{
	if ((shared = metrics_create(workers)) == NULL)
		return (-1);
	/* The public routes only: scrapes are not counted. */
	name_routes();
	if (cf->metrics_host == NULL) {
		kore_log(LOG_INFO, "parley: /metrics is off");
		return (0);
	}
	return (listener_start(cf));
}

void
metrics_worker_init(unsigned slot)
{
	metrics_attach(shared, slot);
}

void
metrics_http_begin(struct http_request *req)
{
	/* Kore sets end after each run: 0 is the first. */
	if (req->end == 0)
		metrics_begin(req, now_us());
}

static enum metrics_method
method_of(const struct http_request *req)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
		return (METRICS_GET);
	case HTTP_METHOD_HEAD:
		return (METRICS_HEAD);
	case HTTP_METHOD_POST:
		return (METRICS_POST);
	case HTTP_METHOD_PUT:
		return (METRICS_PUT);
	case HTTP_METHOD_PATCH:
		return (METRICS_PATCH);
	case HTTP_METHOD_DELETE:
		return (METRICS_DELETE);
	case HTTP_METHOD_OPTIONS:
		return (METRICS_OPTIONS);
	default:
		return (METRICS_OTHER);
	}
}

void
metrics_http_answered(struct http_request *req, int status)
{
	uint64_t start, now;
	size_t   i;
	int      route = -1;

	for (i = 0; i < nroutes; i++) {
		if (routes[i].hdlr == req->hdlr) {
			route = routes[i].route;
			break;
		}
	}
	now = now_us();
	/* Not begun (its guard did not run): the handler's own time, as
	 * Kore measured it in milliseconds. */
	if ((start = metrics_end(req)) == 0 || start > now)
		start =
		    now - (req->total + (kore_time_ms() - req->start)) * 1000;
	metrics_request(route, method_of(req), status, now - start);
}

struct scrape {
	struct db_query q;
};

static void
scrape_free(struct http_request *req)
{
	struct scrape *s = http_state_get(req);

	db_done(&s->q);
}

int
handler_metrics(struct http_request *req)
{
	struct metrics_extra x;
	struct scrape       *s;
	struct buf           b;
	enum db_status       st;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), scrape_free);
		db_query_init(&s->q, sql_queues);
	}
	s = http_state_get(req);
	if ((st = db_run(req, &s->q)) == DB_PENDING)
		return (KORE_RESULT_RETRY);

	memset(&x, 0, sizeof(x));
	x.streams_open = stream_open_count();
	if (st == DB_READY && db_rows(&s->q) == 1) {
		x.have_db = 1;
		x.deliveries_pending = db_int(&s->q, 0, 0);
		x.deliveries_retrying = db_int(&s->q, 0, 1);
		x.delivery_failures_hour = db_int(&s->q, 0, 2);
		x.mail_pending = db_int(&s->q, 0, 3);
		x.mail_retrying = db_int(&s->q, 0, 4);
		x.mail_failed_hour = db_int(&s->q, 0, 5);
	}
	db_done(&s->q);

	buf_init(&b);
	metrics_render(shared, &x, &b);
	http_response_header(req, "content-type",
	    "text/plain; version=0.0.4; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	api_respond(req, 200, req->method == HTTP_METHOD_HEAD ? NULL : b.data,
	    b.len);
	buf_free(&b);
	return (KORE_RESULT_OK);
}

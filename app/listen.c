#include <string.h>

#include <kore/kore.h>

#include <libpq-fe.h>

#include "cache.h"
#include "listen.h"

#define LISTEN_RETRY_MS	1000
#define LISTEN_CHANNEL	"parley_thread"

static struct kore_event	 listen_evt;
static PGconn			*listen_conn;
static const char		*listen_conninfo;

static void	listen_connect(void);

static void
retry_cb(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	listen_connect();
}

/* The channel is gone: stop trusting the cache and try again later. */
static void
listen_lost(const char *why)
{
	if (listen_conn != NULL) {
		kore_log(LOG_NOTICE, "listen: %s: %s", why,
		    PQerrorMessage(listen_conn));
		/* Closing the socket takes it out of epoll. */
		PQfinish(listen_conn);
		listen_conn = NULL;
	}
	cache_set_usable(0);
	(void)kore_timer_add(retry_cb, LISTEN_RETRY_MS, NULL, KORE_TIMER_ONESHOT);
}

static void
listen_handle(void *arg, int error)
{
	PGnotify	*n;
	PGresult	*r;

	(void)arg;
	if (listen_conn == NULL)
		return;
	if (error || !PQconsumeInput(listen_conn)) {
		listen_lost("connection lost");
		return;
	}
	while (!PQisBusy(listen_conn) &&
	    (r = PQgetResult(listen_conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			listen_lost("LISTEN failed");
			return;
		}
		PQclear(r);
		/* LISTEN is in place: from now on no change goes unseen. */
		cache_set_usable(1);
	}
	while ((n = PQnotifies(listen_conn)) != NULL) {
		if (n->extra != NULL && n->extra[0] != '\0')
			cache_invalidate(n->extra);
		else
			cache_clear();
		PQfreemem(n);
	}
}

static void
listen_connect(void)
{
	/* Blocking, but refused at once when PostgreSQL is down; and
	 * connect_timeout in the connection string bounds the rest. */
	listen_conn = PQconnectdb(listen_conninfo);
	if (PQstatus(listen_conn) != CONNECTION_OK) {
		listen_lost("cannot connect");
		return;
	}
	if (PQsetnonblocking(listen_conn, 1) == -1 ||
	    !PQsendQuery(listen_conn, "LISTEN " LISTEN_CHANNEL)) {
		listen_lost("cannot send LISTEN");
		return;
	}
	memset(&listen_evt, 0, sizeof(listen_evt));
	listen_evt.type = KORE_TYPE_PGSQL_CONN;
	listen_evt.handle = listen_handle;
	kore_platform_schedule_read(PQsocket(listen_conn), &listen_evt);
	/* The answer may already be here: edge-triggered epoll would not
	 * tell us about data that arrived before we asked. */
	listen_handle(NULL, 0);
}

void
listen_poll(void)
{
	listen_handle(NULL, 0);
}

void
listen_start(const char *conninfo)
{
	listen_conninfo = conninfo;
	listen_connect();
}

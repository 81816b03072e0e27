#include <stdint.h>
#include <string.h>

#include <kore/kore.h>

#include <libpq-fe.h>

#include "cache.h"
#include "listen.h"

#define LISTEN_RETRY_MS	1000
#define LISTEN_CONNECT_MS	5000
#define LISTEN_CHANNEL	"parley_thread"

static struct kore_event	 listen_evt;
static PGconn			*listen_conn;
static const char		*listen_conninfo;
static int			 listen_connecting;
static uintptr_t		 listen_attempt;	/* which connect a timer is for */

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
	listen_connecting = 0;
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
	if (listen_conn == NULL || listen_connecting)
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

/* LISTEN on the connection now up; answers arrive in listen_handle. */
static void
listen_begin(void)
{
	if (PQsetnonblocking(listen_conn, 1) == -1 ||
	    !PQsendQuery(listen_conn, "LISTEN " LISTEN_CHANNEL) ||
	    PQflush(listen_conn) == -1) {
		listen_lost("cannot send LISTEN");
		return;
	}
	listen_evt.handle = listen_handle;
	kore_platform_schedule_read(PQsocket(listen_conn), &listen_evt);
	/* The answer may already be here: edge-triggered epoll would not
	 * tell us about data that arrived before we asked. */
	listen_handle(NULL, 0);
}

/*
 * One step of a non-blocking connect, each time the socket is ready: the
 * worker never waits for PostgreSQL, even one that does not answer.
 */
static void
connect_step(void *arg, int error)
{
	(void)arg;
	if (listen_conn == NULL)
		return;
	if (error) {
		listen_lost("cannot connect");
		return;
	}
	switch (PQconnectPoll(listen_conn)) {
	case PGRES_POLLING_OK:
		listen_connecting = 0;
		listen_begin();
		break;
	case PGRES_POLLING_READING:
		kore_platform_schedule_read(PQsocket(listen_conn), &listen_evt);
		break;
	case PGRES_POLLING_WRITING:
		kore_platform_schedule_write(PQsocket(listen_conn), &listen_evt);
		break;
	default:
		listen_lost("cannot connect");
		break;
	}
}

/* A connect still going after LISTEN_CONNECT_MS is given up. */
static void
connect_timeout(void *arg, u_int64_t now)
{
	(void)now;
	if (listen_connecting && (uintptr_t)arg == listen_attempt)
		listen_lost("connecting timed out");
}

static void
listen_connect(void)
{
	listen_attempt++;
	listen_conn = PQconnectStart(listen_conninfo);
	if (listen_conn == NULL || PQstatus(listen_conn) == CONNECTION_BAD) {
		listen_lost("cannot connect");
		return;
	}
	listen_connecting = 1;
	memset(&listen_evt, 0, sizeof(listen_evt));
	listen_evt.type = KORE_TYPE_PGSQL_CONN;
	listen_evt.handle = connect_step;
	(void)kore_timer_add(connect_timeout, LISTEN_CONNECT_MS,
	    (void *)listen_attempt, KORE_TIMER_ONESHOT);
	/* libpq starts by writing: wait until the socket may be written. */
	kore_platform_schedule_write(PQsocket(listen_conn), &listen_evt);
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

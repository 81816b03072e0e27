#include <kore/kore.h>

#include "pgconn.h"

/* A connect still going after this long is given up. */
#define PGCONN_CONNECT_MS 5000

void
pgconn_close(struct pgconn *c)
{
	c->connecting = 0;
	if (c->conn != NULL) {
		PQfinish(c->conn);
		c->conn = NULL;
	}
}

static void
connect_failed(struct pgconn *c, const char *why)
{
	kore_log(LOG_NOTICE, "pgsql: %s: %s", why,
	    c->conn != NULL ? PQerrorMessage(c->conn) : "");
	pgconn_close(c);
	c->failed(c, why);
}

/* One step of the connect, each time the socket is ready. */
static void
connect_step(void *arg, int error)
{
	struct pgconn *c = arg;

	if (c->conn == NULL || !c->connecting)
		return;
	if (error) {
		connect_failed(c, "cannot connect");
		return;
	}
	switch (PQconnectPoll(c->conn)) {
	case PGRES_POLLING_OK:
		c->connecting = 0;
		if (PQsetnonblocking(c->conn, 1) == -1) {
			connect_failed(c, "cannot connect");
			return;
		}
		c->ready(c);
		break;
	case PGRES_POLLING_READING:
		kore_platform_schedule_read(PQsocket(c->conn), &c->evt);
		break;
	case PGRES_POLLING_WRITING:
		kore_platform_schedule_write(PQsocket(c->conn), &c->evt);
		break;
	default:
		connect_failed(c, "cannot connect");
		break;
	}
}

/* Each connect arms one; a later connect's deadline makes it moot. */
static void
connect_timeout(void *arg, u_int64_t now)
{
	struct pgconn *c = arg;

	if (c->connecting && now >= c->deadline)
		connect_failed(c, "connecting timed out");
}

void
pgconn_connect(struct pgconn *c)
{
	pgconn_close(c);
	c->conn = PQconnectStart(c->conninfo);
	if (c->conn == NULL || PQstatus(c->conn) == CONNECTION_BAD) {
		connect_failed(c, "cannot connect");
		return;
	}
	c->connecting = 1;
	c->deadline = kore_time_ms() + PGCONN_CONNECT_MS;
	c->evt.type = KORE_TYPE_PGSQL_CONN;
	c->evt.flags = 0;
	c->evt.handle = connect_step;
	(void)kore_timer_add(connect_timeout, PGCONN_CONNECT_MS, c,
	    KORE_TIMER_ONESHOT);
	/* libpq starts by writing: wait until the socket may be written. */
	kore_platform_schedule_write(PQsocket(c->conn), &c->evt);
}

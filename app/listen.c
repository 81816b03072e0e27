#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <libpq-fe.h>

#include "announce.h"
#include "cache.h"
#include "listen.h"
#include "pgconn.h"
#include "replica.h"
#include "replica_lag.h"
#include "sites.h"
#include "store.h"
#include "stream.h"

#define LISTEN_RETRY_MS 1000
/* An announcement unanswered this long means a connection gone quiet. */
#define ANNOUNCE_TIMEOUT_MS 2000

static struct pgconn listen_pg;

/* What the connection is doing: one statement at a time. */
static enum {
	LISTEN_IDLE, /* listening, nothing in flight */
	LISTEN_SUBSCRIBING, /* LISTEN sent, not yet acknowledged */
	LISTEN_ANNOUNCING, /* an announcement in flight */
	LISTEN_FETCHING, /* a read of a post's stream events */
	LISTEN_POSITION, /* the primary's WAL position (replica.h) */
} listen_state;
static struct announce pending;
/* Announcements are numbered: sent so far, and answered (or given up). */
static uint64_t  announce_sent;
static uint64_t  announce_done;
static u_int64_t announce_since; /* when the one in flight left */
/* The primary's WAL position read by the last announcement answered, and
 * that announcement's number: past every commit announced by it. */
static uint64_t announced_lsn;
static uint64_t announced_lsn_ticket;
static uint64_t position_round; /* the position query in flight */
static TAILQ_HEAD(, listen_waiter) waiters = TAILQ_HEAD_INITIALIZER(waiters);

static void listen_connect(void);

static void
retry_cb(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	listen_connect();
}

/* Wakes the requests whose announcement is over. */
static void
waiters_wake(void)
{
	struct listen_waiter *w, *next;

	for (w = TAILQ_FIRST(&waiters); w != NULL; w = next) {
		next = TAILQ_NEXT(w, list);
		if (w->ticket > announce_done)
			continue;
		TAILQ_REMOVE(&waiters, w, list);
		w->queued = 0;
		http_request_wakeup(w->req);
	}
}

/* The channel is gone: stop trusting the cache and try again later. */
static void
listen_lost(const char *why)
{
	/* An announcement in flight may or may not have gone out. */
	if (listen_state == LISTEN_ANNOUNCING)
		announce_post(&pending, NULL);
	if (listen_state == LISTEN_FETCHING)
		stream_fetched(NULL);
	/* Whatever changed meanwhile is read once the channel is back. */
	stream_changed(NULL);
	replica_heard(NULL);
	listen_state = LISTEN_IDLE;
	/* Nobody waits through an outage: what is pending goes out after
	 * the reconnect, and this worker's cache is off until then. */
	announce_done = ++announce_sent;
	waiters_wake();
	/* After a failed connect pgconn.c has said why, and closed it. */
	if (listen_pg.conn != NULL)
		kore_log(LOG_NOTICE, "listen: %s: %s", why,
		    PQerrorMessage(listen_pg.conn));
	/* Closing the socket takes it out of epoll. */
	pgconn_close(&listen_pg);
	cache_set_usable(0);
	sites_unavailable();
	(void)kore_timer_add(retry_cb, LISTEN_RETRY_MS, NULL,
	    KORE_TIMER_ONESHOT);
}

/* An announcement's or a position query's answer: the primary's WAL
 * position after the commits it follows. */
static void
position_read(PGresult *r)
{
	uint64_t lsn;

	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0) ||
	    lsn_parse(PQgetvalue(r, 0, 0), &lsn) == -1)
		return;
	if (listen_state == LISTEN_ANNOUNCING) {
		announced_lsn = lsn;
		announced_lsn_ticket = announce_sent;
	} else
		replica_position(position_round, lsn);
}

/*
 * Reads the results of the statement in flight: 1 once it is over, 0
 * while more is to come, -1 if it failed.
 */
static int
results_read(void)
{
	PGresult *r;
	int       failed = 0;

	for (;;) {
		if (PQisBusy(listen_pg.conn))
			return (0);
		if ((r = PQgetResult(listen_pg.conn)) == NULL)
			return (failed ? -1 : 1);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK)
			failed = 1;
		/* Only the subscription's last statement returns rows. */
		if (PQresultStatus(r) == PGRES_TUPLES_OK &&
		    listen_state == LISTEN_SUBSCRIBING && PQntuples(r) == 1)
			sites_set(PQgetvalue(r, 0, 0));
		if (listen_state == LISTEN_FETCHING)
			stream_fetched(
			    PQresultStatus(r) == PGRES_TUPLES_OK ? r : NULL);
		if (PQresultStatus(r) == PGRES_TUPLES_OK &&
		    (listen_state == LISTEN_ANNOUNCING ||
		        listen_state == LISTEN_POSITION))
			position_read(r);
		PQclear(r);
	}
}

/* Reads a post's new stream events, if the connection is free for it;
 * announcements go first (a writer waits for them). */
static void
fetch_send(void)
{
	const char *values[3], *key;
	char        after[24], limit[12];
	int64_t     from;

	if (listen_pg.conn == NULL || listen_pg.connecting ||
	    listen_state != LISTEN_IDLE || announce_pending(&pending) ||
	    !stream_fetch_take(&key, &from))
		return;
	(void)snprintf(after, sizeof(after), "%" PRId64, from);
	(void)snprintf(limit, sizeof(limit), "%d", STREAM_BATCH);
	values[0] = key;
	values[1] = after;
	values[2] = limit;
	if (!PQsendQueryParams(listen_pg.conn, store_sql_stream_since, 3, NULL,
	        values, NULL, NULL, 0)) {
		stream_fetched(NULL);
		listen_lost("cannot read stream events");
		return;
	}
	listen_state = LISTEN_FETCHING;
	announce_since = kore_time_ms();
	if (PQflush(listen_pg.conn) == -1)
		listen_lost("cannot read stream events");
}

/* Asks the primary where its WAL is, for the changes heard since the
 * last time (replica.h), if the connection is free for it. */
static void
position_send(void)
{
	if (listen_pg.conn == NULL || listen_pg.connecting ||
	    listen_state != LISTEN_IDLE || announce_pending(&pending) ||
	    !replica_wants_position())
		return;
	if (!PQsendQuery(listen_pg.conn, store_sql_wal_position)) {
		listen_lost("cannot ask for the WAL position");
		return;
	}
	position_round = replica_position_asked();
	listen_state = LISTEN_POSITION;
	announce_since = kore_time_ms();
	if (PQflush(listen_pg.conn) == -1)
		listen_lost("cannot ask for the WAL position");
}

/* Sends what is pending, if the connection is free for it. */
static void
announce_send(void)
{
	const char *values[2];
	char       *keys;
	int         deliveries;

	if (listen_pg.conn == NULL || listen_pg.connecting ||
	    listen_state != LISTEN_IDLE || !announce_pending(&pending))
		return;
	announce_take(&pending, &keys, &deliveries);
	values[0] = keys;
	values[1] = deliveries ? "t" : "f";
	if (!PQsendQueryParams(listen_pg.conn, store_sql_announce, 2, NULL,
	        values, NULL, NULL, 0)) {
		free(keys);
		announce_post(&pending, NULL);
		listen_lost("cannot announce");
		return;
	}
	free(keys);
	listen_state = LISTEN_ANNOUNCING;
	announce_sent++;
	announce_since = kore_time_ms();
	/* The rest, if any, goes out on the next read or poll. */
	if (PQflush(listen_pg.conn) == -1)
		listen_lost("cannot announce");
}

static void
listen_handle(void *arg, int error)
{
	PGnotify *n;

	(void)arg;
	if (listen_pg.conn == NULL || listen_pg.connecting)
		return;
	if (error || !PQconsumeInput(listen_pg.conn) ||
	    PQflush(listen_pg.conn) == -1) {
		listen_lost("connection lost");
		return;
	}
	if (listen_state != LISTEN_IDLE) {
		switch (results_read()) {
		case 0:
			break;
		case -1:
			if (listen_state == LISTEN_FETCHING ||
			    listen_state == LISTEN_POSITION) {
				/* stream_fetched heard of it; a failed read
				 * leaves the connection as it was (the posts
				 * wait for the next position query). */
				if (listen_state == LISTEN_POSITION)
					replica_heard(NULL);
				listen_state = LISTEN_IDLE;
				break;
			}
			listen_lost(listen_state == LISTEN_SUBSCRIBING ?
			        "LISTEN failed" :
			        "announcing failed");
			return;
		default:
			/* LISTEN is in place: from now on no change goes
			 * unseen. */
			if (listen_state == LISTEN_SUBSCRIBING)
				cache_set_usable(1);
			else if (listen_state == LISTEN_ANNOUNCING &&
			    announce_done < announce_sent)
				announce_done = announce_sent;
			listen_state = LISTEN_IDLE;
			waiters_wake();
			break;
		}
	}
	while ((n = PQnotifies(listen_pg.conn)) != NULL) {
		if (strcmp(n->relname, "parley_sites") == 0) {
			sites_set(n->extra);
		} else if (n->extra != NULL && n->extra[0] != '\0') {
			cache_invalidate(n->extra);
			stream_changed(n->extra);
			replica_heard(n->extra);
		} else {
			cache_clear();
			stream_changed(NULL);
			replica_heard(NULL);
		}
		PQfreemem(n);
	}
	announce_send();
	position_send();
	fetch_send();
}

void
listen_kick(void)
{
	fetch_send();
}

/* LISTEN on the connection now up; answers arrive in listen_handle. */
static void
listen_begin(struct pgconn *c)
{
	(void)c;
	if (!PQsendQuery(listen_pg.conn, store_sql_listen) ||
	    PQflush(listen_pg.conn) == -1) {
		listen_lost("cannot send LISTEN");
		return;
	}
	listen_state = LISTEN_SUBSCRIBING;
	listen_pg.evt.handle = listen_handle;
	kore_platform_schedule_read(PQsocket(listen_pg.conn), &listen_pg.evt);
	/* The answer may already be here: edge-triggered epoll would not
	 * tell us about data that arrived before we asked. */
	listen_handle(NULL, 0);
}

static void
listen_connect_failed(struct pgconn *c, const char *why)
{
	(void)c;
	listen_lost(why);
}

static void
listen_connect(void)
{
	pgconn_connect(&listen_pg);
}

int
listen_connected(void)
{
	return (listen_pg.conn != NULL);
}

void
listen_poll(void)
{
	listen_handle(NULL, 0);
}

uint64_t
listen_announce(const char *post, int deliveries)
{
	/* Whatever is pending goes out with the next announcement. */
	uint64_t ticket = announce_sent + 1;

	announce_post(&pending, post);
	if (deliveries)
		announce_deliveries(&pending);
	announce_send();
	return (ticket);
}

uint64_t
listen_barrier(void)
{
	uint64_t ticket = announce_sent + 1;

	announce_barrier(&pending);
	announce_send();
	return (ticket);
}

int
listen_wait(struct http_request *req, struct listen_waiter *w, uint64_t ticket)
{
	if (ticket <= announce_done || !cache_usable()) {
		listen_unwait(w);
		return (1);
	}
	if (!w->queued) {
		w->req = req;
		w->ticket = ticket;
		w->queued = 1;
		TAILQ_INSERT_TAIL(&waiters, w, list);
	}
	http_request_sleep(req);
	return (0);
}

uint64_t
listen_written(uint64_t ticket)
{
	return (
	    ticket != 0 && announced_lsn_ticket >= ticket ? announced_lsn : 0);
}

void
listen_unwait(struct listen_waiter *w)
{
	if (w->queued) {
		TAILQ_REMOVE(&waiters, w, list);
		w->queued = 0;
	}
}

/* An announcement with no answer for long: the connection is gone. */
static void
announce_watch(void *arg, u_int64_t now)
{
	(void)arg;
	if ((listen_state == LISTEN_ANNOUNCING ||
	        listen_state == LISTEN_FETCHING ||
	        listen_state == LISTEN_POSITION) &&
	    now - announce_since > ANNOUNCE_TIMEOUT_MS)
		listen_lost("announcing timed out");
}

void
listen_start(const char *conninfo)
{
	listen_pg.conninfo = conninfo;
	listen_pg.ready = listen_begin;
	listen_pg.failed = listen_connect_failed;
	announce_init(&pending);
	/*
	 * A worker that died (this one's predecessor) may have committed a
	 * change and not lived to announce it: every worker starts by
	 * telling all the others to forget everything, and the deliverers
	 * to look.
	 */
	announce_post(&pending, NULL);
	announce_deliveries(&pending);
	(void)kore_timer_add(announce_watch, ANNOUNCE_TIMEOUT_MS / 2, NULL, 0);
	listen_connect();
}

#include <inttypes.h>
#include <string.h>

#include <kore/kore.h>

#include "cache.h"
#include "pgconn.h"
#include "replica.h"
#include "replica_lag.h"
#include "store.h"

/* How often the watch asks; the most a post waits for the standby past
 * its replay is about this. */
#define REPLICA_POLL_MS 20
/* An answer older than this (a standby gone quiet): not used. */
#define REPLICA_STALE_MS 1000
#define REPLICA_RETRY_MS 1000

static struct pgconn watch;
static struct lag    lag;
static int           enabled;
static int           asking; /* a poll in flight */
static uint64_t      asked_at; /* when it left */
static uint64_t      answered_at; /* the last good answer: 0 none */
static uint64_t      replayed;
static uint64_t      failed_at; /* a query failed there: not before
				 * the next answer after it */

static void watch_connect(void *, u_int64_t);

static void
watch_lost(const char *why)
{
	if (watch.conn != NULL)
		kore_log(LOG_NOTICE, "replica: %s: %s", why,
		    PQerrorMessage(watch.conn));
	pgconn_close(&watch);
	asking = 0;
	answered_at = 0;
	(void)kore_timer_add(watch_connect, REPLICA_RETRY_MS, NULL,
	    KORE_TIMER_ONESHOT);
}

static void
watch_failed(struct pgconn *c, const char *why)
{
	(void)c;
	watch_lost(why);
}

static void
poll_send(void)
{
	if (watch.conn == NULL || watch.connecting || asking)
		return;
	if (!PQsendQuery(watch.conn, store_sql_replay_position) ||
	    PQflush(watch.conn) == -1) {
		watch_lost("cannot ask");
		return;
	}
	asking = 1;
	asked_at = kore_time_ms();
}

/* The answer: where replay stands (NULL on a server not in recovery,
 * a promoted standby: reads go to the primary then). */
static int
answer_read(PGresult *r)
{
	uint64_t lsn;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		return (-1);
	if (PQgetisnull(r, 0, 0) ||
	    lsn_parse(PQgetvalue(r, 0, 0), &lsn) == -1) {
		answered_at = 0;
		return (0);
	}
	replayed = lsn;
	answered_at = asked_at;
	lag_prune(&lag, replayed);
	return (0);
}

static void
watch_handle(void *arg, int error)
{
	PGresult *r;
	int       bad = 0;

	(void)arg;
	if (watch.conn == NULL || watch.connecting)
		return;
	if (error || !PQconsumeInput(watch.conn)) {
		watch_lost("connection lost");
		return;
	}
	while (asking && !PQisBusy(watch.conn)) {
		if ((r = PQgetResult(watch.conn)) == NULL) {
			asking = 0;
			break;
		}
		if (answer_read(r) == -1)
			bad = 1;
		PQclear(r);
	}
	if (bad)
		watch_lost("cannot read the replay position");
}

static void
watch_ready(struct pgconn *c)
{
	(void)c;
	watch.evt.handle = watch_handle;
	kore_platform_schedule_read(PQsocket(watch.conn), &watch.evt);
	poll_send();
}

static void
watch_connect(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	pgconn_connect(&watch);
}

/* Every REPLICA_POLL_MS: the next question, or the verdict on one gone
 * unanswered. */
static void
watch_tick(void *arg, u_int64_t now)
{
	(void)arg;
	if (asking && now - asked_at > REPLICA_STALE_MS) {
		watch_lost("no answer");
		return;
	}
	poll_send();
}

void
replica_start(const char *conninfo)
{
	if (conninfo == NULL)
		return;
	enabled = 1;
	lag_init(&lag);
	/* Until LISTEN is in place, nothing was heard: every post waits for
	 * the first position. */
	lag_mark(&lag, NULL);
	watch.conninfo = conninfo;
	watch.ready = watch_ready;
	watch.failed = watch_failed;
	(void)kore_timer_add(watch_tick, REPLICA_POLL_MS, NULL, 0);
	pgconn_connect(&watch);
}

int
replica_enabled(void)
{
	return (enabled);
}

void
replica_heard(const char *key)
{
	if (enabled)
		lag_mark(&lag, key);
}

int
replica_wants_position(void)
{
	return (enabled && lag_wants_query(&lag));
}

uint64_t
replica_position_asked(void)
{
	return (lag_asked(&lag));
}

void
replica_position(uint64_t round, uint64_t lsn)
{
	lag_answered(&lag, round, lsn);
	lag_prune(&lag, replayed);
}

uint64_t
replica_heard_upto(void)
{
	return (lag.heard);
}

int
replica_fresh(const char *post, uint64_t written)
{
	uint64_t now;

	if (!enabled || answered_at == 0 || failed_at >= answered_at)
		return (0);
	now = kore_time_ms();
	/* Changes are heard only while LISTEN is in place (cache usable). */
	if (now - answered_at > REPLICA_STALE_MS || !cache_usable())
		return (0);
	return (replayed >= written && lag_fresh(&lag, post, replayed));
}

void
replica_failed(void)
{
	failed_at = kore_time_ms();
}

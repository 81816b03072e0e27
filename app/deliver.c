/*
 * Event hook delivery: sends what the outbox holds, from a thread or a
 * process of its own, so that no reader's request ever waits for a
 * receiver. Kore-free: Parley's workers run it in a thread
 * (deliver_thread.c), and build/parley-deliver as a process of its own
 * (deliver_main.c), for extra nodes and for tests that race deliverers.
 *
 * The outbox (events and deliveries; sql/functions/hooks.sql) holds one
 * delivery per event and hook.
 * A deliverer claims due deliveries with a lease (delivery_claim), POSTs
 * each one signed, and records the attempt (delivery_record), which ends
 * the delivery or schedules a retry. A deliverer that dies between claim
 * and record loses nothing: the lease runs out and the delivery is sent
 * again, with the same webhook-id for receivers to drop repeats.
 * Several deliverers may run against one database; the claim makes them
 * skip each other's rows.
 *
 * Deliveries are signed by the Standard Webhooks specification
 * (hook_sign.h), so receivers verify them with an existing library;
 * what is sent, recorded and logged is made in delivery.c, which needs
 * neither libpq nor libcurl.
 * https is checked against the CA bundle read before the chroot
 * (ca_bundle.h); host names resolve in the chroot from the copies of
 * the resolver's files (chroot_etc.h).
 *
 * It sleeps on LISTEN parley_deliver (notified when deliveries are made)
 * and looks anyway every second, for retries coming due and leases
 * running out. Like the rest of the hooks code it holds its own SQL: it
 * runs on a blocking libpq connection of its own, outside Kore's pool.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "buf.h"
#include "deliver.h"
#include "delivery.h"
#include "hook_net.h"
#include "keys.h"
#include "mail_send.h"
#include "outbox.h"

#define CLAIM_LIMIT        10
#define CONNECT_TIMEOUT_MS 3000L
#define RETRY_MS           1000
#define USER_AGENT         "Parley-Hooks/1"

/* A claimed delivery: the columns of delivery.h, in its order. */
static const char sql_claim[] =
    "SELECT id, uuid, url, secret, old_secret, event_uuid, type, data,"
    " rfc3339(created_at)"
    " FROM delivery_claim($1, $2)";
_Static_assert(DELIVERY_COL_COUNT == 9, "sql_claim's columns");
static const char sql_record[] = "SELECT delivery_record($1, $2, $3, $4, $5)";
/*
 * Gives claimed rows back at once (a stop, or a batch out of lease
 * time), instead of leaving them to wait for the lease. Only rows still
 * under a lease: nobody else can hold those.
 */
static const char sql_release[] = "SELECT delivery_release($1::bigint[])";
/*
 * Whether a claimed delivery is still to be sent: a batch can take a
 * while against slow receivers, and meanwhile its hook may have been
 * deleted or disabled (because it hangs, say), or the delivery sent by
 * an admin's redeliver through another deliverer.
 */
static const char sql_still_due[] = "SELECT 1 WHERE delivery_due($1)";
static const char sql_prune[] = "SELECT hooks_prune()";
/* Network addresses past ip_retention_days go (sql/functions/privacy.sql). */
static const char sql_retention[] = "SELECT privacy_retention()";
#define PRUNE_EVERY_S  3600
#define RETAIN_EVERY_S 86400

/* Secrets are opened from bytea's hex form, whatever the server's default. */
static const char sql_session[] =
    "SET bytea_output = 'hex'; LISTEN parley_deliver";

_Static_assert(DELIVERY_ERROR_MAX >= CURL_ERROR_SIZE + 64,
    "room for libcurl's error and a remark");

static int (*stop_asked)(void);
static const struct mail_conf *mail_conf; /* NULL: no mail */
static int                     db_down; /* logged the outage already */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Sleeps ms unless asked to stop first. */
static void
pause_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	if (!stop_asked())
		(void)nanosleep(&ts, NULL);
}

static void
log_attempt(const struct delivery *d, const struct delivery_attempt *a)
{
	struct buf b;

	buf_init(&b);
	delivery_log_line(&b, d, a);
	fputs(b.data, stderr);
	buf_free(&b);
}

static void
log_db(const char *what, const char *msg)
{
	outbox_log_db("deliver", what, msg);
}

static size_t
on_response(char *p, size_t size, size_t nmemb, void *arg)
{
	size_t n = size * nmemb;

	/* Read the rest all the same: the answer must end for its status. */
	delivery_response_add(arg, p, n);
	return (n);
}

/*
 * One POST. Parley follows no redirect (a 3xx is the receiver's answer,
 * and a failure), speaks only HTTP(S), and takes no proxy from the
 * environment.
 */
static void
post(CURL *curl, const char *url, struct curl_slist *headers,
    const struct buf *body, struct delivery_attempt *a)
{
	char              errbuf[CURL_ERROR_SIZE];
	struct hook_guard guard;
	struct buf        raw;
	CURLcode          rc;
	int64_t           t0;
	long              code;

	buf_init(&raw);
	errbuf[0] = '\0';
	curl_easy_reset(curl);
	hook_net_setup(curl, &guard);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, DELIVERY_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)body->len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &raw);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

	t0 = now_ms();
	rc = curl_easy_perform(curl);
	a->ms = (long)(now_ms() - t0);
	code = 0;
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	/* The buffer is ours only during the transfer. */
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);

	if (rc == CURLE_OK)
		delivery_answered(a, code, &raw);
	else
		delivery_failed(a,
		    guard.refused[0] != '\0' ? guard.refused :
		        errbuf[0] != '\0'    ? errbuf :
		                               curl_easy_strerror(rc),
		    code, rc == CURLE_PEER_FAILED_VERIFICATION);
	buf_free(&raw);
}

/* Signs and sends one delivery (delivery_request_build). */
static void
send_delivery(CURL *curl, const struct delivery *d, struct delivery_attempt *a)
{
	struct delivery_request req;
	struct curl_slist      *h, *next;
	int                     i;

	if (delivery_request_build(&req, d, keys_get(KEY_SECRETBOX),
	        time(NULL)) == -1) {
		/* Sending unsigned would teach receivers to accept that. */
		delivery_failed(a,
		    "cannot open the hook's secret (was the "
		    "key file replaced?)",
		    0, 0);
		return;
	}
	h = NULL;
	for (i = 0; i < DELIVERY_HEADERS; i++) {
		if ((next = curl_slist_append(h, req.header[i])) == NULL)
			abort();
		h = next;
	}

	post(curl, d->col[DELIVERY_URL], h, &req.body, a);

	curl_slist_free_all(h);
	delivery_request_free(&req);
}

/* -1 when the attempt could not be recorded. */
static int
record(PGconn *conn, const struct delivery *d, const struct delivery_attempt *a)
{
	const char *v[5];
	char        status[16], ms[16];
	PGresult   *r;
	int         rc;

	snprintf(status, sizeof(status), "%ld", a->status);
	snprintf(ms, sizeof(ms), "%ld", a->ms);
	v[0] = d->col[DELIVERY_ID];
	v[1] = a->status != 0 ? status : NULL;
	v[2] = ms;
	v[3] = a->error[0] != '\0' ? a->error : NULL;
	/* An empty answer is "", no answer at all NULL. */
	v[4] = delivery_response(a);
	r = PQexecParams(conn, sql_record, 5, NULL, v, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
	if (rc == -1)
		log_db("cannot record an attempt", PQerrorMessage(conn));
	PQclear(r);
	return (rc);
}

static int
deliver_one(PGconn *conn, CURL *curl, const struct delivery *d)
{
	struct delivery_attempt a;
	int                     rc;

	delivery_attempt_init(&a);
	send_delivery(curl, d, &a);
	log_attempt(d, &a);
	rc = record(conn, d, &a);
	delivery_attempt_free(&a);
	return (rc);
}

/* 1 to send, 0 to skip, -1 on a database error. */
static int
still_due(PGconn *conn, const char *id)
{
	const char *v[1];
	PGresult   *r;
	int         rc;

	v[0] = id;
	r = PQexecParams(conn, sql_still_due, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_db("cannot check a delivery", PQerrorMessage(conn));
		rc = -1;
	} else
		rc = PQntuples(r) > 0;
	PQclear(r);
	return (rc);
}

/* -1 if a column that cannot be NULL is (a schema out of step). */
static int
row_get(PGresult *r, int row, struct delivery *d)
{
	int i;

	for (i = 0; i < DELIVERY_COL_COUNT; i++) {
		d->col[i] =
		    PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
		if (d->col[i] == NULL && i != DELIVERY_OLD_SECRET) {
			fprintf(stderr,
			    "deliver: delivery %s: column %d is "
			    "NULL\n",
			    PQgetvalue(r, row, DELIVERY_ID), i);
			return (-1);
		}
	}
	return (0);
}

/*
 * Claims due deliveries and sends them one after the other. The number
 * claimed, or -1 on a database error.
 */
static int
deliver_batch(PGconn *conn, CURL *curl)
{
	struct delivery d;
	const char     *v[2];
	char            limit[16], lease[16];
	PGresult       *r;
	int64_t         t0;
	int             i, n, due;

	snprintf(limit, sizeof(limit), "%d", CLAIM_LIMIT);
	snprintf(lease, sizeof(lease), "%d", DELIVERY_LEASE_S);
	v[0] = limit;
	v[1] = lease;
	/* Before the claim: the lease is measured short rather than long. */
	t0 = now_ms();
	r = PQexecParams(conn, sql_claim, 2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_db("cannot claim deliveries", PQerrorMessage(conn));
		PQclear(r);
		return (-1);
	}
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		if (stop_asked() || !delivery_lease_left(now_ms() - t0))
			break;
		/* Skipped rows keep their lease: no busy loop over them. */
		if (row_get(r, i, &d) == -1 ||
		    (due = still_due(conn, d.col[DELIVERY_ID])) == 0)
			continue;
		if ((due == -1 || deliver_one(conn, curl, &d) == -1) &&
		    PQstatus(conn) != CONNECTION_OK) {
			PQclear(r);
			return (-1);
		}
	}
	if (i < n)
		outbox_release(conn, sql_release, r, DELIVERY_ID, i, n,
		    "deliver");
	PQclear(r);
	return (n);
}

/* Notifications libpq has read; their number. */
static int
drain(PGconn *conn)
{
	PGnotify *note;
	int       n;

	n = 0;
	while ((note = PQnotifies(conn)) != NULL) {
		PQfreemem(note);
		n++;
	}
	return (n);
}

/*
 * Waits for a NOTIFY or a second, whichever comes first. Notifications
 * read along with the last claim's answer count: their deliveries may
 * have come after it. -1 when the connection is gone.
 */
static int
wait_for_work(PGconn *conn)
{
	struct pollfd pfd;

	if (drain(conn) > 0)
		return (0);
	if ((pfd.fd = PQsocket(conn)) < 0)
		return (-1);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, RETRY_MS) == -1 && errno != EINTR)
		return (-1);
	if (!PQconsumeInput(conn))
		return (-1);
	(void)drain(conn);
	return (0);
}

/* libpq prints notices bare on stderr; keep the log's prefix. */
static void
on_notice(void *arg, const char *msg)
{
	(void)arg;
	log_db("database", msg);
}

static PGconn *
db_connect(const char *conninfo)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *values[] = { conninfo, "parley-deliver", NULL };
	PGconn     *conn;
	PGresult   *r;

	conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		/* Once per outage, not every second of it. */
		if (!db_down)
			log_db("cannot connect to the database",
			    PQerrorMessage(conn));
		db_down = 1;
		PQfinish(conn);
		return (NULL);
	}
	r = PQexec(conn, sql_session);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_db("cannot listen", PQerrorMessage(conn));
		db_down = 1;
		PQclear(r);
		PQfinish(conn);
		return (NULL);
	}
	PQclear(r);
	(void)PQsetNoticeProcessor(conn, on_notice, NULL);
	if (db_down)
		fprintf(stderr, "deliver: connected to the database again\n");
	db_down = 0;
	return (conn);
}

/* Old finished deliveries go now and then; failure here is harmless. */
static void
prune(PGconn *conn, time_t *last)
{
	PGresult *r;
	time_t    now = time(NULL);

	if (now - *last < PRUNE_EVERY_S)
		return;
	*last = now;
	r = PQexec(conn, sql_prune);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_db("cannot prune old deliveries", PQerrorMessage(conn));
	PQclear(r);
	if (mail_conf != NULL)
		mail_send_prune(conn);
}

/*
 * The daily retention job: at start, then every day. Every node's
 * deliverer runs it; a second run the same day finds nothing to clear.
 */
static void
retain(PGconn *conn, time_t *last)
{
	PGresult *r;
	time_t    now = time(NULL);

	if (*last != 0 && now - *last < RETAIN_EVERY_S)
		return;
	*last = now;
	r = PQexec(conn, sql_retention);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		fprintf(stderr,
		    "deliver: addresses past retention cleared: %s\n",
		    PQgetvalue(r, 0, 0));
	else {
		log_db("cannot clear addresses past retention",
		    PQerrorMessage(conn));
		*last = now - RETAIN_EVERY_S + PRUNE_EVERY_S; /* in an hour */
	}
	PQclear(r);
}

/*
 * Hook deliveries, then mail, each round, so neither waits behind the
 * other: the number claimed, or -1 on a database error.
 */
static int
send_batches(PGconn *conn, CURL *curl)
{
	int n, m;

	if ((n = deliver_batch(conn, curl)) == -1 || mail_conf == NULL)
		return (n);
	if ((m = mail_send_batch(conn, curl, mail_conf, stop_asked)) == -1)
		return (-1);
	return (n + m);
}

int
deliver_run(const char *conninfo, const struct mail_conf *mail,
    int (*stop)(void))
{
	PGconn *conn;
	CURL   *curl;
	time_t  pruned = 0, retained = 0;
	int     n;

	stop_asked = stop;
	mail_conf = mail;
	if ((curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "deliver: curl_easy_init failed\n");
		return (-1);
	}
	conn = NULL;
	while (!stop_asked()) {
		if (conn == NULL && (conn = db_connect(conninfo)) == NULL) {
			pause_ms(RETRY_MS);
			continue;
		}
		prune(conn, &pruned);
		retain(conn, &retained);
		if ((n = send_batches(conn, curl)) > 0)
			continue;
		if (n == 0 && wait_for_work(conn) == 0)
			continue;
		if (PQstatus(conn) == CONNECTION_OK && n == -1) {
			/* A failing statement on a live connection: retry. */
			pause_ms(RETRY_MS);
			continue;
		}
		if (!stop_asked())
			log_db("lost the database", PQerrorMessage(conn));
		db_down = 1;
		PQfinish(conn);
		conn = NULL;
		pause_ms(RETRY_MS);
	}
	if (conn != NULL)
		PQfinish(conn);
	curl_easy_cleanup(curl);
	return (0);
}

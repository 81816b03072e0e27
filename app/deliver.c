/*
 * Event hook delivery: sends what the outbox holds, from a thread or a
 * process of its own, so that no reader's request ever waits for a
 * receiver. Kore-free: Parley's workers run it in a thread
 * (deliver_thread.c), and build/parley-deliver as a process of its own
 * (deliver_main.c), for extra nodes and for tests that race deliverers.
 *
 * The outbox (sql/007_hooks.sql) holds one delivery per event and hook.
 * A deliverer claims due deliveries with a lease (delivery_claim), POSTs
 * each one signed, and records the attempt (delivery_record), which ends
 * the delivery or schedules a retry. A deliverer that dies between claim
 * and record loses nothing: the lease runs out and the delivery is sent
 * again, with the same webhook-id for receivers to drop repeats.
 * Several deliverers may run against one database; the claim makes them
 * skip each other's rows.
 *
 * Deliveries are signed by the Standard Webhooks specification
 * (hook_sign.h), so receivers verify them with an existing library.
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
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "buf.h"
#include "hook_net.h"
#include "deliver.h"
#include "hook_sign.h"
#include "keys.h"

#define CLAIM_LIMIT		10
#define LEASE_SECONDS		60
#define CONNECT_TIMEOUT_MS	3000L
#define TIMEOUT_MS		10000L
/*
 * A batch stops sending when less than this is left of its lease: one
 * more attempt (TIMEOUT_MS at most) and its record must end before
 * another deliverer may claim the same rows.
 */
#define LEASE_MARGIN_MS		(TIMEOUT_MS + 5000L)
#define RESPONSE_MAX		1024
#define RETRY_MS		1000
#define USER_AGENT		"Parley-Hooks/1"

static const char	sql_claim[] =
	"SELECT id, uuid, url, secret, old_secret, event_uuid, type, data,"
	" to_char(created_at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM delivery_claim($1, $2)";
static const char	sql_record[] =
	"SELECT delivery_record($1, $2, $3, $4, $5)";
/*
 * Gives claimed rows back at once (a stop, or a batch out of lease
 * time), instead of leaving them to wait for the lease. Only rows still
 * under a lease: nobody else can hold those.
 */
static const char	sql_release[] =
	"SELECT delivery_release($1::bigint[])";
/*
 * Whether a claimed delivery is still to be sent: a batch can take a
 * while against slow receivers, and meanwhile its hook may have been
 * deleted or disabled (because it hangs, say), or the delivery sent by
 * an admin's redeliver through another deliverer.
 */
static const char	sql_still_due[] =
	"SELECT 1 WHERE delivery_due($1)";
static const char	sql_prune[] = "SELECT hooks_prune()";
#define PRUNE_EVERY_S		3600

/* Secrets are opened from bytea's hex form, whatever the server's default. */
static const char	sql_session[] =
	"SET bytea_output = 'hex'; LISTEN parley_deliver";

/* A claimed delivery: the columns of sql_claim, in order. */
enum {
	COL_ID, COL_UUID, COL_URL, COL_SECRET, COL_OLD_SECRET, COL_EVENT_UUID,
	COL_TYPE, COL_DATA, COL_CREATED_AT, COL_COUNT
};

struct delivery {
	const char	*col[COL_COUNT];	/* NULL for SQL NULL */
};

/* What one attempt came to, as delivery_record takes it. */
struct attempt {
	long		 status;	/* HTTP status; 0: no answer */
	long		 ms;
	char		 error[CURL_ERROR_SIZE + 64];	/* "": none */
	struct buf	 response;	/* the first RESPONSE_MAX bytes */
};

static int			(*stop_asked)(void);
static int			 db_down;	/* logged the outage already */

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Sleeps ms unless asked to stop first. */
static void
pause_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	if (!stop_asked())
		(void)nanosleep(&ts, NULL);
}

/* Keeps log lines one line each, whatever a URL or a message holds. */
static void
log_safe(struct buf *b, const char *s)
{
	unsigned char	c;

	for (; (c = (unsigned char)*s) != '\0'; s++)
		buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '?');
}

/* The URL without "user:password@": that may be a secret. */
static void
log_url(struct buf *b, const char *url)
{
	const char	*auth, *end, *at, *p;

	if ((auth = strstr(url, "://")) == NULL) {
		log_safe(b, url);
		return;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL) {
		log_safe(b, url);
		return;
	}
	buf_append(b, url, (size_t)(auth - url));
	log_safe(b, at + 1);
}

static void
log_attempt(const struct delivery *d, const struct attempt *a)
{
	struct buf	b;

	buf_init(&b);
	buf_puts(&b, "deliver: ");
	log_safe(&b, d->col[COL_UUID]);
	buf_putc(&b, ' ');
	log_safe(&b, d->col[COL_TYPE]);
	buf_puts(&b, " -> ");
	log_url(&b, d->col[COL_URL]);
	buf_puts(&b, ": ");
	if (a->status != 0)
		buf_printf(&b, "%ld", a->status);
	else
		log_safe(&b, a->error);
	buf_printf(&b, " (%ld ms)\n", a->ms);
	fputs(b.data, stderr);
	buf_free(&b);
}

/* PostgreSQL's messages end in a newline; a log line should not. */
static void
log_db(const char *what, const char *msg)
{
	int	n;

	n = (int)strcspn(msg, "\n");
	fprintf(stderr, "deliver: %s: %.*s\n", what, n, msg);
}

/*
 * The length of the valid UTF-8 sequence at p (n bytes left), or 0:
 * PostgreSQL refuses overlong forms, surrogates and code points past
 * U+10FFFF in text.
 */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	uint32_t	cp;
	size_t		len, i;

	if (p[0] < 0x80)
		return (1);
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (len);
}

/*
 * Makes a receiver's bytes storable and showable as text: valid UTF-8
 * stays, and so do tab and newlines; NUL, other control characters and
 * bytes that are not UTF-8 (or a character cut at the end) become '?'.
 */
static void
text_clean(struct buf *out, const unsigned char *p, size_t n)
{
	size_t	i, len;

	for (i = 0; i < n; i += len) {
		len = utf8_len(p + i, n - i);
		if (len == 0) {
			len = 1;
			buf_putc(out, '?');
		} else if (len == 1 && ((p[i] < 0x20 && p[i] != '\n' &&
		    p[i] != '\r' && p[i] != '\t') || p[i] == 0x7f))
			buf_putc(out, '?');
		else
			buf_append(out, p + i, len);
	}
}

static void
json_string(struct buf *b, const char *s)
{
	unsigned char	c;

	buf_putc(b, '"');
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

/* {"id","type","created_at","data"}: data is jsonb's text, JSON as is. */
static void
build_body(struct buf *b, const struct delivery *d)
{
	buf_puts(b, "{\"id\":");
	json_string(b, d->col[COL_EVENT_UUID]);
	buf_puts(b, ",\"type\":");
	json_string(b, d->col[COL_TYPE]);
	buf_puts(b, ",\"created_at\":");
	json_string(b, d->col[COL_CREATED_AT]);
	buf_puts(b, ",\"data\":");
	buf_puts(b, d->col[COL_DATA]);
	buf_putc(b, '}');
}

static struct curl_slist *
header_add(struct curl_slist *list, const char *name, const char *value)
{
	struct curl_slist	*next;
	struct buf		 b;

	buf_init(&b);
	buf_puts(&b, name);
	/* "Name:" alone is libcurl's way to leave a header out. */
	buf_puts(&b, *value != '\0' ? ": " : ":");
	/* A CR or LF from the database must not start a header of its own. */
	log_safe(&b, value);
	if ((next = curl_slist_append(list, b.data)) == NULL)
		abort();
	buf_free(&b);
	return (next);
}

static size_t
on_response(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf	*b = arg;
	size_t		 n = size * nmemb;

	/* Read the rest all the same: the answer must end for its status. */
	if (b->len < RESPONSE_MAX)
		buf_append(b, p, n < RESPONSE_MAX - b->len ?
		    n : RESPONSE_MAX - b->len);
	return (n);
}

/*
 * One POST. Parley follows no redirect (a 3xx is the receiver's answer,
 * and a failure), speaks only HTTP(S), and takes no proxy from the
 * environment.
 */
static void
post(CURL *curl, const char *url, struct curl_slist *headers,
    const struct buf *body, struct attempt *a)
{
	char		errbuf[CURL_ERROR_SIZE];
	struct hook_guard guard;
	struct buf	raw;
	CURLcode	rc;
	int64_t		t0;
	long		code;

	buf_init(&raw);
	errbuf[0] = '\0';
	curl_easy_reset(curl);
	hook_net_setup(curl, &guard);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
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

	if (rc == CURLE_OK) {
		a->status = code;
		if (code < 200 || code > 299)
			snprintf(a->error, sizeof(a->error), "HTTP %ld", code);
		text_clean(&a->response, (unsigned char *)raw.data, raw.len);
	} else {
		/* An answer cut short is no answer: it must be sent again. */
		a->status = 0;
		snprintf(a->error, sizeof(a->error), "%s%s",
		    guard.refused[0] != '\0' ? guard.refused :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc),
		    code != 0 ? " (after an HTTP status)" :
		    rc == CURLE_PEER_FAILED_VERIFICATION ? " (Parley trusts "
		    "the system's CAs and those of hook_ca_file)" : "");
	}
	buf_free(&raw);
}

/*
 * Signs and sends one delivery. Both secrets sign during a rotation, so
 * receivers may switch to the new one whenever they like. The
 * webhook-id is the delivery's: the same on every attempt, for
 * receivers to drop repeats; each attempt is signed with its own time.
 */
static void
send_delivery(CURL *curl, const struct delivery *d, struct attempt *a)
{
	unsigned char		 cur[HOOK_SECRET_BYTES], old[HOOK_SECRET_BYTES];
	char			 sig[HOOK_SIGNATURES_MAX], ts[32];
	const unsigned char	*key;
	struct curl_slist	*h;
	struct buf		 body;
	int			 has_old;

	key = keys_get(KEY_SECRETBOX);
	if (hook_secret_open(key, d->col[COL_SECRET], cur) == -1) {
		/* Sending unsigned would teach receivers to accept that. */
		snprintf(a->error, sizeof(a->error), "cannot open the hook's "
		    "secret (was the key file replaced?)");
		return;
	}
	has_old = d->col[COL_OLD_SECRET] != NULL &&
	    hook_secret_open(key, d->col[COL_OLD_SECRET], old) == 0;

	buf_init(&body);
	build_body(&body, d);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	hook_signatures(cur, has_old ? old : NULL, d->col[COL_UUID], ts,
	    body.data, body.len, sig);
	sodium_memzero(cur, sizeof(cur));
	sodium_memzero(old, sizeof(old));

	h = header_add(NULL, "Content-Type", "application/json");
	h = header_add(h, "X-Parley-Event", d->col[COL_TYPE]);
	h = header_add(h, "webhook-id", d->col[COL_UUID]);
	h = header_add(h, "webhook-timestamp", ts);
	h = header_add(h, "webhook-signature", sig);
	/* No "Expect: 100-continue" and its wait on bigger bodies. */
	h = header_add(h, "Expect", "");

	post(curl, d->col[COL_URL], h, &body, a);

	curl_slist_free_all(h);
	buf_free(&body);
}

/* -1 when the attempt could not be recorded. */
static int
record(PGconn *conn, const struct delivery *d, const struct attempt *a)
{
	const char	*v[5];
	char		 status[16], ms[16];
	PGresult	*r;
	int		 rc;

	snprintf(status, sizeof(status), "%ld", a->status);
	snprintf(ms, sizeof(ms), "%ld", a->ms);
	v[0] = d->col[COL_ID];
	v[1] = a->status != 0 ? status : NULL;
	v[2] = ms;
	v[3] = a->error[0] != '\0' ? a->error : NULL;
	/* An empty answer is "", no answer at all NULL. */
	v[4] = a->status == 0 ? NULL :
	    a->response.data != NULL ? a->response.data : "";
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
	struct attempt	a;
	int		rc;

	memset(&a, 0, sizeof(a));
	buf_init(&a.response);
	send_delivery(curl, d, &a);
	log_attempt(d, &a);
	rc = record(conn, d, &a);
	buf_free(&a.response);
	return (rc);
}

/* Hands rows [from, n) of a claim back to be sent at once. */
static void
release(PGconn *conn, PGresult *claim, int from, int n)
{
	struct buf	 ids;
	const char	*v[1];
	PGresult	*r;
	int		 i;

	buf_init(&ids);
	buf_putc(&ids, '{');
	for (i = from; i < n; i++) {
		if (i > from)
			buf_putc(&ids, ',');
		buf_puts(&ids, PQgetvalue(claim, i, COL_ID));
	}
	buf_putc(&ids, '}');
	v[0] = ids.data;
	r = PQexecParams(conn, sql_release, 1, NULL, v, NULL, NULL, 0);
	/* Not fatal: the rows come back when their lease runs out. */
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		log_db("cannot release deliveries", PQerrorMessage(conn));
	PQclear(r);
	buf_free(&ids);
}

/* 1 to send, 0 to skip, -1 on a database error. */
static int
still_due(PGconn *conn, const char *id)
{
	const char	*v[1];
	PGresult	*r;
	int		 rc;

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
	int	i;

	for (i = 0; i < COL_COUNT; i++) {
		d->col[i] = PQgetisnull(r, row, i) ? NULL :
		    PQgetvalue(r, row, i);
		if (d->col[i] == NULL && i != COL_OLD_SECRET) {
			fprintf(stderr, "deliver: delivery %s: column %d is "
			    "NULL\n", PQgetvalue(r, row, COL_ID), i);
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
	struct delivery	 d;
	const char	*v[2];
	char		 limit[16], lease[16];
	PGresult	*r;
	int64_t		 t0;
	int		 i, n, due;

	snprintf(limit, sizeof(limit), "%d", CLAIM_LIMIT);
	snprintf(lease, sizeof(lease), "%d", LEASE_SECONDS);
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
		if (stop_asked() || now_ms() - t0 >
		    LEASE_SECONDS * 1000L - LEASE_MARGIN_MS)
			break;
		/* Skipped rows keep their lease: no busy loop over them. */
		if (row_get(r, i, &d) == -1 ||
		    (due = still_due(conn, d.col[COL_ID])) == 0)
			continue;
		if ((due == -1 || deliver_one(conn, curl, &d) == -1) &&
		    PQstatus(conn) != CONNECTION_OK) {
			PQclear(r);
			return (-1);
		}
	}
	if (i < n)
		release(conn, r, i, n);
	PQclear(r);
	return (n);
}

/* Notifications libpq has read; their number. */
static int
drain(PGconn *conn)
{
	PGnotify	*note;
	int		 n;

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
	struct pollfd	pfd;

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
	const char	*keys[] = { "dbname", "application_name", NULL };
	const char	*values[] = { conninfo, "parley-deliver", NULL };
	PGconn		*conn;
	PGresult	*r;

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
	PGresult	*r;
	time_t		 now = time(NULL);

	if (now - *last < PRUNE_EVERY_S)
		return;
	*last = now;
	r = PQexec(conn, sql_prune);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_db("cannot prune old deliveries", PQerrorMessage(conn));
	PQclear(r);
}

int
deliver_run(const char *conninfo, int (*stop)(void))
{
	PGconn	*conn;
	CURL	*curl;
	time_t	 pruned = 0;
	int	 n;

	stop_asked = stop;
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
		if ((n = deliver_batch(conn, curl)) > 0)
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

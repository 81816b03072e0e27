/*
 * The mail outbox's sender (see mail_send.h). Its steps for each claimed
 * mail, in sql/functions/mail.sql: mail_check (still to go? within the
 * caps?), mail_items_due (what it tells), then the SMTP transfer and
 * mail_record (sent, with the hash of the link's token made here; or
 * tried again with backoff; or, when the relay refuses the address for
 * good, suppressed). A sender that dies between
 * claim and record loses nothing: the lease runs out and the mail goes
 * again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "apierr.h"
#include "buf.h"
#include "ca_bundle.h"
#include "config.h"
#include "mail.h"
#include "mail_send.h"
#include "origin.h"
#include "outbox.h"
#include "token.h"

#define CLAIM_LIMIT        10
#define CONNECT_TIMEOUT_MS 10000L
#define TIMEOUT_MS         60000L
/* Long enough for a whole batch at the longest transfers, so no other
 * sender claims a mail while it is still being sent. */
#define LEASE_S   ((int)(CLAIM_LIMIT * (TIMEOUT_MS / 1000 + 6)))
#define ERROR_MAX (CURL_ERROR_SIZE + 64)

static const char sql_claim[] =
    "SELECT id, kind, address_id, email FROM mail_claim($1, $2)";
enum { CLAIM_ID, CLAIM_KIND, CLAIM_ADDRESS, CLAIM_EMAIL };
static const char sql_check[] = "SELECT mail_check($1)";
static const char sql_items[] =
    "SELECT item_id, comment_id, author_name, body, reason, post_key,"
    " post_title, post_url,"
    " (SELECT value::text FROM settings WHERE name = 'allowed_origins')"
    " FROM mail_items_due($1)";
enum {
	ITEM_ID,
	ITEM_COMMENT,
	ITEM_AUTHOR,
	ITEM_BODY,
	ITEM_REASON,
	ITEM_POST_KEY,
	ITEM_POST_TITLE,
	ITEM_POST_URL,
	ITEM_SITES
};
static const char sql_record[] =
    "SELECT mail_record($1, $2, $3, $4, $5, $6, $7::bytea)";
static const char sql_release[] = "SELECT mail_release($1::bigint[])";
static const char sql_prune[] = "SELECT mail_prune()";
/* Requests for a privacy link become mail first (or nothing). */
static const char sql_requests[] = "SELECT privacy_requests_take($1)";

/* What one SMTP transfer came to. */
struct smtp_result {
	int  sent;
	int  refused; /* the relay refused the recipient for good */
	long status; /* the relay's last reply code; 0: none */
	char error[ERROR_MAX]; /* "": none */
};

/* The message as libcurl reads it. */
struct upload {
	const char *data;
	size_t      len, off;
};

static void
log_db(const char *what, PGconn *conn)
{
	outbox_log_db("mail", what, PQerrorMessage(conn));
}

/* The first value of a one-row answer, or NULL (logged). */
static char *
exec_value(PGconn *conn, const char *sql, int n, const char *const *v,
    const char *what)
{
	PGresult *r;
	char     *out = NULL;

	r = PQexecParams(conn, sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		if ((out = strdup(PQgetvalue(r, 0, 0))) == NULL)
			abort();
	} else
		log_db(what, conn);
	PQclear(r);
	return (out);
}

static size_t
on_read(char *p, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t         n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(p, u->data + u->off, n);
	u->off += n;
	return (n);
}

/*
 * One SMTP transfer to the relay: TLS as mail_smtp_tls says (STARTTLS
 * required unless the relay is on a loopback address), certificates
 * checked against the CA bundle read before the chroot, no proxy from
 * the environment.
 */
static void
smtp_send(CURL *curl, const struct mail_conf *mc, const char *to,
    const struct buf *msg, struct smtp_result *r)
{
	char               errbuf[CURL_ERROR_SIZE], from[256], rcpt[260];
	struct curl_slist *rcpts;
	struct upload      u = { msg->data, msg->len, 0 };
	CURLcode           rc;

	memset(r, 0, sizeof(*r));
	errbuf[0] = '\0';
	if (mail_envelope_from(mc->from, from, sizeof(from)) == -1)
		abort(); /* config.c checked it */
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	if ((rcpts = curl_slist_append(NULL, rcpt)) == NULL)
		abort();

	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, mc->smtp_url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	(void)ca_bundle_apply(curl);
	curl_easy_setopt(curl, CURLOPT_USE_SSL,
	    mail_smtp_tls(mc->smtp_url) == MAIL_TLS_NONE ? CURLUSESSL_NONE :
	                                                   CURLUSESSL_ALL);
	if (mc->smtp_user != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, mc->smtp_user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
		    mc->smtp_password != NULL ? mc->smtp_password : "");
	}
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

	rc = curl_easy_perform(curl);
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(rcpts);

	if (rc == CURLE_OK) {
		r->sent = 1;
		return;
	}
	snprintf(r->error, sizeof(r->error), "%s",
	    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
	/* Only a 5xx to RCPT TO is about the address; any other failure
	 * (the relay down, a login refused, a 4xx) is tried again. */
	r->refused = r->status >= 500 && r->status < 600 &&
	    strncmp(errbuf, "RCPT failed", 11) == 0;
}

/*
 * The sites a post's URL may be linked on now: the configuration file's
 * origins and the allowed_origins setting (its JSON text, NULL: none),
 * as the workers judge them (sites_url_shown). Caller frees.
 */
static void
sites_list(const struct mail_conf *mc, const char *setting,
    struct origin_list *out)
{
	struct origin_list s;
	struct apierr      e;
	json_t            *js;
	char               canon[ORIGIN_MAX + 1];
	const char        *why;
	size_t             i;

	origin_list_init(out);
	for (i = 0; i < mc->norigins; i++)
		if (origin_normalize(mc->origins[i], canon, &why) == 0)
			origin_list_add(out, canon);
	if (setting == NULL ||
	    (js = json_loads(setting, JSON_DECODE_ANY, NULL)) == NULL)
		return;
	if (origin_list_parse(js, "allowed_origins", &s, &e) == 0) {
		for (i = 0; i < s.n; i++)
			origin_list_add(out, s.v[i]);
		origin_list_free(&s);
	}
	json_decref(js);
}

/* The items a claimed mail tells of, pointing into res; a post's URL
 * only when its site is allowed now, else "" (the mail links to
 * thread.html). */
static struct mail_item *
items_get(const struct mail_conf *mc, PGresult *res, const char **last_item)
{
	struct mail_item  *items;
	struct origin_list sites;
	int                i, n = PQntuples(res);

	if ((items = calloc((size_t)n + 1, sizeof(*items))) == NULL)
		abort();
	sites_list(mc,
	    n > 0 && !PQgetisnull(res, 0, ITEM_SITES) ?
	        PQgetvalue(res, 0, ITEM_SITES) :
	        NULL,
	    &sites);
	for (i = 0; i < n; i++) {
		items[i].comment_id = PQgetvalue(res, i, ITEM_COMMENT);
		items[i].author_name = PQgetvalue(res, i, ITEM_AUTHOR);
		items[i].body = PQgetvalue(res, i, ITEM_BODY);
		items[i].reason = PQgetisnull(res, i, ITEM_REASON) ?
		    NULL :
		    PQgetvalue(res, i, ITEM_REASON);
		items[i].post_key = PQgetvalue(res, i, ITEM_POST_KEY);
		items[i].post_title = PQgetvalue(res, i, ITEM_POST_TITLE);
		items[i].post_url = PQgetvalue(res, i, ITEM_POST_URL);
		if (!origin_list_has_url(&sites, items[i].post_url))
			items[i].post_url = "";
		*last_item = PQgetvalue(res, i, ITEM_ID);
	}
	origin_list_free(&sites);
	return (items);
}

static int
record(PGconn *conn, const char *id, const struct smtp_result *r,
    const char *last_item, const char *token)
{
	const char *v[7];
	char        status[16], hash[TOKEN_HASH_SQL_LEN], *ok;

	snprintf(status, sizeof(status), "%ld", r->status);
	v[0] = id;
	v[1] = r->sent ? "true" : "false";
	v[2] = r->status != 0 ? status : NULL;
	v[3] = r->error[0] != '\0' ? r->error : NULL;
	v[4] = r->refused ? "true" : "false";
	v[5] = last_item;
	v[6] = r->sent && token_hash_sql(token, hash) == 0 ? hash : NULL;
	if ((ok = exec_value(conn, sql_record, 7, v, "cannot record a mail")) ==
	    NULL)
		return (-1);
	free(ok);
	return (0);
}

static enum mail_kind
kind_of(const char *kind)
{
	if (strcmp(kind, "confirm") == 0)
		return (MAIL_CONFIRM);
	if (strcmp(kind, "privacy") == 0)
		return (MAIL_PRIVACY);
	return (strcmp(kind, "digest") == 0 ? MAIL_DIGEST : MAIL_REPLIES);
}

/* A claimed mail's own parts: its link's token and its Message-ID. */
struct mail_ids {
	char token[TOKEN_TEXT_LEN + 1];
	char message_id[33];
};

/*
 * Builds the message of a claimed mail into msg: 0, 1 when it cannot be
 * built (an address no header can hold), -1 on a database error.
 */
static int
compose(PGconn *conn, const struct mail_conf *mc, PGresult *claim, int row,
    struct mail_message *m, struct mail_ids *ids, struct buf *msg,
    const char **last_item, PGresult **items_res)
{
	const char   *v[1];
	unsigned char rnd[16];

	memset(m, 0, sizeof(*m));
	m->kind = kind_of(PQgetvalue(claim, row, CLAIM_KIND));
	m->to = PQgetvalue(claim, row, CLAIM_EMAIL);
	m->from = mc->from;
	m->public_url = mc->public_url;
	m->now = time(NULL);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(ids->message_id, sizeof(ids->message_id), rnd,
	    sizeof(rnd));
	m->message_id = ids->message_id;
	*items_res = NULL;
	if (m->kind == MAIL_REPLIES || m->kind == MAIL_DIGEST) {
		v[0] = PQgetvalue(claim, row, CLAIM_ID);
		*items_res =
		    PQexecParams(conn, sql_items, 1, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(*items_res) != PGRES_TUPLES_OK) {
			log_db("cannot read what a mail tells", conn);
			return (-1);
		}
		m->items = items_get(mc, *items_res, last_item);
		m->nitems = (size_t)PQntuples(*items_res);
	}
	/* Only its hash is stored, with the record of the mail. */
	token_new(ids->token);
	m->token = ids->token;
	return (mail_build(msg, m) == -1 ? 1 : 0);
}

/* Sends one claimed mail; -1 on a database error. */
static int
send_one(PGconn *conn, CURL *curl, const struct mail_conf *mc, PGresult *claim,
    int row)
{
	const char         *id = PQgetvalue(claim, row, CLAIM_ID);
	const char         *last_item = NULL;
	struct mail_message m;
	struct mail_ids     ids;
	struct smtp_result  r;
	struct buf          msg;
	PGresult           *items = NULL;
	char               *check;
	int                 rc;

	if ((check = exec_value(conn, sql_check, 1, &id,
	         "cannot check a mail")) == NULL)
		return (-1);
	rc = strcmp(check, "send");
	free(check);
	if (rc != 0)
		return (0); /* dropped, or waiting for a cap */

	buf_init(&msg);
	rc = compose(conn, mc, claim, row, &m, &ids, &msg, &last_item, &items);
	if (rc == 0) {
		smtp_send(curl, mc, m.to, &msg, &r);
		fprintf(stderr, "mail: %s %s: %s\n", id,
		    PQgetvalue(claim, row, CLAIM_KIND),
		    r.sent ? "sent" : r.error);
	} else if (rc == 1) {
		/* An address no header can hold: never sendable. */
		memset(&r, 0, sizeof(r));
		snprintf(r.error, sizeof(r.error),
		    "the address cannot be mailed");
		r.refused = 1;
		rc = 0;
	}
	if (rc == 0)
		rc = record(conn, id, &r, last_item, m.token);
	free((void *)m.items);
	PQclear(items);
	if (msg.data != NULL)
		sodium_memzero(msg.data, msg.len);
	buf_free(&msg);
	sodium_memzero(&ids, sizeof(ids));
	return (rc);
}

int
mail_send_batch(PGconn *conn, CURL *curl, const struct mail_conf *mc,
    int (*stop)(void))
{
	const char *v[2];
	char        limit[16], lease[16], *taken;
	PGresult   *claim;
	int         i, n, requests = 0;

	snprintf(limit, sizeof(limit), "%d", CLAIM_LIMIT);
	snprintf(lease, sizeof(lease), "%d", LEASE_S);
	v[0] = limit;
	/* Requests read count as work done: the loop comes back at once
	 * while more wait. */
	if ((taken = exec_value(conn, sql_requests, 1, v,
	         "cannot take privacy requests")) != NULL) {
		requests = atoi(taken);
		free(taken);
	}
	v[1] = lease;
	claim = PQexecParams(conn, sql_claim, 2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(claim) != PGRES_TUPLES_OK) {
		log_db("cannot claim mail", conn);
		PQclear(claim);
		return (-1);
	}
	n = PQntuples(claim);
	for (i = 0; i < n && !stop(); i++) {
		if (send_one(conn, curl, mc, claim, i) == -1 &&
		    PQstatus(conn) != CONNECTION_OK) {
			PQclear(claim);
			return (-1);
		}
	}
	if (i < n)
		outbox_release(conn, sql_release, claim, CLAIM_ID, i, n,
		    "mail");
	PQclear(claim);
	return (n + requests);
}

const struct mail_conf *
mail_conf_of(const struct config *c, struct mail_conf *out)
{
	if (c->smtp_url == NULL)
		return (NULL);
	out->smtp_url = c->smtp_url;
	out->smtp_user = c->smtp_user;
	out->smtp_password = c->smtp_password;
	out->from = c->mail_from;
	out->public_url = c->public_url;
	out->origins = c->origins;
	out->norigins = c->norigins;
	return (out);
}

void
mail_send_prune(PGconn *conn)
{
	PGresult *r = PQexec(conn, sql_prune);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_db("cannot prune old mail", conn);
	PQclear(r);
}

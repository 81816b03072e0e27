#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "metrics.h"
#include "replica.h"

/*
 * Prepared statements. A statement is known by the address of its text
 * (every caller passes a static string) and named "p<index>". Each
 * connection's set is a bit mask, tied to the server process it was
 * prepared in: a reset connection (new backend) starts with none.
 */
#define STMT_MAX   64
#define CONN_SLOTS 64

struct conn_stmts {
	PGconn  *db;
	int      pid;
	uint64_t prepared;
};

static const char       *stmt_texts[STMT_MAX];
static int               stmt_count;
static struct conn_stmts conn_slots[CONN_SLOTS];
static int               conn_next_slot;
/* prepared_statements in parley.conf: 0 sends every statement unnamed. */
static int db_prepare = 1;

void
db_prepared_statements(int on)
{
	db_prepare = on;
}

/* The statement's number, or -1 (table full: it runs unprepared). */
static int
stmt_id(const char *text)
{
	int i;

	for (i = 0; i < stmt_count; i++)
		if (stmt_texts[i] == text)
			return (i);
	if (stmt_count == STMT_MAX)
		return (-1);
	stmt_texts[stmt_count] = text;
	return (stmt_count++);
}

/*
 * The prepared set of db. A slot taken over from another connection
 * only makes that one prepare again; "already exists" is then taken as
 * success.
 */
static struct conn_stmts *
conn_stmts(PGconn *db)
{
	struct conn_stmts *c;
	int                i;

	for (i = 0; i < CONN_SLOTS; i++) {
		c = &conn_slots[i];
		if (c->db == db)
			break;
	}
	if (i == CONN_SLOTS) {
		c = &conn_slots[conn_next_slot];
		conn_next_slot = (conn_next_slot + 1) % CONN_SLOTS;
		c->db = db;
		c->pid = 0;
	}
	if (c->pid != PQbackendPID(db)) {
		c->pid = PQbackendPID(db);
		c->prepared = 0;
	}
	return (c);
}

static void
stmt_name(int id, char out[16])
{
	snprintf(out, 16, "p%d", id);
}

void
db_query_init(struct db_query *q, const char *text)
{
	memset(q, 0, sizeof(*q));
	kore_pgsql_init(&q->sql);
	q->text = text;
}

void
db_param_len(struct db_query *q, const char *v, size_t len)
{
	if (q->nparams >= DB_PARAMS_MAX)
		fatal("db_param: more than %d parameters", DB_PARAMS_MAX);
	q->values[q->nparams] = v;
	q->lengths[q->nparams] = v != NULL ? (int)len : 0;
	q->formats[q->nparams] = 0;
	q->nparams++;
}

void
db_param(struct db_query *q, const char *v)
{
	db_param_len(q, v, v != NULL ? strlen(v) : 0);
}

/*
 * A connection whose server went away stays in Kore's pool, failing every
 * query, until something reconnects it. Resetting is synchronous, but a
 * refused connection answers at once and connect_timeout bounds the rest.
 */
static void
reset_if_broken(struct kore_pgsql *sql)
{
	if (sql->conn == NULL || PQstatus(sql->conn->db) != CONNECTION_BAD)
		return;
	/*
	 * Closing the old socket (libpq did, or PQreset will) takes it out of
	 * epoll: Kore must not try to remove it again, nor cancel on it.
	 */
	sql->flags &= ~KORE_PGSQL_SCHEDULED;
	kore_log(LOG_NOTICE, "pgsql: resetting a broken connection");
	PQreset(sql->conn->db);
}

/*
 * Reads the rest of the reply if it is already here, so the connection goes
 * back to the pool without Kore's blocking cancel request. Marks the query
 * DONE when the reply ended; otherwise Kore cancels it on cleanup.
 */
static void
drain(struct kore_pgsql *sql)
{
	PGconn   *db;
	PGresult *r;

	if (sql->conn == NULL)
		return;
	db = sql->conn->db;
	while (PQconsumeInput(db) && !PQisBusy(db)) {
		if ((r = PQgetResult(db)) == NULL) {
			sql->state = KORE_PGSQL_STATE_DONE;
			return;
		}
		PQclear(r);
	}
}

static enum db_status
fail(struct db_query *q)
{
	if (q->sql.result != NULL) {
		const char *st =
		    PQresultErrorField(q->sql.result, PG_DIAG_SQLSTATE);
		if (st != NULL)
			(void)kore_strlcpy(q->sqlstate, st,
			    sizeof(q->sqlstate));
	}
	kore_pgsql_logerror(&q->sql);
	metrics_count(METRICS_DB_ERRORS, 1);
	if (q->sql.result != NULL) {
		PQclear(q->sql.result);
		q->sql.result = NULL;
	}
	/* Not the standby's now: it may be down, and PQreset would wait
	 * for it. Its next use resets it (start), once its watch answers. */
	if (!q->replica)
		reset_if_broken(&q->sql);
	if (q->sql.conn != NULL && PQstatus(q->sql.conn->db) == CONNECTION_OK)
		drain(&q->sql);
	q->finished = 1;
	q->failed = 1;
	kore_pgsql_cleanup(&q->sql);
	return (DB_FAILED);
}

/* As Kore's own sending does: wait for the answer on the socket. */
static void
schedule(struct http_request *req, struct db_query *q)
{
	kore_platform_schedule_read(PQsocket(q->sql.conn->db), q->sql.conn);
	q->sql.state = KORE_PGSQL_STATE_WAIT;
	q->sql.flags |= KORE_PGSQL_SCHEDULED;
	http_request_sleep(req);
}

static enum db_status
send_failed(struct db_query *q)
{
	if (q->sql.error != NULL)
		kore_free(q->sql.error);
	q->sql.error = kore_strdup(PQerrorMessage(q->sql.conn->db));
	q->sql.state = KORE_PGSQL_STATE_ERROR;
	return (fail(q));
}

/* Executes q's statement, prepared on this connection already. */
static enum db_status
send_prepared(struct http_request *req, struct db_query *q, int id)
{
	char name[16];

	stmt_name(id, name);
	if (!PQsendQueryPrepared(q->sql.conn->db, name, q->nparams, q->values,
	        q->lengths, q->formats, 0))
		return (send_failed(q));
	schedule(req, q);
	return (DB_PENDING);
}

/*
 * Prepares q's statement first (its answer comes to prepare_done). With
 * prepared statements off, or the table full, it goes out unnamed
 * instead: Kore's PQsendQueryParams sends Parse, Bind and Execute of the
 * unnamed statement at once, which any server connection behind a
 * transaction-pooling PgBouncer can run.
 */
static enum db_status
send_query(struct http_request *req, struct db_query *q)
{
	struct conn_stmts *c;
	char               name[16];
	int                id;

	if (!db_prepare || (id = stmt_id(q->text)) == -1) {
		if (!kore_pgsql_query_param_fields(&q->sql, q->text, 0,
		        q->nparams, q->values, q->lengths, q->formats))
			return (fail(q));
		return (DB_PENDING);
	}
	c = conn_stmts(q->sql.conn->db);
	if (c->prepared & ((uint64_t)1 << id))
		return (send_prepared(req, q, id));
	stmt_name(id, name);
	if (!PQsendPrepare(q->sql.conn->db, name, q->text, q->nparams, NULL))
		return (send_failed(q));
	q->preparing = 1;
	schedule(req, q);
	return (DB_PENDING);
}

/*
 * The Parse's answer began to arrive (Kore read its first result): read
 * to its end, then execute it.
 */
static enum db_status
prepare_done(struct http_request *req, struct db_query *q)
{
	PGconn     *db = q->sql.conn->db;
	PGresult   *r;
	const char *st;
	int         id, failed = 0;

	if (q->sql.result != NULL) {
		PQclear(q->sql.result);
		q->sql.result = NULL;
	}
	for (;;) {
		if (!PQconsumeInput(db))
			return (send_failed(q));
		if (PQisBusy(db)) {
			q->sql.state = KORE_PGSQL_STATE_WAIT;
			http_request_sleep(req);
			return (DB_PENDING);
		}
		if ((r = PQgetResult(db)) == NULL)
			break;
		if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
			st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			/* Prepared by a connection that had our slot. */
			if (st == NULL || strcmp(st, "42P05") != 0) {
				failed = 1;
				if (q->sql.error != NULL)
					kore_free(q->sql.error);
				q->sql.error =
				    kore_strdup(PQresultErrorMessage(r));
				if (q->sql.result == NULL) {
					q->sql.result = r;
					continue;
				}
			}
		}
		PQclear(r);
	}
	q->preparing = 0;
	if (failed) {
		q->sql.state = KORE_PGSQL_STATE_ERROR;
		return (fail(q));
	}
	id = stmt_id(q->text);
	conn_stmts(db)->prepared |= (uint64_t)1 << id;
	return (send_prepared(req, q, id));
}

/*
 * A Parse answered "already exists" (42P05): a request that went away
 * while its statement was being prepared had its answer drained unread,
 * so the statement is there though this worker did not mark it.
 */
static int
prepared_already(struct db_query *q)
{
	const char *st;

	if (!q->preparing || q->sql.result == NULL)
		return (0);
	st = PQresultErrorField(q->sql.result, PG_DIAG_SQLSTATE);
	return (st != NULL && strcmp(st, "42P05") == 0);
}

static enum db_status
start(struct http_request *req, struct db_query *q)
{
	if (!q->started) {
		kore_pgsql_bind_request(&q->sql, req);
		q->started = 1;
		metrics_count(q->replica ? METRICS_DB_REPLICA :
		                           METRICS_DB_QUERIES,
		    1);
	}
	if (!kore_pgsql_setup(&q->sql, q->replica ? DB_REPLICA : DB_NAME,
	        KORE_PGSQL_ASYNC)) {
		/* Still INIT means queued for a free connection. */
		if (q->sql.state == KORE_PGSQL_STATE_INIT) {
			if (!q->queued)
				metrics_count(METRICS_DB_WAITS, 1);
			q->queued = 1;
			return (DB_PENDING);
		}
		return (fail(q));
	}
	if (PQstatus(q->sql.conn->db) == CONNECTION_BAD) {
		reset_if_broken(&q->sql);
		if (PQstatus(q->sql.conn->db) == CONNECTION_BAD) {
			kore_log(LOG_NOTICE, "pgsql: database unavailable");
			metrics_count(METRICS_DB_ERRORS, 1);
			q->finished = 1;
			q->failed = 1;
			kore_pgsql_cleanup(&q->sql);
			return (DB_FAILED);
		}
	}
	return (send_query(req, q));
}

static enum db_status
db_step(struct http_request *req, struct db_query *q)
{
	for (;;) {
		if (q->finished)
			return (q->failed ? DB_FAILED : DB_READY);

		switch (q->sql.state) {
		case KORE_PGSQL_STATE_INIT:
			return (start(req, q));
		case KORE_PGSQL_STATE_WAIT:
			return (DB_PENDING);
		case KORE_PGSQL_STATE_RESULT:
		case KORE_PGSQL_STATE_DONE:
			/* A Parse answered: on to the execution. */
			if (q->preparing)
				return (prepare_done(req, q));
			/*
			 * Rows (or a command's tag) arrived, but the implicit
			 * transaction commits only before ReadyForQuery: keep
			 * the result and read on until the connection is idle.
			 */
			if (q->sql.result != NULL) {
				if (q->result == NULL)
					q->result = q->sql.result;
				else
					PQclear(q->sql.result);
				q->sql.result = NULL;
			}
			/* From RESULT: reads on (maybe to WAIT). From DONE:
			 * reads the rest of the reply, then releases the
			 * connection (COMPLETE). */
			kore_pgsql_continue(&q->sql);
			continue;
		case KORE_PGSQL_STATE_COMPLETE:
			q->finished = 1;
			kore_pgsql_cleanup(&q->sql);
			return (DB_READY);
		case KORE_PGSQL_STATE_ERROR:
			/* Kore saw the error before prepare_done could. */
			if (prepared_already(q))
				return (prepare_done(req, q));
			return (fail(q));
		default:
			return (fail(q));
		}
	}
}

void
db_on_replica(struct db_query *q)
{
	q->replica = 1;
}

/* A query the standby failed starts again on the primary, as if new:
 * fail() has released the standby's connection already. */
static void
to_primary(struct db_query *q)
{
	struct db_query again;

	db_query_init(&again, q->text);
	again.nparams = q->nparams;
	memcpy(again.values, q->values, sizeof(q->values));
	memcpy(again.lengths, q->lengths, sizeof(q->lengths));
	memcpy(again.formats, q->formats, sizeof(q->formats));
	if (q->result != NULL)
		PQclear(q->result);
	*q = again;
}

enum db_status
db_run(struct http_request *req, struct db_query *q)
{
	enum db_status st = db_step(req, q);

	if (st == DB_FAILED && q->replica) {
		replica_failed();
		metrics_count(METRICS_DB_REPLICA_FALLBACK, 1);
		to_primary(q);
		st = db_step(req, q);
	}
	return (st);
}

void
db_done(struct db_query *q)
{
	if (q->result != NULL) {
		PQclear(q->result);
		q->result = NULL;
	}
	if (q->finished && q->sql.conn == NULL)
		return;
	q->finished = 1;
	if (q->sql.result != NULL) {
		PQclear(q->sql.result);
		q->sql.result = NULL;
	}
	drain(&q->sql);
	kore_pgsql_cleanup(&q->sql);
}

int
db_rows(struct db_query *q)
{
	return (q->result != NULL ? PQntuples(q->result) : 0);
}

const char *
db_text(struct db_query *q, int row, int col)
{
	if (PQgetisnull(q->result, row, col))
		return (NULL);
	return (PQgetvalue(q->result, row, col));
}

int64_t
db_int(struct db_query *q, int row, int col)
{
	const char *v = db_text(q, row, col);

	return (v != NULL ? strtoll(v, NULL, 10) : 0);
}

int
db_bool(struct db_query *q, int row, int col)
{
	const char *v = db_text(q, row, col);

	return (v != NULL && v[0] == 't');
}

#include <stdlib.h>
#include <string.h>

#include "db.h"

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
	PGconn		*db;
	PGresult	*r;

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
		const char *st = PQresultErrorField(q->sql.result,
		    PG_DIAG_SQLSTATE);
		if (st != NULL)
			(void)kore_strlcpy(q->sqlstate, st, sizeof(q->sqlstate));
	}
	kore_pgsql_logerror(&q->sql);
	if (q->sql.result != NULL) {
		PQclear(q->sql.result);
		q->sql.result = NULL;
	}
	reset_if_broken(&q->sql);
	if (q->sql.conn != NULL && PQstatus(q->sql.conn->db) == CONNECTION_OK)
		drain(&q->sql);
	q->finished = 1;
	q->failed = 1;
	kore_pgsql_cleanup(&q->sql);
	return (DB_FAILED);
}

static enum db_status
start(struct http_request *req, struct db_query *q)
{
	if (!q->started) {
		kore_pgsql_bind_request(&q->sql, req);
		q->started = 1;
	}
	if (!kore_pgsql_setup(&q->sql, DB_NAME, KORE_PGSQL_ASYNC)) {
		/* Still INIT means queued for a free connection. */
		if (q->sql.state == KORE_PGSQL_STATE_INIT)
			return (DB_PENDING);
		return (fail(q));
	}
	if (PQstatus(q->sql.conn->db) == CONNECTION_BAD) {
		reset_if_broken(&q->sql);
		if (PQstatus(q->sql.conn->db) == CONNECTION_BAD) {
			kore_log(LOG_NOTICE, "pgsql: database unavailable");
			q->finished = 1;
			q->failed = 1;
			kore_pgsql_cleanup(&q->sql);
			return (DB_FAILED);
		}
	}
	if (!kore_pgsql_query_param_fields(&q->sql, q->text, 0, q->nparams,
	    q->values, q->lengths, q->formats))
		return (fail(q));
	return (DB_PENDING);
}

enum db_status
db_run(struct http_request *req, struct db_query *q)
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
		default:
			return (fail(q));
		}
	}
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
	const char	*v = db_text(q, row, col);

	return (v != NULL ? strtoll(v, NULL, 10) : 0);
}

int
db_bool(struct db_query *q, int row, int col)
{
	const char	*v = db_text(q, row, col);

	return (v != NULL && v[0] == 't');
}

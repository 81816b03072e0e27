/*
 * Asynchronous PostgreSQL queries for request handlers, over Kore's pgsql
 * layer. Each statement text is prepared once per connection (named after
 * its place in a table of texts) and then only executed: no parsing and
 * planning of the same statement on every request. With
 * prepared_statements = no (PgBouncer in transaction mode, where the next
 * statement may run on another server connection) every statement is
 * sent unnamed instead. A handler starts a
 * query and returns KORE_RESULT_RETRY while it is pending; Kore calls the
 * handler again when the answer arrives. Dead connections (PostgreSQL
 * restarted) are reset here so the service recovers by itself.
 */
#ifndef PARLEY_DB_H
#define PARLEY_DB_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#define DB_NAME       "db"
#define DB_PARAMS_MAX 24

enum db_status {
	DB_PENDING, /* not answered yet: return KORE_RESULT_RETRY */
	DB_READY, /* done and committed; the rows are in q->result */
	DB_FAILED, /* SQL error (q->sqlstate) or no database: see
			 * api_query_ready for the answer */
};

struct db_query {
	struct kore_pgsql sql;
	int               started;
	int               preparing; /* waiting for its Parse */
	int               finished;
	int               failed;
	int               queued; /* waited for a free connection */
	int               replica; /* on database_replica (replica.h) */
	const char       *text;
	int               nparams;
	const char       *values[DB_PARAMS_MAX];
	int               lengths[DB_PARAMS_MAX];
	int               formats[DB_PARAMS_MAX];
	char              sqlstate[6]; /* set on SQL errors */
	/* The rows, kept while the rest of the reply (the commit) arrives. */
	PGresult *result;
};

/* 1 (the default): prepare by name per connection; 0: unnamed only. Set
 * before any query runs (the parent, before the workers fork). */
void db_prepared_statements(int);

/* Prepares q for text; then add parameters in order. */
void db_query_init(struct db_query *, const char *);
/* A NULL value is SQL NULL. Values are borrowed until the query is done. */
void db_param(struct db_query *, const char *);
void db_param_len(struct db_query *, const char *, size_t);

/* Sends q to the standby (a read-only query, before it runs); should it
 * fail there, it runs again on the primary. */
void db_on_replica(struct db_query *);

/* Runs (or continues) q for req. Call again each time the handler runs
 * until it returns DB_READY or DB_FAILED. DB_READY comes only once the
 * server said the statement is over (ReadyForQuery), so a write it made
 * is committed before anyone is told. */
enum db_status db_run(struct http_request *, struct db_query *);
/* Releases the connection once the result has been read. Idempotent. */
void db_done(struct db_query *);

/* Row accessors on a ready result. */
int         db_rows(struct db_query *);
const char *db_text(struct db_query *, int, int); /* NULL if SQL NULL */
int64_t     db_int(struct db_query *, int, int);
int         db_bool(struct db_query *, int, int);

#endif

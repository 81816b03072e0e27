/*
 * An import job of the admin API (import_job.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "import_job.h"

/* Progress is written at most this often (milliseconds). */
#define PROGRESS_MS 250

static const char sql_update[] =
    "SELECT import_job_update($1, $2, $3, $4, $5, $6, $7, $8, $9)";
/* The import lock (import_lock_key() in sql/functions/import.sql), held
 * on the job's own connection from before the import until after its
 * end is written: a job shown running always has its importer. Waits
 * for one that runs (a command line import). */
static const char sql_lock[] = "SELECT pg_advisory_lock(import_lock_key())";

struct watcher {
	struct import_job *job;
	PGconn            *db; /* its own: the import's is in a
				  * transaction */
	uint64_t           last_ms;
	struct buf         errors;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Writes the job's row; a failure only loses this update. */
static void
job_update(struct watcher *w, const char *state, const struct import_report *r)
{
	char        num[7][24];
	const char *values[9];
	PGresult   *res;
	off_t       at;
	int         i;

	at = lseek(w->job->fd, 0, SEEK_CUR);
	if (at < 0 || at > w->job->bytes || strcmp(state, "running") != 0)
		at = w->job->bytes;
	else /* The file is read twice: each reading is half the way. */
		at = (at + (r->reading == 2 ? w->job->bytes : 0)) / 2;
	(void)snprintf(num[0], sizeof(num[0]), "%" PRId64, w->job->id);
	(void)snprintf(num[1], sizeof(num[1]), "%lld", (long long)at);
	(void)snprintf(num[2], sizeof(num[2]), "%" PRId64, r->read);
	(void)snprintf(num[3], sizeof(num[3]), "%" PRId64, r->counts.imported);
	(void)snprintf(num[4], sizeof(num[4]), "%" PRId64,
	    import_report_skipped(r));
	(void)snprintf(num[5], sizeof(num[5]), "%" PRId64, r->counts.already);
	(void)snprintf(num[6], sizeof(num[6]), "%" PRId64, r->counts.orphans);
	buf_reset(&w->errors);
	buf_printf(&w->errors, "[%s]",
	    r->errors.data != NULL ? r->errors.data : "");
	values[0] = num[0];
	values[1] = state;
	for (i = 1; i < 7; i++)
		values[i + 1] = num[i];
	values[8] = w->errors.data;
	res = PQexecParams(w->db, sql_update, 9, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fprintf(stderr, "parley: import job %" PRId64 ": %s",
		    w->job->id, PQresultErrorMessage(res));
	PQclear(res);
}

static void
on_progress(void *arg, const struct import_report *r)
{
	struct watcher *w = arg;
	uint64_t        now = now_ms();

	/* The end of each reading is always told: placing or storing
	 * comes next. */
	if (now - w->last_ms < PROGRESS_MS &&
	    lseek(w->job->fd, 0, SEEK_CUR) < w->job->bytes)
		return;
	w->last_ms = now;
	job_update(w, "running", r);
}

static int
lock_take(PGconn *db)
{
	PGresult *res;
	int       ok;

	if (PQstatus(db) != CONNECTION_OK)
		return (-1);
	res = PQexec(db, sql_lock);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return (ok ? 0 : -1);
}

void
import_job_run(struct import_job *job)
{
	struct import_watch  watch = { on_progress, NULL };
	struct import_report report;
	struct watcher       w;

	memset(&w, 0, sizeof(w));
	w.job = job;
	buf_init(&w.errors);
	watch.arg = &w;
	w.db = PQconnectdb(job->conninfo);
	if (lock_take(w.db) == -1) {
		/* Nobody can be told: the job shows as failed once a
		 * minute has passed (import_jobs_abandoned()). */
		fprintf(stderr, "parley: import job %" PRId64 ": %s", job->id,
		    PQerrorMessage(w.db));
	} else {
		(void)import_run(job->conninfo, job->fd, &job->options, &watch,
		    &report);
		job_update(&w, report.done ? "done" : "failed", &report);
		import_report_free(&report);
	}
	buf_free(&w.errors);
	PQfinish(w.db);
	close(job->fd);
	free(job->conninfo);
	free(job);
}

/*
 * An import started from the admin API: import_run with its progress
 * and its end written to the import_jobs row (sql/025_import_jobs.sql),
 * which any worker of any node reads for GET /api/v1/admin/import/ID.
 * Kore-free, on libpq; blocking: import_thread.c runs it in a thread.
 */
#ifndef PARLEY_IMPORT_JOB_H
#define PARLEY_IMPORT_JOB_H

#include <stdint.h>
#include <sys/types.h>

#include "import_run.h"

struct import_job {
	int64_t               id; /* its import_jobs row */
	int                   fd; /* the file, owned: closed at the end */
	off_t                 bytes; /* its size */
	struct import_options options;
	char                 *conninfo; /* owned */
};

/* Runs the job to its end and frees it. */
void import_job_run(struct import_job *);

#endif

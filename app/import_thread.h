/*
 * Runs an admin API import (import_job.c) in a thread of its own, so the
 * event loop never waits on the parser or the database, and Kore's task
 * threads stay free for the verdict hooks. The thread outlives the
 * request that started it; a worker that dies takes it along, and the
 * job then shows as failed (import_jobs_abandoned() in
 * sql/functions/import.sql) with nothing of it kept.
 */
#ifndef PARLEY_IMPORT_THREAD_H
#define PARLEY_IMPORT_THREAD_H

#include "import_job.h"

/* Starts job (which the thread then owns): 0, or -1 (job untouched). */
int import_thread_start(struct import_job *);

#endif

/*
 * The export of GET /api/v1/admin/export, written (export.c) to a file
 * by a thread of its own while the request sleeps, bound to it as a Kore
 * task (as pwtask.c does), so Kore keeps the request until the thread is
 * done even when the client goes away. One export at a time per worker.
 */
#ifndef PARLEY_EXPORT_TASK_H
#define PARLEY_EXPORT_TASK_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

struct export_task {
	struct kore_task task; /* first */
	const char      *conninfo;
	int              fd; /* the file written; the caller's */
	int              reserved, started, finished;
	int              rc; /* export_write's */
	char             err[256];
};

/* -1 while this worker exports already (answer 409), else 0: the place
 * is held until the task finished or export_task_cleanup. */
int export_task_reserve(struct export_task *);
/* Gives the place back; for the request's end, whatever happened. */
void export_task_cleanup(struct export_task *);
/* 1 once finished (rc, err readable); 0 while pending: return RETRY. */
int export_task_run(struct http_request *, struct export_task *);

#endif

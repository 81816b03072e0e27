/*
 * The admin API's export in a thread of its own (export_task.h).
 */
#include <stdio.h>

#include "export.h"
#include "export_task.h"
#include "spawn.h"

/* This worker's export in progress, if any: event loop only. */
static int exporting;

static void *
export_thread(void *arg)
{
	struct export_task *t = arg;

	kore_task_set_state(&t->task, KORE_TASK_STATE_RUNNING);
	t->rc = export_write(t->conninfo, t->fd, t->err, sizeof(t->err));
	kore_task_set_result(&t->task, KORE_RESULT_OK);
	/* Wakes the event loop: t may be gone from here on. */
	kore_task_finish(&t->task);
	return (NULL);
}

/* Kore's task entry, never called: the thread above runs the work. */
static int
export_entry(struct kore_task *t)
{
	(void)t;
	return (KORE_RESULT_OK);
}

int
export_task_reserve(struct export_task *t)
{
	if (t->reserved)
		return (0);
	if (exporting)
		return (-1);
	exporting = 1;
	t->reserved = 1;
	return (0);
}

void
export_task_cleanup(struct export_task *t)
{
	/* Kore frees a request only once its task is over. */
	if (t->reserved) {
		t->reserved = 0;
		exporting = 0;
	}
}

static int
export_start(struct http_request *req, struct export_task *t)
{
	kore_task_create(&t->task, export_entry);
	kore_task_bind_request(&t->task, req);
	kore_platform_schedule_read(t->task.fds[0], &t->task);
	if (spawn_detached(export_thread, t, "export") == -1) {
		(void)snprintf(t->err, sizeof(t->err), "%s", "no thread");
		t->rc = -1;
		kore_task_finish(&t->task);
		return (-1);
	}
	return (0);
}

int
export_task_run(struct http_request *req, struct export_task *t)
{
	if (t->finished)
		return (1);
	if (!t->started) {
		t->started = 1;
		(void)export_start(req, t);
		return (0);
	}
	if (kore_task_state(&t->task) != KORE_TASK_STATE_FINISHED)
		return (0);
	kore_task_destroy(&t->task);
	t->finished = 1;
	export_task_cleanup(t);
	return (1);
}

/*
 * The admin API's imports in threads of their own (import_thread.h).
 */
#include "import_thread.h"
#include "spawn.h"

static void *
import_thread_main(void *arg)
{
	import_job_run(arg);
	return (NULL);
}

int
import_thread_start(struct import_job *job)
{
	return (spawn_detached(import_thread_main, job, "import"));
}

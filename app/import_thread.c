/*
 * The admin API's imports in threads of their own (import_thread.h).
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <kore/kore.h>

#include "import_thread.h"

static void *
import_thread_main(void *arg)
{
	import_job_run(arg);
	return (NULL);
}

int
import_thread_start(struct import_job *job)
{
	pthread_t tid;
	sigset_t  all, old;
	int       err;

	/* Signals stay with the event loop's thread, where Kore handles
	 * them: the new thread starts with every signal blocked. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&tid, NULL, import_thread_main, job);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		kore_log(LOG_ERR, "import: no thread: %s", strerror(err));
		return (-1);
	}
	(void)pthread_detach(tid);
	return (0);
}

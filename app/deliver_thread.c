/*
 * Event hooks are delivered from inside Kore: the first worker runs the
 * deliverer (deliver.c) in a thread of its own, with its own blocking
 * database connection, so the event loop never waits for the database
 * or a receiver, and no extra process (with its own copy of libcurl,
 * libpq and OpenSSL) sits beside Kore. Kore restarts a worker that
 * dies, and with it the thread; a delivery cut short by that is sent
 * again when its lease runs out.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <kore/kore.h>

#include "deliver.h"
#include "deliver_thread.h"

/* Never set: the thread ends with its worker. */
static volatile sig_atomic_t	deliver_stop;

static void *
deliver_thread_main(void *arg)
{
	const char	*conninfo = arg;

	if (deliver_run(conninfo, &deliver_stop) == -1)
		kore_log(LOG_ERR, "deliver: cannot start; hooks are not sent");
	return (NULL);
}

void
deliver_thread_start(const char *conninfo)
{
	pthread_t	tid;
	sigset_t	all, old;
	int		err;

	if (worker == NULL || worker->id != 1)
		return;
	/* Signals stay with the event loop's thread, where Kore handles
	 * them: the new thread starts with every signal blocked. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&tid, NULL, deliver_thread_main,
	    (void *)conninfo);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		kore_log(LOG_ERR, "deliver: no thread: %s", strerror(err));
		return;
	}
	(void)pthread_detach(tid);
}

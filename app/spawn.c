/*
 * Detached threads with every signal blocked (spawn.h).
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <kore/kore.h>

#include "spawn.h"

int
spawn_detached(void *(*fn)(void *), void *arg, const char *what)
{
	pthread_t tid;
	sigset_t  all, old;
	int       err;

	/* The new thread inherits the mask: it starts with every signal
	 * blocked, and this thread gets its own mask back. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&tid, NULL, fn, arg);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		kore_log(LOG_ERR, "%s: no thread: %s", what, strerror(err));
		return (-1);
	}
	(void)pthread_detach(tid);
	return (0);
}

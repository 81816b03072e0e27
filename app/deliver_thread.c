/*
 * Event hooks are delivered from inside Kore: the first worker runs the
 * deliverer (deliver.c) in a thread of its own, with its own blocking
 * database connection, so the event loop never waits for the database
 * or a receiver, and no extra process (with its own copy of libcurl,
 * libpq and OpenSSL) sits beside Kore. Kore restarts a worker that
 * dies, and with it the thread; a delivery cut short by that is sent
 * again when its lease runs out.
 *
 * One way a worker dies leaves the thread behind: seccomp kills only
 * the thread that made a refused system call. A worker whose event loop
 * is gone must not live on as a deliverer that Kore can neither see nor
 * replace, so the event loop beats a heart the thread listens to.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include <kore/kore.h>

#include "deliver.h"
#include "deliver_thread.h"
#include "mail_send.h"
#include "parley.h"
#include "spawn.h"

#define HEARTBEAT_MS 1000
/* Longer than anything the event loop may block for (a reset
 * connection waits up to connect_timeout). */
#define HEART_STOPPED_MS 30000

/* The event loop's last beat, in kore_time_ms() (monotonic) time. */
static _Atomic uint64_t heartbeat;

static void
beat(void *arg, u_int64_t now)
{
	(void)arg;
	atomic_store(&heartbeat, now);
}

/*
 * Never asks the deliverer to stop while the worker lives; ends the
 * whole process once its event loop has stopped beating, so that Kore
 * sees the worker gone and starts another.
 */
static int
worker_gone(void)
{
	static const char msg[] = "deliver: the worker's event loop is "
	                          "gone; ending the worker\n";

	if (kore_time_ms() - atomic_load(&heartbeat) < HEART_STOPPED_MS)
		return (0);
	(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static void *
deliver_thread_main(void *arg)
{
	const char      *conninfo = arg;
	struct mail_conf mail;

	if (deliver_run(conninfo, mail_conf_of(&parley_config, &mail),
	        worker_gone) == -1)
		kore_log(LOG_ERR, "deliver: cannot start; hooks are not sent");
	return (NULL);
}

void
deliver_thread_start(const char *conninfo)
{
	if (worker == NULL || worker->id != 1)
		return;
	beat(NULL, kore_time_ms());
	(void)kore_timer_add(beat, HEARTBEAT_MS, NULL, 0);
	(void)spawn_detached(deliver_thread_main, (void *)conninfo, "deliver");
}

/*
 * Password work in a pool of its own (see pwtask.h).
 *
 * Each piece of work is a Kore task bound to its request, so that Kore
 * wakes the request, and keeps it (and so the struct) alive until the work
 * is done even when the client goes away: Kore frees a request only once
 * its tasks are finished. Only the thread that runs it differs: ours, not
 * Kore's task threads, which stay free for the verdict hooks. The event
 * loop watches the task's socket as kore_task_run would; the thread
 * closes its end (kore_task_finish) when the work is done.
 *
 * Places: each request reserves one before it asks the database anything,
 * so a full queue is refused before a login attempt is counted. A place
 * is held from pwtask_reserve until the thread has run the work (or until
 * pwtask_cleanup, for work never queued); pool_places counts them.
 */
#include <sys/queue.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "metrics.h"
#include "pwtask.h"

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  pool_work = PTHREAD_COND_INITIALIZER;
static TAILQ_HEAD(, pwtask) pool_queue = TAILQ_HEAD_INITIALIZER(pool_queue);
static int pool_places; /* under pool_lock */
static int pool_threads; /* event loop only */

static int
pwtask_entry(struct kore_task *t)
{
	struct pwtask *p = (struct pwtask *)t;

	switch (p->op) {
	case PWTASK_HASH:
		p->ok =
		    password_hash(p->password, p->password_len, p->hash) == 0;
		break;
	case PWTASK_VERIFY:
		p->ok = password_verify(p->password, p->password_len, p->hash);
		/* Upgrade old parameters while the password is at hand. */
		if (p->ok && password_needs_rehash(p->hash))
			p->rehashed = password_hash(p->password,
			                  p->password_len, p->new_hash) == 0;
		break;
	case PWTASK_CHANGE:
		p->ok = password_verify(p->password, p->password_len, p->hash);
		if (p->ok)
			p->rehashed =
			    password_hash(p->new_password, p->new_password_len,
			        p->new_hash) == 0;
		break;
	}
	sodium_memzero(p->password, sizeof(p->password));
	sodium_memzero(p->new_password, sizeof(p->new_password));
	return (KORE_RESULT_OK);
}

static void
place_give_back(void)
{
	pthread_mutex_lock(&pool_lock);
	pool_places--;
	pthread_mutex_unlock(&pool_lock);
	metrics_gauge_add(METRICS_PW_QUEUE, -1);
}

static void *
pool_thread(void *arg)
{
	struct pwtask *p;
	sigset_t       all;

	(void)arg;
	/* Signals are the event loop's business. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&pool_lock);
	for (;;) {
		while ((p = TAILQ_FIRST(&pool_queue)) == NULL)
			pthread_cond_wait(&pool_work, &pool_lock);
		TAILQ_REMOVE(&pool_queue, p, queue);
		pthread_mutex_unlock(&pool_lock);

		kore_task_set_state(&p->task, KORE_TASK_STATE_RUNNING);
		kore_task_set_result(&p->task, pwtask_entry(&p->task));
		/* Before the wake-up, so the woken sees the place free. */
		pthread_mutex_lock(&pool_lock);
		pool_places--;
		p->ran = 1;
		pthread_mutex_unlock(&pool_lock);
		metrics_gauge_add(METRICS_PW_QUEUE, -1);
		/* Wakes the event loop: p may be gone from here on. */
		kore_task_finish(&p->task);

		pthread_mutex_lock(&pool_lock);
	}
	/* NOTREACHED */
	return (NULL);
}

/* Starts the pool's threads in this worker on first use. -1 if none runs. */
static int
pool_start(void)
{
	pthread_t tid;

	while (pool_threads < PWTASK_THREADS) {
		if (pthread_create(&tid, NULL, pool_thread, NULL) != 0) {
			kore_log(LOG_ERR, "pwtask: cannot start a thread");
			break;
		}
		(void)pthread_detach(tid);
		pool_threads++;
	}
	return (pool_threads > 0 ? 0 : -1);
}

int
pwtask_reserve(struct pwtask *p)
{
	int ok;

	if (p->reserved)
		return (0);
	if (pool_start() == -1)
		return (-1);
	pthread_mutex_lock(&pool_lock);
	ok = pool_places < PWTASK_THREADS + PWTASK_WAITING_MAX;
	if (ok)
		pool_places++;
	pthread_mutex_unlock(&pool_lock);
	if (!ok) {
		metrics_count(METRICS_PW_REFUSED, 1);
		return (-1);
	}
	metrics_gauge_add(METRICS_PW_QUEUE, 1);
	p->reserved = 1;
	return (0);
}

void
pwtask_init(struct pwtask *p, enum pwtask_op op, const char *pw, size_t len,
    const char *hash)
{
	p->op = op;
	if (len > PASSWORD_MAX_BYTES)
		len = PASSWORD_MAX_BYTES;
	memcpy(p->password, pw, len);
	p->password[len] = '\0';
	p->password_len = len;
	if (hash != NULL)
		(void)kore_strlcpy(p->hash, hash, sizeof(p->hash));
}

void
pwtask_init_new(struct pwtask *p, const char *pw, size_t len)
{
	if (len > PASSWORD_MAX_BYTES)
		len = PASSWORD_MAX_BYTES;
	memcpy(p->new_password, pw, len);
	p->new_password[len] = '\0';
	p->new_password_len = len;
}

/* Queues the work on the reserved place, as kore_task_run would on Kore's
 * own threads. */
static void
pwtask_submit(struct http_request *req, struct pwtask *p)
{
	if (!p->reserved)
		fatal("pwtask_run without a reserved place");
	kore_task_create(&p->task, pwtask_entry);
	kore_task_bind_request(&p->task, req);
	kore_platform_schedule_read(p->task.fds[0], &p->task);

	pthread_mutex_lock(&pool_lock);
	TAILQ_INSERT_TAIL(&pool_queue, p, queue);
	/* The place is the thread's to give back now. */
	p->reserved = 0;
	pthread_mutex_unlock(&pool_lock);
	pthread_cond_signal(&pool_work);
}

int
pwtask_run(struct http_request *req, struct pwtask *p)
{
	if (p->finished)
		return (1);
	if (!p->started) {
		p->started = 1;
		pwtask_submit(req, p);
		return (0);
	}
	if (kore_task_state(&p->task) != KORE_TASK_STATE_FINISHED)
		return (0);
	kore_task_destroy(&p->task);
	p->finished = 1;
	return (1);
}

void
pwtask_cleanup(struct pwtask *p)
{
	int busy;

	if (p->reserved) {
		p->reserved = 0;
		place_give_back();
	}
	/*
	 * Queued or running: the thread still reads these, and wipes the
	 * passwords itself. Asked of the pool, not of the Kore task: when
	 * the client went away, Kore destroys the task as soon as it ends,
	 * and calls this again after.
	 */
	pthread_mutex_lock(&pool_lock);
	busy = p->started && !p->ran;
	pthread_mutex_unlock(&pool_lock);
	if (busy)
		return;
	sodium_memzero(p->password, sizeof(p->password));
	sodium_memzero(p->new_password, sizeof(p->new_password));
	sodium_memzero(p->new_hash, sizeof(p->new_hash));
}

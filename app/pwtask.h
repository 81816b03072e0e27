/*
 * Password hashing and verification (argon2id, ~70 ms, 64 MiB) off the
 * worker's event loop, in a pool of threads of its own with a bounded
 * queue: a flood of logins or registrations is refused (503) instead of
 * piling up, and never delays the verdict hooks, which keep Kore's task
 * threads to themselves. Inputs and outputs live inside the struct: the
 * thread touches no other memory, and the request cannot be freed while
 * the work runs (a Kore task bound to it says when it is done).
 */
#ifndef PARLEY_PWTASK_H
#define PARLEY_PWTASK_H

#include <sys/queue.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include "password.h"

/* Threads per worker: each holds 64 MiB while it hashes. */
#define PWTASK_THREADS 2
/* Password work a worker takes on beyond what its threads are running:
 * at ~70 ms each (an idle machine), the last one waits about a second. */
#define PWTASK_WAITING_MAX 32
/* Retry-After (seconds) for the refused. */
#define PWTASK_RETRY_AFTER "1"

enum pwtask_op {
	PWTASK_HASH, /* hash password into hash */
	PWTASK_VERIFY, /* check password against hash; maybe rehash */
	PWTASK_CHANGE, /* check password against hash; if it matches,
			 * hash new_password into new_hash */
};

struct pwtask {
	struct kore_task task; /* first: the entry casts back */
	TAILQ_ENTRY(pwtask) queue; /* the pool's, under its lock */
	int            reserved; /* holds a place, not yet queued */
	int            started; /* queued */
	int            ran; /* the thread is done with it;
						 * under the pool's lock */
	int            finished; /* the request saw it done */
	enum pwtask_op op;
	char           password[PASSWORD_MAX_BYTES + 1];
	size_t         password_len;
	char           new_password[PASSWORD_MAX_BYTES + 1];
	size_t         new_password_len;
	char           hash[PASSWORD_HASH_MAX];
	/* Results. */
	int  ok; /* hashed, or password matched */
	int  rehashed; /* new_hash holds a hash: VERIFY's
						 * stronger one, CHANGE's new one */
	char new_hash[PASSWORD_HASH_MAX];
};

/*
 * Takes a place in this worker's queue of password work: 0, or -1 when
 * the queue is full (answer 503 with Retry-After PWTASK_RETRY_AFTER). The
 * place is given back once the work has run, or by pwtask_cleanup when it
 * never ran. Calling it again while holding a place does nothing.
 */
int pwtask_reserve(struct pwtask *);
/* Copies the password (and, to verify, the stored hash). */
void pwtask_init(struct pwtask *, enum pwtask_op, const char *, size_t,
    const char *hash);
/* PWTASK_CHANGE: copies the new password. */
void pwtask_init_new(struct pwtask *, const char *, size_t);
/* Needs a reserved place. 1 once finished (results readable); 0 while
 * pending: return RETRY. */
int pwtask_run(struct http_request *, struct pwtask *);
/* Gives back an unused place and wipes the secrets; safe to call more than
 * once, and while the work runs (then the thread wipes them). */
void pwtask_cleanup(struct pwtask *);

#endif

/*
 * Password hashing and verification (argon2id, ~70 ms, 64 MiB) in a Kore
 * task thread, so the worker's event loop keeps serving other requests.
 * Inputs and outputs live inside the struct: the task touches no other
 * memory, and the request cannot be freed while it runs.
 */
#ifndef PARLEY_PWTASK_H
#define PARLEY_PWTASK_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include "password.h"

enum pwtask_op {
	PWTASK_HASH,	/* hash password into hash */
	PWTASK_VERIFY,	/* check password against hash; maybe rehash */
};

struct pwtask {
	struct kore_task	task;		/* first: the entry casts back */
	int			started;
	int			finished;
	enum pwtask_op		op;
	char			password[PASSWORD_MAX_BYTES + 1];
	size_t			password_len;
	char			hash[PASSWORD_HASH_MAX];
	/* Results. */
	int			ok;		/* hashed, or password matched */
	int			rehashed;	/* VERIFY: new_hash is stronger */
	char			new_hash[PASSWORD_HASH_MAX];
};

/* Copies the password (and, to verify, the stored hash). */
void	pwtask_init(struct pwtask *, enum pwtask_op, const char *, size_t,
	    const char *hash);
/* 1 once finished (results readable); 0 while pending: return RETRY. */
int	pwtask_run(struct http_request *, struct pwtask *);
/* Wipes the secrets; safe to call more than once, and while running. */
void	pwtask_cleanup(struct pwtask *);

#endif

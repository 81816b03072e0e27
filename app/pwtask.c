#include <string.h>

#include "pwtask.h"

static int
pwtask_entry(struct kore_task *t)
{
	struct pwtask	*p = (struct pwtask *)t;

	switch (p->op) {
	case PWTASK_HASH:
		p->ok = password_hash(p->password, p->password_len,
		    p->hash) == 0;
		break;
	case PWTASK_VERIFY:
		p->ok = password_verify(p->password, p->password_len, p->hash);
		/* Upgrade old parameters while the password is at hand. */
		if (p->ok && password_needs_rehash(p->hash))
			p->rehashed = password_hash(p->password,
			    p->password_len, p->new_hash) == 0;
		break;
	}
	sodium_memzero(p->password, sizeof(p->password));
	return (KORE_RESULT_OK);
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

int
pwtask_run(struct http_request *req, struct pwtask *p)
{
	if (p->finished)
		return (1);
	if (!p->started) {
		p->started = 1;
		kore_task_create(&p->task, pwtask_entry);
		kore_task_bind_request(&p->task, req);
		kore_task_run(&p->task);
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
	/* A running task still reads these; it wipes the password itself. */
	if (p->started && !p->finished &&
	    kore_task_state(&p->task) != KORE_TASK_STATE_FINISHED)
		return;
	sodium_memzero(p->password, sizeof(p->password));
	sodium_memzero(p->new_hash, sizeof(p->new_hash));
}

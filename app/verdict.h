/*
 * Pipeline stage 10: the comment is POSTed, signed like every hook
 * delivery (Standard Webhooks, hook_sign.h, with a fresh webhook-id per
 * call), to the verdict hook, and Parley waits for its answer up to a
 * timeout. libcurl runs in a Kore task thread, so the worker's event loop
 * goes on serving others meanwhile; https is checked against the CA
 * bundle read before the chroot (ca_bundle.h).
 */
#ifndef PARLEY_VERDICT_H
#define PARLEY_VERDICT_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include "buf.h"
#include "hook_sign.h"

#define VERDICT_ANSWER_MAX 4096

struct verdict_call {
	struct kore_task task; /* first: the entry casts back */
	int              started;
	int              finished;
	/* Inputs, owned here so the thread touches nothing else. */
	char       url[2049];
	struct buf body;
	char       id[HOOK_ID_LEN + 1];
	char       ts[24];
	char       signature[HOOK_SIGNATURES_MAX];
	long       timeout_ms;
	/* Results. */
	int    status; /* 0: no answer */
	char   error[192];
	char   answer[VERDICT_ANSWER_MAX];
	size_t answer_len;
};

/* Takes the body (its bytes move into vc) and signs it with secret, and
 * with old too during a rotation (NULL otherwise). */
void verdict_call_init(struct verdict_call *, const char *url, struct buf *body,
    const unsigned char secret[HOOK_SECRET_BYTES], const unsigned char *old,
    long timeout_ms);
struct mod_verdict;
struct verdict_comment;
/*
 * Opens the hook's sealed secrets (as stored: bytea text; the old one
 * NULL but during a rotation) and prepares the call for comment c. 1
 * when it is ready to run, 0 when the secret could not be opened: v then
 * holds the comment, saying so.
 */
int verdict_call_start(struct verdict_call *, const char *url,
    const char *sealed_secret, const char *sealed_old,
    const struct verdict_comment *c, long timeout_ms, struct mod_verdict *v);
/* 1 once answered (or failed); 0 while pending: return RETRY. */
int verdict_call_run(struct http_request *, struct verdict_call *);
/* Frees the body unless the thread still runs (then a later call does). */
void verdict_call_cleanup(struct verdict_call *);

#endif

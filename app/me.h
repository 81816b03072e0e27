/*
 * The skeleton of a member's own endpoints (/api/v1/me/...): the caller
 * must be logged in (401); then the endpoint's prepare step reads the
 * request and starts one storage query, and its respond step answers
 * from the result. As admin.c is for moderators' endpoints.
 */
#ifndef PARLEY_ME_H
#define PARLEY_ME_H

#include "api.h"
#include "auth.h"
#include "store.h"

struct me_state {
	struct auth          auth;
	struct db_query      q;
	struct store_numbers nums;
	int                  started;
};

/* Reads the request and starts s->q: 0, or -1 after answering. */
typedef int (*me_prepare_fn)(struct http_request *, struct me_state *);
/* Answers from s->q's result. */
typedef void (*me_respond_fn)(struct http_request *, struct me_state *);

/* Runs one step of the request (KORE_RESULT_*). */
int me_run(struct http_request *, me_prepare_fn, me_respond_fn);

#endif

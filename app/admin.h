/*
 * The skeleton every /api/v1/admin endpoint shares: the caller must be
 * logged in (401) with a sufficient role (403); then the endpoint's
 * prepare step parses the request and starts one storage query, and its
 * respond step answers from the result. Endpoints are tables of ops.
 */
#ifndef PARLEY_ADMIN_H
#define PARLEY_ADMIN_H

#include "api.h"
#include "auth.h"
#include "store.h"

enum admin_role { ADMIN_MODERATOR, ADMIN_ADMIN };

struct admin_state;

struct admin_op {
	int             method; /* HTTP_METHOD_* */
	enum admin_role role;
	/* Parse, validate and start s->q; -1 with e filled to refuse. */
	int (*prepare)(struct http_request *, struct admin_state *,
	    struct apierr *);
	/* Answer from s->q's result. */
	void (*respond)(struct http_request *, struct admin_state *);
};

#define ADMIN_TEXT_MAX 8

struct admin_state {
	int                    phase;
	const struct admin_op *op;
	struct auth            auth;
	struct db_query        q;
	struct store_numbers   nums;
	json_t                *json; /* request body, if any */
	char                  *text[ADMIN_TEXT_MAX]; /* owned strings */
	struct buf             scratch; /* owned, for query parameters */
	int64_t                id; /* from the path, if any */
	int                    flag; /* op-specific */
	/* Work a respond step hands on (a file a thread writes): admin_run
	 * calls resume until it returns 1 (answered), and cleanup (if set)
	 * when the request ends, whatever happened. */
	int (*resume)(struct http_request *, struct admin_state *);
	void (*cleanup)(struct admin_state *);
	void *work; /* cleanup's to free */
};

/* Runs the op of ops[] matching the request's method (405 otherwise). */
int admin_run(struct http_request *, const struct admin_op *, size_t,
    const char *allow);
/* Keeps an allocated string for the life of the request; returns it. */
char *admin_keep(struct admin_state *, char *);
/* The request body as a JSON object (415/413/400 refusals in e). */
int admin_body(struct http_request *, struct admin_state *, struct apierr *);
/* An integer query parameter within [min, max] (default when absent). */
int admin_query_int(struct http_request *, const char *, long, long, long,
    long *, struct apierr *);
/* A string query parameter, or NULL; kept for the request's life. */
int admin_query_str(struct http_request *, struct admin_state *, const char *,
    size_t, const char **, struct apierr *);

#endif

/*
 * A libpq connection of a worker's own (listen.c's LISTEN, replica.c's
 * watch), connected without blocking by Kore's event loop: the worker
 * never waits for PostgreSQL, even one that does not answer. Kore's pool
 * connects with PQconnectdb, which blocks.
 */
#ifndef PARLEY_PGCONN_H
#define PARLEY_PGCONN_H

#include <stdint.h>

#include <kore/kore.h>

#include <libpq-fe.h>

struct pgconn {
	struct kore_event evt; /* first: Kore hands it back as the arg */
	PGconn           *conn; /* NULL until a connect starts */
	const char       *conninfo;
	int               connecting;
	uint64_t          deadline; /* of the connect in progress (ms) */
	/* Connected, non-blocking: set evt.handle for the reads from now
	 * on and schedule them. */
	void (*ready)(struct pgconn *);
	/* The connect failed (why); the connection is closed already. */
	void (*failed)(struct pgconn *, const char *why);
};

/* Starts connecting c->conninfo; ready or failed follows. */
void pgconn_connect(struct pgconn *);
/* Closes the connection (its socket leaves epoll with it). */
void pgconn_close(struct pgconn *);

#endif

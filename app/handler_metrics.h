/*
 * /metrics over HTTP (metrics.h holds the counting): its own Kore server,
 * bound to parley.conf's metrics_listen (127.0.0.1:9181 by default), with
 * a domain that has only this route, so the public listener never
 * serves it; and the hooks that count every answer by route.
 */
#ifndef PARLEY_HANDLER_METRICS_H
#define PARLEY_HANDLER_METRICS_H

#include <kore/kore.h>
#include <kore/http.h>

#include "config.h"

/*
 * In the parent, after Kore read its configuration and before the
 * workers fork: maps the shared metrics for `workers` slots, names every
 * route's handler, and binds the metrics listener unless it is off. -1
 * with errno (memory) or -2 (the listener could not be bound).
 */
int metrics_parent_init(unsigned workers, const struct config *);
/* In a worker: counts in its slot (Kore's worker id - 1). */
void metrics_worker_init(unsigned slot);

/* A request's first run (every public route's guard calls it). */
void metrics_http_begin(struct http_request *);
/* An answer with status goes out (api_respond calls it). */
void metrics_http_answered(struct http_request *, int status);

int handler_metrics(struct http_request *);

#endif

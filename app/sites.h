/*
 * Which browser origins may write to Parley and use members' tokens: the
 * configuration file's allowed_origins (a floor, always allowed), the
 * allowed_origins setting (admins edit it on the admin page's Sites
 * section; each worker keeps a copy, replaced when PostgreSQL announces
 * a change on "parley_sites", see listen.c), and Parley's own origin (the
 * admin page). Anonymous reads are public and allowed from anywhere.
 */
#ifndef PARLEY_SITES_H
#define PARLEY_SITES_H

struct http_request;

/* Replaces the worker's copy of the setting with a JSON array of origins;
 * a value that does not parse leaves the copy as it was, and says so.
 * Requests waiting for the first copy go on. */
void sites_set(const char *json);
/* The change channel is down: requests waiting for the first copy are
 * answered 503 (a copy known before stays in use). */
void sites_unavailable(void);

/* 1 when url (an http(s) URL; "" counts as allowed) is on an allowed
 * origin: a post's link, which the first commenter supplies, may only
 * point at a site that embeds Parley. The same rule as sites_url_shown,
 * except for "". */
int sites_url_allowed(const char *url);

/*
 * 1 when a post's stored URL may be shown or linked to (thread JSON,
 * thread.html, feeds): its origin is allowed now, by the configuration
 * file or the allowed_origins setting, whatever was allowed when it was
 * stored. 0 for NULL or "". Parley's own origin does not count: it is
 * no blog. The same for every request, so answers that show it can be
 * cached; sites_set drops the worker's cache when the list changes.
 */
int sites_url_shown(const char *url);

/* 1 when the request comes from a blog's page (it carries an Origin that
 * is not Parley's own): the widget, not the admin page. */
int sites_request_from_blog(struct http_request *);

/*
 * Kore's route guard (conf/kore.conf.in: every route names the
 * "origin" authentication, whose validator this is). A request from a
 * browser (it carries Origin) that writes (any method but GET, HEAD and
 * OPTIONS) or carries a Bearer token must come from an allowed origin;
 * otherwise it is answered 403 origin_not_allowed here and the handler
 * never runs. KORE_RESULT_OK lets the request through. Until a new
 * worker has the setting (its LISTEN connection reads it at start), such
 * a request sleeps (KORE_RESULT_RETRY) rather than be judged on nothing.
 */
int v_origin(struct http_request *, const void *);

#endif

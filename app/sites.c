/*
 * The origin policy (see sites.h).
 */
#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "api.h"
#include "apierr.h"
#include "cache.h"
#include "handler_metrics.h"
#include "listen.h"
#include "origin.h"
#include "parley.h"
#include "sites.h"

/* Requests that may sleep for the first copy of the setting at once. */
#define SITES_WAITERS_MAX 256

static struct origin_list   sites_setting;
static int                  sites_known; /* sites_setting was read */
static struct origin_list   sites_floor;
static int                  sites_floor_made;
static struct http_request *sites_waiting[SITES_WAITERS_MAX];
static size_t               sites_nwaiting;

/* Forgets req (woken, or freed while asleep: its onfree). */
static void
unwait(struct http_request *req)
{
	size_t i;

	for (i = 0; i < sites_nwaiting; i++) {
		if (sites_waiting[i] == req) {
			sites_waiting[i] = sites_waiting[--sites_nwaiting];
			break;
		}
	}
	req->onfree = NULL;
}

/* Wakes every sleeping request: each judges itself again. */
static void
wake_all(void)
{
	while (sites_nwaiting > 0) {
		struct http_request *req = sites_waiting[--sites_nwaiting];

		req->onfree = NULL;
		http_request_wakeup(req);
	}
}

void
sites_unavailable(void)
{
	/* Woken while still unknown: they answer 503. */
	wake_all();
}

void
sites_set(const char *json)
{
	struct origin_list l;
	struct apierr      e;
	json_t            *js;

	sites_known = 1;
	wake_all();
	if ((js = json_loads(json != NULL ? json : "", 0, NULL)) == NULL ||
	    origin_list_parse(js, "allowed_origins", &l, &e) == -1) {
		kore_log(LOG_NOTICE,
		    "sites: allowed_origins refused, "
		    "keeping the previous list");
		json_decref(js);
		return;
	}
	json_decref(js);
	origin_list_free(&sites_setting);
	sites_setting = l;
	/* Cached answers show post URLs by the old list. */
	cache_clear();
}

/* The configuration file's origins, in canonical form (made once). */
static const struct origin_list *
floor_list(void)
{
	char        canon[ORIGIN_MAX + 1];
	const char *why;
	size_t      i;

	if (sites_floor_made)
		return (&sites_floor);
	origin_list_init(&sites_floor);
	for (i = 0; i < parley_config.norigins; i++) {
		if (origin_normalize(parley_config.origins[i], canon, &why) ==
		    -1) {
			kore_log(LOG_NOTICE,
			    "sites: configured origin %s "
			    "ignored: %s",
			    parley_config.origins[i], why);
			continue;
		}
		origin_list_add(&sites_floor, canon);
	}
	sites_floor_made = 1;
	return (&sites_floor);
}

/*
 * Whether canon (an origin in canonical form) is Parley's own as the
 * browser sees it: the scheme (through a trusted proxy,
 * X-Forwarded-Proto) and the Host it asked for.
 */
static int
is_own_origin(struct http_request *req, const char *canon)
{
	char        url[ORIGIN_MAX + 16], own[ORIGIN_MAX + 1];
	const char *host, *why;

	if (!http_request_header(req, "host", &host) || host == NULL ||
	    strlen(host) > ORIGIN_MAX)
		return (0);
	(void)snprintf(url, sizeof(url), "%s://%s", api_scheme(req), host);
	return (
	    origin_normalize(url, own, &why) == 0 && strcmp(own, canon) == 0);
}

/* origin in canonical form: 0, or -1 when it is not an origin. */
static int
canonical(const char *origin, char canon[ORIGIN_MAX + 1])
{
	const char *why;

	if (strlen(origin) > ORIGIN_MAX)
		return (-1);
	return (origin_normalize(origin, canon, &why));
}

/* 1 when origin (as the browser sent it) may write, 0 when it may not,
 * -1 when that depends on a setting this worker has not read yet. */
static int
origin_allowed(struct http_request *req, const char *origin)
{
	char canon[ORIGIN_MAX + 1];

	if (canonical(origin, canon) == -1)
		return (0);
	if (origin_list_has(floor_list(), canon) || is_own_origin(req, canon))
		return (1);
	if (!sites_known)
		return (-1);
	return (origin_list_has(&sites_setting, canon));
}

/* Puts req to sleep until the setting is read: 0, or -1 when too many
 * already wait. */
static int
wait_for_setting(struct http_request *req)
{
	if (sites_nwaiting == SITES_WAITERS_MAX)
		return (-1);
	sites_waiting[sites_nwaiting++] = req;
	req->onfree = unwait;
	http_request_sleep(req);
	return (0);
}

int
sites_request_from_blog(struct http_request *req)
{
	char        canon[ORIGIN_MAX + 1];
	const char *origin;

	if (!http_request_header(req, "origin", &origin))
		return (0);
	return (canonical(origin, canon) == -1 || !is_own_origin(req, canon));
}

int
sites_url_shown(const char *url)
{
	/* The setting not known yet (a new worker): the floor only. */
	return (origin_list_has_url(floor_list(), url) ||
	    (sites_known && origin_list_has_url(&sites_setting, url)));
}

int
sites_url_allowed(const char *url)
{
	return (url == NULL || *url == '\0' || sites_url_shown(url));
}

int
v_origin(struct http_request *req, const void *data)
{
	const char *origin, *token;
	char        msg[ORIGIN_MAX + 160];

	(void)data;
	/* Every public route has this guard: the request's clock starts. */
	metrics_http_begin(req);
	if (!http_request_header(req, "origin", &origin))
		return (KORE_RESULT_OK); /* not from a browser */
	if ((req->method == HTTP_METHOD_GET ||
	        req->method == HTTP_METHOD_HEAD ||
	        req->method == HTTP_METHOD_OPTIONS) &&
	    !http_request_header(req, "authorization", &token))
		return (KORE_RESULT_OK); /* public */
	/* Back from sleep: no longer waiting, whatever woke it. */
	if (req->onfree == unwait)
		unwait(req);
	/* A change announced just now is seen before it is judged. */
	listen_poll();
	switch (origin_allowed(req, origin)) {
	case 1:
		return (KORE_RESULT_OK);
	case -1:
		/* A new worker, before its LISTEN connection read the list. */
		if (!listen_connected() || wait_for_setting(req) == -1) {
			api_db_unavailable(req);
			return (KORE_RESULT_ERROR);
		}
		return (KORE_RESULT_RETRY);
	default:
		break;
	}
	(void)snprintf(msg, sizeof(msg),
	    "This site (%.*s) may not post "
	    "here: the owner of this Parley can allow it in the admin "
	    "page's Sites section.",
	    ORIGIN_MAX, origin);
	api_error(req, 403, "origin_not_allowed", msg, NULL);
	return (KORE_RESULT_ERROR);
}

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cache.h"
#include "query.h"

static void
admin_state_free(struct http_request *req)
{
	struct admin_state *s = http_state_get(req);
	size_t              i;

	if (s->cleanup != NULL)
		s->cleanup(s);
	auth_cleanup(&s->auth);
	db_done(&s->q);
	if (s->json != NULL) {
		json_decref(s->json);
		s->json = NULL;
	}
	for (i = 0; i < ADMIN_TEXT_MAX; i++) {
		free(s->text[i]);
		s->text[i] = NULL;
	}
	buf_free(&s->scratch);
}

char *
admin_keep(struct admin_state *s, char *p)
{
	size_t i;

	for (i = 0; i < ADMIN_TEXT_MAX; i++) {
		if (s->text[i] == NULL) {
			s->text[i] = p;
			return (p);
		}
	}
	fatal("admin_keep: more than %d strings", ADMIN_TEXT_MAX);
}

int
admin_body(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	return (api_read_json(req, &s->json, e));
}

int
admin_query_int(struct http_request *req, const char *name, long min, long max,
    long dflt, long *out, struct apierr *e)
{
	char *v, *ep;
	int   bad;
	long  n;

	*out = dflt;
	if ((v = query_get(api_query(req), name, &bad)) == NULL)
		return (bad ? apierr_set(e, 400, "malformed_query",
		                  "The query string is malformed.", NULL) :
		              0);
	errno = 0;
	n = strtol(v, &ep, 10);
	if (*v == '\0' || *ep != '\0' || errno != 0 || n < min || n > max) {
		free(v);
		return (apierr_set(e, 422, "invalid_value",
		    "This parameter is not a number in range.", name));
	}
	free(v);
	*out = n;
	return (0);
}

int
admin_query_str(struct http_request *req, struct admin_state *s,
    const char *name, size_t max, const char **out, struct apierr *e)
{
	char *v;
	int   bad;

	*out = NULL;
	v = query_get(api_query(req), name, &bad);
	if (bad)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (v == NULL || *v == '\0') {
		free(v);
		return (0);
	}
	if (strlen(v) > max) {
		free(v);
		return (apierr_set(e, 422, "too_long",
		    "This parameter is too long.", name));
	}
	*out = admin_keep(s, v);
	return (0);
}

/* 1 when the caller may run op; 0 to retry; -1 after answering. */
static int
authorized(struct http_request *req, struct admin_state *s)
{
	int r;

	if ((r = auth_resolve(req, &s->auth, AUTH_REQUIRED)) != 1)
		return (r);
	if (s->op->role == ADMIN_ADMIN ? !auth_is_admin(&s->auth) :
	                                 !auth_is_moderator(&s->auth)) {
		api_error(req, 403, "forbidden",
		    s->op->role == ADMIN_ADMIN ? "Only admins may do this." :
		                                 "Only moderators may do this.",
		    NULL);
		return (-1);
	}
	return (1);
}

int
admin_run(struct http_request *req, const struct admin_op *ops, size_t n,
    const char *allow)
{
	struct admin_state *s;
	struct apierr       e;
	size_t              i;
	int                 r;

	if (!http_state_exists(req)) {
		for (i = 0; i < n; i++) {
			if (ops[i].method == req->method)
				break;
		}
		if (i == n) {
			api_method_not_allowed(req, allow);
			return (KORE_RESULT_OK);
		}
		s = http_state_create(req, sizeof(*s), admin_state_free);
		s->op = &ops[i];
	}
	s = http_state_get(req);
	if (s->resume != NULL)
		return (s->resume(req, s) ? KORE_RESULT_OK : KORE_RESULT_RETRY);
	if (s->phase == 0) {
		if ((r = authorized(req, s)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		if (s->op->prepare(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
		s->phase = 1;
	}
	if ((r = api_query_ready(req, &s->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	/* A change may show in cached threads: this worker forgets them now,
	 * the others when PostgreSQL tells them. */
	if (s->op->method != HTTP_METHOD_GET)
		cache_clear();
	s->op->respond(req, s);
	db_done(&s->q);
	if (s->resume != NULL)
		return (s->resume(req, s) ? KORE_RESULT_OK : KORE_RESULT_RETRY);
	return (KORE_RESULT_OK);
}

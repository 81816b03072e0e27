/*
 * A member's own endpoints (see me.h).
 */
#include "me.h"

static void
me_state_free(struct http_request *req)
{
	struct me_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
}

int
me_run(struct http_request *req, me_prepare_fn prepare, me_respond_fn respond)
{
	struct me_state *s;
	int              r;

	if (!http_state_exists(req))
		(void)http_state_create(req, sizeof(*s), me_state_free);
	s = http_state_get(req);
	if (!s->started) {
		if ((r = auth_resolve(req, &s->auth, AUTH_REQUIRED)) == 0)
			return (KORE_RESULT_RETRY);
		if (r != 1 || prepare(req, s) == -1)
			return (KORE_RESULT_OK);
		s->started = 1;
	}
	if ((r = api_query_ready(req, &s->q)) == 0)
		return (KORE_RESULT_RETRY);
	if (r == 1)
		respond(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

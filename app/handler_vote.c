/*
 * POST /api/v1/comments/ID/vote {"value": 1|0|-1} → {"score"}: one vote
 * per account, or per guest by a keyed hash of the IP (raw IPs are not
 * kept for votes); 0 withdraws the vote.
 */
#include <string.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "keys.h"
#include "netaddr.h"
#include "store.h"

int handler_vote(struct http_request *);

struct vote_state {
	int                  querying;
	struct auth          auth;
	struct db_query      q;
	struct store_numbers nums;
	int64_t              id;
	int                  value;
	char                 voter[2 + 64 + 1];
};

static void
vote_state_free(struct http_request *req)
{
	struct vote_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
}

static int
vote_parse(struct http_request *req, struct vote_state *s, struct apierr *e)
{
	json_t *json, *v;

	if ((s->id = api_path_id(req->path, "/api/v1/comments/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such comment.", NULL));
	if (api_read_json(req, &json, e) == -1)
		return (-1);
	v = json_object_get(json, "value");
	if (!json_is_integer(v) || json_integer_value(v) < -1 ||
	    json_integer_value(v) > 1) {
		json_decref(json);
		return (apierr_set(e, 422, "invalid_value",
		    "value must be 1, 0 or -1.", "value"));
	}
	s->value = (int)json_integer_value(v);
	json_decref(json);
	return (0);
}

static void
set_voter(struct http_request *req, struct vote_state *s)
{
	char ip[API_IP_MAX], net[NETADDR_TEXT_MAX];

	if (s->auth.valid) {
		(void)snprintf(s->voter, sizeof(s->voter), "u:%lld",
		    (long long)s->auth.user_id);
		return;
	}
	api_client_ip(req, ip);
	/* One guest per IPv4 address or IPv6 /64, as every limit counts. */
	if (netaddr_limit_key(ip, net) == -1)
		(void)kore_strlcpy(net, ip, sizeof(net));
	memcpy(s->voter, "g:", 2);
	keys_voter_ip_hash(net, s->voter + 2);
}

static void
vote_respond(struct http_request *req, struct vote_state *s)
{
	struct vote_row row;
	const char     *err;
	struct buf      b;

	if ((err = store_vote_row(&s->q, &row)) != NULL) {
		api_error_for_code(req, API_OP_VOTE, err, 0);
		return;
	}
	/* The voter's next read here shows the score: this worker drops
	 * the post's answers now; the others hear of it from the comments
	 * trigger. Every other post's answers stay. */
	if (row.post != NULL)
		cache_invalidate(row.post);
	buf_init(&b);
	buf_printf(&b, "{\"score\":%lld}", (long long)row.score);
	api_send_json(req, 200, &b);
	buf_free(&b);
}

int
handler_vote(struct http_request *req)
{
	struct vote_state *s;
	struct apierr      e;
	int                r;

	if (req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "POST");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), vote_state_free);
		if (vote_parse(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
	}
	s = http_state_get(req);
	if (!s->querying) {
		if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		set_voter(req, s);
		store_vote_query(&s->q, &s->nums, s->id, s->voter, s->value,
		    s->auth.valid ? s->auth.user_id : 0);
		s->querying = 1;
	}
	if ((r = api_query_ready(req, &s->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	vote_respond(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

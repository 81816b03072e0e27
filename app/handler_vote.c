/*
 * POST /api/v1/comments/ID/vote {"value": 1|0|-1} → {"score","my_vote"}:
 * one vote per account, or per guest by a keyed hash of the IP (raw IPs
 * are not kept for votes); 0 withdraws the vote. Nobody votes on their
 * own comment (403 own_comment).
 *
 * GET /api/v1/votes?post=KEY → {"votes":{"ID":1|-1,...},"own":[ID,...]}:
 * the caller's votes on the post and (members) their own comments there,
 * so the widget marks arrows for whoever is voting now, not for whoever
 * voted on this device before. Per caller, so never cached.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "comment_input.h"
#include "keys.h"
#include "netaddr.h"
#include "query.h"
#include "store.h"

int handler_vote(struct http_request *);
int handler_votes(struct http_request *);

#define VOTER_LEN (2 + 64 + 1)

struct vote_state {
	int                  querying;
	struct auth          auth;
	struct db_query      q;
	struct store_numbers nums;
	int64_t              id;
	int                  value;
	char                 voter[VOTER_LEN];
	struct api_barrier   barrier;
};

static void
vote_state_free(struct http_request *req)
{
	struct vote_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
	api_barrier_cleanup(&s->barrier);
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

/* Who votes: "u:" and the account, or "g:" and a keyed hash of the
 * guest's address. */
static void
set_voter(struct http_request *req, const struct auth *auth,
    char voter[VOTER_LEN])
{
	char ip[API_IP_MAX], net[NETADDR_TEXT_MAX];

	if (auth->valid) {
		(void)snprintf(voter, VOTER_LEN, "u:%lld",
		    (long long)auth->user_id);
		return;
	}
	api_client_ip(req, ip);
	/* One guest per IPv4 address or IPv6 /64, as every limit counts. */
	if (netaddr_limit_key(ip, net) == -1)
		(void)kore_strlcpy(net, ip, sizeof(net));
	memcpy(voter, "g:", 2);
	keys_voter_ip_hash(net, voter + 2);
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
	buf_printf(&b, "{\"score\":%lld,\"my_vote\":%d}", (long long)row.score,
	    s->value);
	api_written(req, s->barrier.ticket);
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
		set_voter(req, &s->auth, s->voter);
		store_vote_query(&s->q, &s->nums, s->id, s->voter, s->value,
		    s->auth.valid ? s->auth.user_id : 0);
		s->querying = 1;
	}
	if ((r = api_query_ready(req, &s->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	/* A guest reads anonymously, maybe from the replica: the score
	 * must be there. */
	if (!s->auth.valid && !api_barrier(req, &s->barrier))
		return (KORE_RESULT_RETRY);
	vote_respond(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

struct votes_state {
	int                  querying;
	struct auth          auth;
	struct db_query      q;
	struct store_numbers nums;
	char                *key;
	char                 voter[VOTER_LEN];
};

static void
votes_state_free(struct http_request *req)
{
	struct votes_state *s = http_state_get(req);

	auth_cleanup(&s->auth);
	db_done(&s->q);
	free(s->key);
}

static int
votes_params(struct http_request *req, struct votes_state *s, struct apierr *e)
{
	int bad;

	s->key = query_get(api_query(req), "post", &bad);
	if (bad)
		return (apierr_set(e, 400, "malformed_query",
		    "The query string is malformed.", NULL));
	if (s->key == NULL)
		return (apierr_set(e, 422, "required",
		    "Name the post: ?post=KEY.", "post"));
	if (!post_key_valid(s->key))
		return (apierr_set(e, 422, "invalid_value",
		    "The post key must be 1 to 256 bytes without control "
		    "characters.",
		    "post"));
	return (0);
}

static void
votes_respond(struct http_request *req, struct votes_state *s)
{
	struct votes_of_row r;
	struct buf          b;
	int                 row, n;

	buf_init(&b);
	buf_puts(&b, "{\"votes\":{");
	for (row = n = 0; store_votes_of_row(&s->q, row, &r) == 0; row++) {
		if (r.own)
			continue;
		buf_printf(&b, "%s\"%lld\":%d", n++ > 0 ? "," : "",
		    (long long)r.comment_id, r.value);
	}
	buf_puts(&b, "},\"own\":[");
	for (row = n = 0; store_votes_of_row(&s->q, row, &r) == 0; row++) {
		if (r.own)
			buf_printf(&b, "%s%lld", n++ > 0 ? "," : "",
			    (long long)r.comment_id);
	}
	buf_puts(&b, "]}");
	api_send_json(req, 200, &b);
	buf_free(&b);
}

int
handler_votes(struct http_request *req)
{
	struct votes_state *s;
	struct apierr       e;
	int                 r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		api_method_not_allowed(req, "GET, HEAD");
		return (KORE_RESULT_OK);
	}
	if (!http_state_exists(req)) {
		s = http_state_create(req, sizeof(*s), votes_state_free);
		if (votes_params(req, s, &e) == -1) {
			api_error_from(req, &e);
			return (KORE_RESULT_OK);
		}
	}
	s = http_state_get(req);
	if (!s->querying) {
		if ((r = auth_resolve(req, &s->auth, AUTH_OPTIONAL)) != 1)
			return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
		set_voter(req, &s->auth, s->voter);
		store_votes_of_query(&s->q, &s->nums, s->key, s->voter,
		    s->auth.valid ? s->auth.user_id : 0);
		/* A guest's votes: the widget asks on every page view. */
		if (!s->auth.valid)
			api_anonymous_read(req, &s->q, s->key);
		s->querying = 1;
	}
	if ((r = api_query_ready(req, &s->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	votes_respond(req, s);
	db_done(&s->q);
	return (KORE_RESULT_OK);
}

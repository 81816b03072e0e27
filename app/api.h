/*
 * The HTTP side shared by all handlers: JSON bodies in, JSON answers and
 * SPEC.md's error shape out, conditional GETs, common headers.
 */
#ifndef PARLEY_API_H
#define PARLEY_API_H

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "apierr.h"
#include "buf.h"
#include "db.h"
#include "listen.h"

#define API_BODY_MAX 65536 /* bytes of a JSON request body */

/* Sends {"error": {...}}; a NULL field is left out. */
void api_error(struct http_request *, int, const char *, const char *,
    const char *);
void api_error_from(struct http_request *, const struct apierr *);

/*
 * Whose error codes: storage's functions, and moderation's refusals of a
 * new comment, answer with a code; the same code can need other words
 * elsewhere (not_found: of what; email_taken: in which field).
 */
enum api_op {
	API_OP_COMMENT_NEW, /* moderation_decide, comment_create */
	API_OP_REGISTER, /* user_register */
	API_OP_VOTE, /* vote_set */
	API_OP_ROLE, /* user_set_role */
	API_OP_ERASE_SELF, /* privacy_erase_self */
	API_OP_PRIVACY_EMAIL, /* privacy_for_email */
};
/*
 * Sends the answer (status, code, message, field) api.c's table holds
 * for op's code. A 429 says Retry-After: retry_after seconds (at least
 * 1). A code the table does not know (none should come) is answered
 * as api_db_unavailable does.
 */
void api_error_for_code(struct http_request *, enum api_op, const char *code,
    int retry_after);
void api_db_unavailable(struct http_request *);
void api_method_not_allowed(struct http_request *, const char *allow);

/* Every answer goes out here (Kore's http_response), counted for
 * /metrics by route, method, status and time taken. */
void api_respond(struct http_request *, int status, const void *, size_t);

/* Sends the buffer as JSON with the given status. */
void api_send_json(struct http_request *, int, const struct buf *);
/* Sends data with a strong ETag made from its bytes, or 304 when the
 * request's If-None-Match names it. */
void api_send_tagged(struct http_request *, const char *type,
    const char *cache_control, const void *, size_t);
void api_send_asset(struct http_request *, const char *name,
    const char *cache_control);
/*
 * Answers from the worker's cache. api_cache_lookup answers (1) when the
 * cache holds key; otherwise (0) it keeps key and the cache's generation
 * in *fill, unless the cache may not be used now. api_cache_fill then
 * stores the JSON made from the database under that key (post: the post
 * it depends on; NULL for every post) and sends it, or sends it uncached.
 */
struct api_fill {
	char    *key;
	uint64_t gen;
	int      anonymous; /* the lookup was made: an anonymous read */
	uint64_t written; /* the reader's ?written= (replica.h); 0: none */
};
int api_cache_lookup(struct http_request *, struct buf *key, struct api_fill *);
void api_cache_fill(struct http_request *, struct api_fill *, const char *post,
    const struct buf *json);
void api_fill_free(struct api_fill *);
/* An anonymous read's query q, about post (NULL: any post), goes to the
 * standby if it shows what this reader must see (replica.h). Call after
 * building q, before running it. */
void api_fill_route(struct api_fill *, struct db_query *, const char *post);
/* The same for an anonymous read no cache keeps (a guest's votes). */
void api_anonymous_read(struct http_request *, struct db_query *,
    const char *post);
/*
 * After a guest's committed write that its triggers announced (a vote,
 * an edit): with a replica, waits for an announcement past it, whose
 * WAL position api_written then tells the writer. 1 to go on (at once
 * without a replica), 0 while waiting: return KORE_RESULT_RETRY.
 */
struct api_barrier {
	struct listen_waiter waiter;
	uint64_t             ticket;
};
int  api_barrier(struct http_request *, struct api_barrier *);
void api_barrier_cleanup(struct api_barrier *);

/* After a write announced with ticket (listen_wait said 1): tells the
 * writer, with a replica, where its write is (X-Parley-Written), for its
 * next reads' ?written= (replica.h). */
void api_written(struct http_request *, uint64_t ticket);

/* Reads a JSON object body. Refuses a non-JSON Content-Type (415), a body
 * over API_BODY_MAX (413), malformed JSON (400), invalid UTF-8 (422
 * invalid_utf8) and a non-object (400). The caller owns *out
 * (json_decref). */
int api_read_json(struct http_request *, json_t **, struct apierr *);

/* Runs q for req: 1 when its result is ready, 0 while pending (return
 * KORE_RESULT_RETRY), -1 after answering: 422 invalid_value when the
 * database refused the data (SQLSTATE class 22 or 23), else 503. */
int api_query_ready(struct http_request *, struct db_query *);

/* Headers every answer carries, CORS included. */
void api_common_headers(struct http_request *);

/* The client's address as text: the peer's, or the one a trusted proxy
 * forwarded. */
#define API_IP_MAX 64
void api_client_ip(struct http_request *, char[API_IP_MAX]);
/* "https" when a trusted proxy says the client used it
 * (X-Forwarded-Proto), else "http". */
const char *api_scheme(struct http_request *);
/* The number after prefix in path (routes admit digits only); 0 if none. */
int64_t api_path_id(const char *path, const char *prefix);
/* The request's query string, or "" when it has none. */
const char *api_query(struct http_request *);

/* api_cache_lookup and api_cache_fill for answers of another type than
 * JSON (thread.html): the same cache, sent as type. */
int  api_cache_lookup_as(struct http_request *, struct buf *key,
     struct api_fill *, const char                         *type);
void api_cache_fill_as(struct http_request *, struct api_fill *,
    const char *post, const struct buf *body, const char *type);

#endif

/*
 * One event hook delivery, the parts that need neither the database nor
 * the network (deliver.c does those): the request as it is signed and
 * sent, what an attempt came to as it is recorded, its log line, and how
 * long a claimed batch may go on sending. Pure, so it is unit-tested
 * alone.
 */
#ifndef PARLEY_DELIVERY_H
#define PARLEY_DELIVERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

/* How long a claim holds its deliveries (deliver.c claims with it). */
#define DELIVERY_LEASE_S 60
/* The longest one attempt may take (libcurl's CURLOPT_TIMEOUT_MS). */
#define DELIVERY_TIMEOUT_MS 10000L
/* The first bytes of an answer that are kept; the rest is dropped. */
#define DELIVERY_RESPONSE_MAX 1024
/* Room for libcurl's error text (CURL_ERROR_SIZE) and a remark. */
#define DELIVERY_ERROR_MAX (256 + 64)
/* Content-Type, X-Parley-Event, webhook-id, -timestamp, -signature,
 * Expect. */
#define DELIVERY_HEADERS 6

/* A claimed delivery: the columns deliver.c claims, in this order. */
enum delivery_col {
	DELIVERY_ID, /* deliveries.id */
	DELIVERY_UUID, /* the webhook-id: the same every attempt */
	DELIVERY_URL,
	DELIVERY_SECRET, /* sealed, bytea's hex text */
	DELIVERY_OLD_SECRET, /* NULL but during a rotation */
	DELIVERY_EVENT_UUID,
	DELIVERY_TYPE,
	DELIVERY_DATA, /* jsonb's text */
	DELIVERY_CREATED_AT, /* the event's, RFC 3339 in UTC */
	DELIVERY_COL_COUNT
};

struct delivery {
	const char *col[DELIVERY_COL_COUNT]; /* NULL for SQL NULL */
};

/* A signed request, ready to send. */
struct delivery_request {
	struct buf body;
	/* "Name: value" lines for libcurl; "Name:" leaves its own out. */
	char *header[DELIVERY_HEADERS];
};

/* What one attempt came to, as delivery_record takes it. */
struct delivery_attempt {
	long       status; /* HTTP status; 0: no answer */
	long       ms;
	char       error[DELIVERY_ERROR_MAX]; /* "": none */
	struct buf response; /* the answer's text, cleaned */
};

/* {"id","type","created_at","data"}: data is jsonb's text, JSON as is. */
void delivery_body(struct buf *, const struct delivery *);

/*
 * The request for d, signed at now with the hook's secrets, opened with
 * key (KEY_SECRETBOX): the body, and the headers Content-Type,
 * X-Parley-Event (the type), webhook-id (the delivery's UUID),
 * webhook-timestamp, webhook-signature (by the current secret, then by
 * the old one during a rotation, if it opens) and an empty Expect (no
 * wait for "100 Continue"). Header values are kept to printable ASCII,
 * so a CR or LF from the database cannot start a header of its own.
 * 0, or -1 if the current secret does not open: nothing is sent
 * unsigned, and there is nothing to free.
 */
int  delivery_request_build(struct delivery_request *, const struct delivery *d,
     const unsigned char *key, time_t now);
void delivery_request_free(struct delivery_request *);

void delivery_attempt_init(struct delivery_attempt *);
void delivery_attempt_free(struct delivery_attempt *);
/* Appends an answer's bytes as they come, the first
 * DELIVERY_RESPONSE_MAX of them. */
void delivery_response_add(struct buf *raw, const void *, size_t);
/*
 * The receiver answered with status and raw (delivery_response_add's):
 * any status but 2xx fails the attempt ("HTTP 302": redirects are not
 * followed). The answer's text is kept with its lines, cleaned by
 * escape_text_clean, so that it stores and shows as text.
 */
void delivery_answered(struct delivery_attempt *, long status,
    const struct buf *raw);
/*
 * No answer, for the reason why (libcurl's, or the address check's).
 * status is an HTTP status that came before the transfer failed (an
 * answer cut short is no answer: it is sent again), or 0; cert_refused
 * says the server's certificate was not trusted.
 */
void delivery_failed(struct delivery_attempt *, const char *why, long status,
    int cert_refused);
/* The answer as recorded: NULL when there was none, "" when empty. */
const char *delivery_response(const struct delivery_attempt *);

/*
 * "deliver: UUID TYPE -> URL: STATUS-OR-ERROR (MS ms)\n": one line of
 * printable ASCII whatever the columns hold, and the URL without its
 * "user:password@" (that may be a secret).
 */
void delivery_log_line(struct buf *, const struct delivery *,
    const struct delivery_attempt *);

/*
 * Whether a batch claimed elapsed_ms ago may make one more attempt: it
 * and its record must end (DELIVERY_TIMEOUT_MS and a margin) before the
 * lease does and another deliverer may claim the same rows.
 */
int delivery_lease_left(int64_t elapsed_ms);

#endif

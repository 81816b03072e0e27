/*
 * Unit tests for app/delivery.c: the webhook's body, headers and
 * signature exactly (the signature checked against HMAC-SHA256 computed
 * here), what an attempt records of an answer or of its absence, the
 * log line, and the lease.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "buf.h"
#include "delivery.h"
#include "hook_sign.h"

#define UUID  "0f8fad5b-d9cb-469f-a165-70867728950e"
#define EVENT "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define NOW   ((time_t)1767225600)

static unsigned char key[32], other[32];
static unsigned char cur[HOOK_SECRET_BYTES], old[HOOK_SECRET_BYTES];
static char          cur_sealed[HOOK_SEALED_SQL_LEN];
static char          old_sealed[HOOK_SEALED_SQL_LEN];
static char          stray_sealed[HOOK_SEALED_SQL_LEN];

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
	memset(cur, 0x11, sizeof(cur));
	memset(old, 0x22, sizeof(old));
	hook_secret_seal(key, cur, cur_sealed);
	hook_secret_seal(key, old, old_sealed);
	/* Sealed under another key: does not open. */
	hook_secret_seal(other, old, stray_sealed);
}

TestSuite(delivery, .init = setup);

static struct delivery
sample(void)
{
	struct delivery d;

	memset(&d, 0, sizeof(d));
	d.col[DELIVERY_ID] = "42";
	d.col[DELIVERY_UUID] = UUID;
	d.col[DELIVERY_URL] = "https://hooks.example/in?x=1";
	d.col[DELIVERY_SECRET] = cur_sealed;
	d.col[DELIVERY_OLD_SECRET] = NULL;
	d.col[DELIVERY_EVENT_UUID] = EVENT;
	d.col[DELIVERY_TYPE] = "comment.created";
	d.col[DELIVERY_DATA] = "{\"comment\": {\"id\": 7, \"body\": \"<b>\"}}";
	d.col[DELIVERY_CREATED_AT] = "2026-01-01T00:00:00Z";
	return (d);
}

/* "v1," + base64(HMAC-SHA256(secret, id "." ts "." body)), by hand. */
static void
expected_sig(const unsigned char *secret, const char *ts,
    const struct buf *body, char out[HOOK_SIG_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char                mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, secret, HOOK_SECRET_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)UUID,
	    strlen(UUID));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body->data,
	    body->len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, HOOK_SIG_LEN + 1 - 3, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
}

Test(delivery, body_is_the_event_with_its_data_as_is)
{
	struct delivery d = sample();
	struct buf      b;
	json_t         *j;

	buf_init(&b);
	delivery_body(&b, &d);
	cr_assert_str_eq(b.data,
	    "{\"id\":\"" EVENT "\",\"type\":"
	    "\"comment.created\",\"created_at\":\"2026-01-01T00:00:00Z\","
	    "\"data\":{\"comment\": {\"id\": 7, \"body\": \"<b>\"}}}");
	j = json_loadb(b.data, b.len, 0, NULL);
	cr_assert_not_null(j);
	json_decref(j);

	/* Odd text in the columns still makes JSON. */
	buf_reset(&b);
	d.col[DELIVERY_TYPE] = "a\"b\\c\n";
	delivery_body(&b, &d);
	cr_assert_not_null(strstr(b.data, "\"type\":\"a\\\"b\\\\c\\n\""));
	j = json_loadb(b.data, b.len, 0, NULL);
	cr_assert_not_null(j);
	cr_assert_str_eq(json_string_value(json_object_get(j, "type")),
	    "a\"b\\c\n");
	json_decref(j);
	buf_free(&b);
}

Test(delivery, request_is_signed_with_the_current_secret)
{
	struct delivery         d = sample();
	struct delivery_request r;
	struct buf              want;
	char                    sig[HOOK_SIG_LEN + 1];

	cr_assert_eq(delivery_request_build(&r, &d, key, NOW), 0);
	buf_init(&want);
	delivery_body(&want, &d);
	cr_assert_eq(r.body.len, want.len);
	cr_assert_str_eq(r.body.data, want.data);

	expected_sig(cur, "1767225600", &r.body, sig);
	cr_assert_str_eq(r.header[0], "Content-Type: application/json");
	cr_assert_str_eq(r.header[1], "X-Parley-Event: comment.created");
	/* The delivery's UUID, not the event's: the same every attempt. */
	cr_assert_str_eq(r.header[2], "webhook-id: " UUID);
	cr_assert_str_eq(r.header[3], "webhook-timestamp: 1767225600");
	cr_assert_eq(strncmp(r.header[4], "webhook-signature: ", 19), 0);
	cr_assert_str_eq(r.header[4] + 19, sig);
	cr_assert_str_eq(r.header[5], "Expect:");

	delivery_request_free(&r);
	buf_free(&want);
}

Test(delivery, both_secrets_sign_during_a_rotation)
{
	struct delivery         d = sample();
	struct delivery_request r;
	char                    a[HOOK_SIG_LEN + 1], b[HOOK_SIG_LEN + 1];
	char                    line[128];

	d.col[DELIVERY_OLD_SECRET] = old_sealed;
	cr_assert_eq(delivery_request_build(&r, &d, key, NOW), 0);
	expected_sig(cur, "1767225600", &r.body, a);
	expected_sig(old, "1767225600", &r.body, b);
	snprintf(line, sizeof(line), "webhook-signature: %s %s", a, b);
	cr_assert_str_eq(r.header[4], line);
	delivery_request_free(&r);

	/* An old secret that does not open is left out, not fatal. */
	d.col[DELIVERY_OLD_SECRET] = stray_sealed;
	cr_assert_eq(delivery_request_build(&r, &d, key, NOW), 0);
	snprintf(line, sizeof(line), "webhook-signature: %s", a);
	cr_assert_str_eq(r.header[4], line);
	delivery_request_free(&r);
}

Test(delivery, nothing_is_sent_unsigned)
{
	struct delivery         d = sample();
	struct delivery_request r;

	d.col[DELIVERY_SECRET] = stray_sealed;
	cr_assert_eq(delivery_request_build(&r, &d, key, NOW), -1);
	d.col[DELIVERY_SECRET] = "\\xdeadbeef";
	cr_assert_eq(delivery_request_build(&r, &d, key, NOW), -1);
}

Test(delivery, a_header_value_cannot_start_a_header)
{
	struct delivery         d = sample();
	struct delivery_request r;
	int                     i;

	d.col[DELIVERY_TYPE] = "x\r\nX-Evil: 1\n\xc3\xa9";
	cr_assert_eq(delivery_request_build(&r, &d, key, NOW), 0);
	cr_assert_str_eq(r.header[1], "X-Parley-Event: x??X-Evil: 1??");
	for (i = 0; i < DELIVERY_HEADERS; i++)
		cr_assert_null(strpbrk(r.header[i], "\r\n"));
	delivery_request_free(&r);
}

Test(delivery, the_first_bytes_of_an_answer_are_kept)
{
	struct buf raw;
	char       chunk[700];

	memset(chunk, 'a', sizeof(chunk));
	buf_init(&raw);
	delivery_response_add(&raw, chunk, 0);
	cr_assert_eq(raw.len, 0);
	delivery_response_add(&raw, chunk, sizeof(chunk));
	cr_assert_eq(raw.len, 700);
	delivery_response_add(&raw, chunk, sizeof(chunk));
	cr_assert_eq(raw.len, DELIVERY_RESPONSE_MAX);
	delivery_response_add(&raw, chunk, sizeof(chunk));
	cr_assert_eq(raw.len, DELIVERY_RESPONSE_MAX);
	buf_free(&raw);
}

static void
answer(struct delivery_attempt *a, long status, const char *raw, size_t n)
{
	struct buf b;

	buf_init(&b);
	delivery_response_add(&b, raw, n);
	delivery_attempt_init(a);
	delivery_answered(a, status, &b);
	buf_free(&b);
}

Test(delivery, an_answer_is_recorded_as_text)
{
	static const char       odd[] = "ok\0\x1b[0m\xff caf\xc3\xa9\t\r\n";
	struct delivery_attempt a;
	char                    big[DELIVERY_RESPONSE_MAX + 1];

	answer(&a, 200, "thanks", 6);
	cr_assert_eq(a.status, 200);
	cr_assert_str_eq(a.error, "");
	cr_assert_str_eq(delivery_response(&a), "thanks");
	delivery_attempt_free(&a);

	/* An empty answer is "", not no answer. */
	answer(&a, 204, "", 0);
	cr_assert_str_eq(a.error, "");
	cr_assert_str_eq(delivery_response(&a), "");
	delivery_attempt_free(&a);

	/* Any other status fails, a redirect too; lines stay. */
	answer(&a, 500, "receiver says no\n", 17);
	cr_assert_eq(a.status, 500);
	cr_assert_str_eq(a.error, "HTTP 500");
	cr_assert_str_eq(delivery_response(&a), "receiver says no\n");
	delivery_attempt_free(&a);
	answer(&a, 302, "", 0);
	cr_assert_str_eq(a.error, "HTTP 302");
	delivery_attempt_free(&a);
	answer(&a, 199, "", 0);
	cr_assert_str_eq(a.error, "HTTP 199");
	delivery_attempt_free(&a);

	/* Bytes that are not text become '?'; UTF-8 stays. */
	answer(&a, 200, odd, sizeof(odd) - 1);
	cr_assert_str_eq(delivery_response(&a), "ok??[0m? caf\xc3\xa9\t\r\n");
	delivery_attempt_free(&a);

	/* A character cut by the limit is '?' too. */
	memset(big, 'a', sizeof(big));
	memcpy(big + DELIVERY_RESPONSE_MAX - 1, "\xc3\xa9", 2);
	answer(&a, 200, big, sizeof(big));
	cr_assert_eq(strlen(delivery_response(&a)), DELIVERY_RESPONSE_MAX);
	cr_assert_eq(delivery_response(&a)[DELIVERY_RESPONSE_MAX - 1], '?');
	delivery_attempt_free(&a);
}

Test(delivery, no_answer_is_recorded_as_no_answer)
{
	struct delivery_attempt a;

	delivery_attempt_init(&a);
	delivery_failed(&a, "Couldn't connect to server", 0, 0);
	cr_assert_eq(a.status, 0);
	cr_assert_str_eq(a.error, "Couldn't connect to server");
	cr_assert_null(delivery_response(&a));

	/* A status before the failure: an answer cut short, sent again. */
	delivery_failed(&a, "Timeout was reached", 200, 0);
	cr_assert_eq(a.status, 0);
	cr_assert_str_eq(a.error, "Timeout was reached (after an HTTP status)");
	cr_assert_null(delivery_response(&a));

	delivery_failed(&a, "SSL certificate problem", 0, 1);
	cr_assert_str_eq(a.error,
	    "SSL certificate problem (Parley trusts "
	    "the system's CAs and those of hook_ca_file)");
	delivery_attempt_free(&a);
}

static void
expect_log(const struct delivery *d, const struct delivery_attempt *a,
    const char *want)
{
	struct buf b;

	buf_init(&b);
	delivery_log_line(&b, d, a);
	cr_expect_str_eq(b.data, want);
	buf_free(&b);
}

Test(delivery, one_log_line_without_credentials)
{
	struct delivery         d = sample();
	struct delivery_attempt a;

	delivery_attempt_init(&a);
	a.status = 200;
	a.ms = 12;
	expect_log(&d, &a,
	    "deliver: " UUID " comment.created -> "
	    "https://hooks.example/in?x=1: 200 (12 ms)\n");

	d.col[DELIVERY_URL] = "https://user:pa%40ss@hooks.example/in";
	expect_log(&d, &a,
	    "deliver: " UUID " comment.created -> "
	    "https://hooks.example/in: 200 (12 ms)\n");
	/* An '@' past the host is no password. */
	d.col[DELIVERY_URL] = "https://hooks.example/a@b?c@d";
	expect_log(&d, &a,
	    "deliver: " UUID " comment.created -> "
	    "https://hooks.example/a@b?c@d: 200 (12 ms)\n");
	d.col[DELIVERY_URL] = "not a url @ all";
	expect_log(&d, &a,
	    "deliver: " UUID " comment.created -> "
	    "not a url @ all: 200 (12 ms)\n");

	/* No answer: the error, kept to one line. */
	d.col[DELIVERY_URL] = "http://h\xc3\xa9.example/\n";
	d.col[DELIVERY_TYPE] = "ping\r\nforged";
	delivery_failed(&a, "refused:\nnext line", 0, 0);
	a.ms = 3;
	expect_log(&d, &a,
	    "deliver: " UUID " ping??forged -> "
	    "http://h?.example/?: refused:?next line (3 ms)\n");
	delivery_attempt_free(&a);
}

Test(delivery, a_batch_stops_in_time_for_its_lease)
{
	int64_t last = DELIVERY_LEASE_S * 1000L - DELIVERY_TIMEOUT_MS - 5000L;

	cr_assert(delivery_lease_left(0));
	cr_assert(delivery_lease_left(last));
	cr_assert(!delivery_lease_left(last + 1));
	cr_assert(!delivery_lease_left(DELIVERY_LEASE_S * 1000L));
	/* An attempt that may take its whole time still ends in the lease. */
	cr_assert_lt(last + DELIVERY_TIMEOUT_MS, DELIVERY_LEASE_S * 1000L);
}

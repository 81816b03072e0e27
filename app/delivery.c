/*
 * One event hook delivery's pure parts (see delivery.h); deliver.c
 * claims, sends and records.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "delivery.h"
#include "escape.h"
#include "hook_sign.h"

/*
 * A batch stops sending when less than this is left of its lease: one
 * more attempt (DELIVERY_TIMEOUT_MS at most) and its record must end
 * before another deliverer may claim the same rows.
 */
#define LEASE_MARGIN_MS (DELIVERY_TIMEOUT_MS + 5000L)

/* Log lines and header values: one line of printable ASCII each. */
static void
ascii(struct buf *b, const char *s, size_t n)
{
	escape_text_clean(b, s, n, SIZE_MAX, ESCAPE_TEXT_ASCII);
}

static void
ascii_str(struct buf *b, const char *s)
{
	ascii(b, s, strlen(s));
}

void
delivery_body(struct buf *b, const struct delivery *d)
{
	buf_puts(b, "{\"id\":");
	escape_json_cstr(b, d->col[DELIVERY_EVENT_UUID]);
	buf_puts(b, ",\"type\":");
	escape_json_cstr(b, d->col[DELIVERY_TYPE]);
	buf_puts(b, ",\"created_at\":");
	escape_json_cstr(b, d->col[DELIVERY_CREATED_AT]);
	buf_puts(b, ",\"data\":");
	buf_puts(b, d->col[DELIVERY_DATA]);
	buf_putc(b, '}');
}

static char *
header_line(const char *name, const char *value)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, name);
	/* "Name:" alone is libcurl's way to leave a header out. */
	buf_puts(&b, *value != '\0' ? ": " : ":");
	ascii_str(&b, value);
	return (buf_release(&b, NULL));
}

/*
 * Both secrets sign during a rotation, so receivers may switch to the
 * new one whenever they like. The webhook-id is the delivery's: the
 * same on every attempt, for receivers to drop repeats; each attempt is
 * signed with its own time.
 */
int
delivery_request_build(struct delivery_request *r, const struct delivery *d,
    const unsigned char *key, time_t now)
{
	unsigned char cur[HOOK_SECRET_BYTES], old[HOOK_SECRET_BYTES];
	char          sig[HOOK_SIGNATURES_MAX], ts[32];
	int           has_old, i;

	if (hook_secret_open(key, d->col[DELIVERY_SECRET], cur) == -1) {
		sodium_memzero(cur, sizeof(cur));
		return (-1);
	}
	has_old = d->col[DELIVERY_OLD_SECRET] != NULL &&
	    hook_secret_open(key, d->col[DELIVERY_OLD_SECRET], old) == 0;

	buf_init(&r->body);
	delivery_body(&r->body, d);
	(void)snprintf(ts, sizeof(ts), "%lld", (long long)now);
	hook_signatures(cur, has_old ? old : NULL, d->col[DELIVERY_UUID], ts,
	    r->body.data, r->body.len, sig);
	sodium_memzero(cur, sizeof(cur));
	sodium_memzero(old, sizeof(old));

	i = 0;
	r->header[i++] = header_line("Content-Type", "application/json");
	r->header[i++] = header_line("X-Parley-Event", d->col[DELIVERY_TYPE]);
	r->header[i++] = header_line("webhook-id", d->col[DELIVERY_UUID]);
	r->header[i++] = header_line("webhook-timestamp", ts);
	r->header[i++] = header_line("webhook-signature", sig);
	/* No "Expect: 100-continue" and its wait on bigger bodies. */
	r->header[i++] = header_line("Expect", "");
	if (i != DELIVERY_HEADERS)
		abort();
	return (0);
}

void
delivery_request_free(struct delivery_request *r)
{
	int i;

	buf_free(&r->body);
	for (i = 0; i < DELIVERY_HEADERS; i++) {
		free(r->header[i]);
		r->header[i] = NULL;
	}
}

void
delivery_attempt_init(struct delivery_attempt *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->response);
}

void
delivery_attempt_free(struct delivery_attempt *a)
{
	buf_free(&a->response);
}

void
delivery_response_add(struct buf *raw, const void *p, size_t n)
{
	if (raw->len < DELIVERY_RESPONSE_MAX)
		buf_append(raw, p,
		    n < DELIVERY_RESPONSE_MAX - raw->len ?
		        n :
		        DELIVERY_RESPONSE_MAX - raw->len);
}

void
delivery_answered(struct delivery_attempt *a, long status,
    const struct buf *raw)
{
	a->status = status;
	if (status < 200 || status > 299)
		(void)snprintf(a->error, sizeof(a->error), "HTTP %ld", status);
	escape_text_clean(&a->response, raw->data, raw->len, SIZE_MAX,
	    ESCAPE_TEXT_LINES);
}

void
delivery_failed(struct delivery_attempt *a, const char *why, long status,
    int cert_refused)
{
	a->status = 0;
	(void)snprintf(a->error, sizeof(a->error), "%s%s", why,
	    status != 0      ? " (after an HTTP status)" :
	        cert_refused ? " (Parley trusts the system's CAs and those of "
	                       "hook_ca_file)" :
	                       "");
}

const char *
delivery_response(const struct delivery_attempt *a)
{
	if (a->status == 0)
		return (NULL);
	return (a->response.data != NULL ? a->response.data : "");
}

/* The URL without "user:password@": that may be a secret. */
static void
log_url(struct buf *b, const char *url)
{
	const char *auth, *end, *at, *p;

	if ((auth = strstr(url, "://")) == NULL) {
		ascii_str(b, url);
		return;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL) {
		ascii_str(b, url);
		return;
	}
	ascii(b, url, (size_t)(auth - url));
	ascii_str(b, at + 1);
}

void
delivery_log_line(struct buf *b, const struct delivery *d,
    const struct delivery_attempt *a)
{
	buf_puts(b, "deliver: ");
	ascii_str(b, d->col[DELIVERY_UUID]);
	buf_putc(b, ' ');
	ascii_str(b, d->col[DELIVERY_TYPE]);
	buf_puts(b, " -> ");
	log_url(b, d->col[DELIVERY_URL]);
	buf_puts(b, ": ");
	if (a->status != 0)
		buf_printf(b, "%ld", a->status);
	else
		ascii_str(b, a->error);
	buf_printf(b, " (%ld ms)\n", a->ms);
}

int
delivery_lease_left(int64_t elapsed_ms)
{
	return (elapsed_ms <= DELIVERY_LEASE_S * 1000L - LEASE_MARGIN_MS);
}

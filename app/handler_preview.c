/*
 * POST /api/v1/preview {"body"}: the HTML a comment would have, rendered
 * exactly as a posted one is. Throttled per address: raises HTTP 429
 * (rate_limited, with Retry-After) past PREVIEW_BURST previews at once.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "comment_input.h"
#include "escape.h"
#include "markdown.h"

/*
 * A preview stores nothing and costs only CPU (rendering up to BODY_MAX
 * characters), so it is limited where that CPU is spent: each worker
 * keeps its own small table in memory, with no database round trip on a
 * path that has none. A client spread over N workers gets up to N times
 * the allowance, which still bounds what any one of them renders.
 *
 * An address gets PREVIEW_BURST previews at once and one more every
 * PREVIEW_INTERVAL_MS (GCRA: one time per address, the theoretical
 * arrival time of its next preview). IPv6 addresses are grouped by /64,
 * as a single customer is often given a whole /64.
 *
 * The table is bounded: PREVIEW_SETS sets of PREVIEW_WAYS slots, the set
 * chosen by a keyed hash (a random key per worker) so that nobody can aim
 * many addresses at one set. An address not in its set takes the slot
 * whose allowance is fullest; forgetting an address only ever favours
 * that address, which then starts afresh.
 */
#define PREVIEW_BURST       20
#define PREVIEW_INTERVAL_MS 3000
#define PREVIEW_SETS        256
#define PREVIEW_WAYS        8

/* An address group: its family, then its first 4 (IPv4) or 8 bytes. */
#define GROUP_LEN 9

struct preview_slot {
	unsigned char group[GROUP_LEN];
	uint64_t      tat; /* ms; 0: free */
};

static struct preview_slot preview_slots[PREVIEW_SETS][PREVIEW_WAYS];
static unsigned char       preview_key[crypto_shorthash_KEYBYTES];
static int                 preview_keyed;

int handler_preview(struct http_request *);

/* The group of an address in text form; unknown addresses share one. */
static void
address_group(const char *ip, unsigned char group[GROUP_LEN])
{
	unsigned char a[16];

	memset(group, 0, GROUP_LEN);
	if (inet_pton(AF_INET, ip, a) == 1) {
		group[0] = 4;
		memcpy(group + 1, a, 4);
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		group[0] = 6;
		memcpy(group + 1, a, 8);
	}
}

/* The slot for a group: its own, or the one it may take over. */
static struct preview_slot *
slot_for(const unsigned char group[GROUP_LEN])
{
	struct preview_slot *set, *take;
	unsigned char        h[crypto_shorthash_BYTES];
	uint64_t             v;
	size_t               i;

	if (!preview_keyed) {
		crypto_shorthash_keygen(preview_key);
		preview_keyed = 1;
	}
	crypto_shorthash(h, group, GROUP_LEN, preview_key);
	memcpy(&v, h, sizeof(v));
	set = preview_slots[v % PREVIEW_SETS];
	take = &set[0];
	for (i = 0; i < PREVIEW_WAYS; i++) {
		if (set[i].tat != 0 &&
		    memcmp(set[i].group, group, GROUP_LEN) == 0)
			return (&set[i]);
		if (set[i].tat < take->tat)
			take = &set[i];
	}
	memcpy(take->group, group, GROUP_LEN);
	take->tat = 0;
	return (take);
}

/*
 * Counts a preview for the caller's address at now (ms): 0 if allowed,
 * else the seconds to wait.
 */
static int
preview_wait(const char *ip, uint64_t now)
{
	struct preview_slot *s;
	unsigned char        group[GROUP_LEN];
	uint64_t             tat, ahead;

	address_group(ip, group);
	s = slot_for(group);
	tat = s->tat > now ? s->tat : now;
	ahead = (uint64_t)(PREVIEW_BURST - 1) * PREVIEW_INTERVAL_MS;
	if (tat - now > ahead)
		return ((int)((tat - now - ahead + 999) / 1000));
	s->tat = tat + PREVIEW_INTERVAL_MS;
	return (0);
}

static int
preview_allowed(struct http_request *req)
{
	char ip[API_IP_MAX], retry[16];
	int  wait;

	api_client_ip(req, ip);
	if ((wait = preview_wait(ip, kore_time_ms())) == 0)
		return (1);
	(void)snprintf(retry, sizeof(retry), "%d", wait);
	http_response_header(req, "retry-after", retry);
	api_error(req, 429, "rate_limited",
	    "You are previewing too fast; please wait a little.", NULL);
	return (0);
}

int
handler_preview(struct http_request *req)
{
	struct apierr e;
	json_t       *json;
	const char   *body;
	size_t        len;
	struct buf    html, out;

	if (req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "POST");
		return (KORE_RESULT_OK);
	}
	/* Before the body is even read. */
	if (!preview_allowed(req))
		return (KORE_RESULT_OK);
	if (api_read_json(req, &json, &e) == -1) {
		api_error_from(req, &e);
		return (KORE_RESULT_OK);
	}
	if (body_parse(json, &body, &len, &e) == -1) {
		api_error_from(req, &e);
		json_decref(json);
		return (KORE_RESULT_OK);
	}
	buf_init(&html);
	buf_init(&out);
	if (markdown_render(&html, body, len) == -1) {
		api_error(req, 422, "invalid_value",
		    "The comment could not be formatted.", "body");
	} else {
		buf_puts(&out, "{\"html\":");
		escape_json(&out, html.data != NULL ? html.data : "", html.len);
		buf_putc(&out, '}');
		api_send_json(req, 200, &out);
	}
	buf_free(&html);
	buf_free(&out);
	json_decref(json);
	return (KORE_RESULT_OK);
}

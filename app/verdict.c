#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "hook_net.h"
#include "keys.h"
#include "moderation.h"
#include "verdict_body.h"
#include "verdict.h"

static size_t
keep_answer(char *p, size_t size, size_t n, void *arg)
{
	struct verdict_call *vc = arg;
	size_t               len = size * n, room;

	room = sizeof(vc->answer) - 1 - vc->answer_len;
	if (len < room)
		room = len;
	memcpy(vc->answer + vc->answer_len, p, room);
	vc->answer_len += room;
	vc->answer[vc->answer_len] = '\0';
	/* Taking all keeps curl reading; only the start is kept. */
	return (len);
}

static int
verdict_entry(struct kore_task *t)
{
	struct verdict_call *vc = (struct verdict_call *)t;
	struct curl_slist   *h = NULL;
	struct hook_guard    guard;
	char                 line[256];
	CURL                *c;
	CURLcode             rc;
	long                 status = 0;

	if ((c = curl_easy_init()) == NULL) {
		(void)snprintf(vc->error, sizeof(vc->error), "curl init");
		return (KORE_RESULT_OK);
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "User-Agent: Parley-Hooks/1");
	h = curl_slist_append(h, "X-Parley-Event: comment.verdict");
	(void)snprintf(line, sizeof(line), "webhook-id: %s", vc->id);
	h = curl_slist_append(h, line);
	(void)snprintf(line, sizeof(line), "webhook-timestamp: %s", vc->ts);
	h = curl_slist_append(h, line);
	(void)snprintf(line, sizeof(line), "webhook-signature: %s",
	    vc->signature);
	h = curl_slist_append(h, line);
	hook_net_setup(c, &guard);
	curl_easy_setopt(c, CURLOPT_URL, vc->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, vc->body.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)vc->body.len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, vc->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, vc->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, vc);
	if ((rc = curl_easy_perform(c)) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		vc->status = (int)status;
	} else {
		(void)snprintf(vc->error, sizeof(vc->error), "%s",
		    guard.refused[0] != '\0' ? guard.refused :
		                               curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return (KORE_RESULT_OK);
}

void
verdict_call_init(struct verdict_call *vc, const char *url, struct buf *body,
    const unsigned char secret[HOOK_SECRET_BYTES], const unsigned char *old,
    long timeout_ms)
{
	(void)kore_strlcpy(vc->url, url, sizeof(vc->url));
	vc->body = *body;
	buf_init(body);
	buf_reserve(&vc->body, 0);
	/* Each call is a message of its own: a fresh id. */
	hook_id_new(vc->id);
	(void)snprintf(vc->ts, sizeof(vc->ts), "%lld", (long long)time(NULL));
	hook_signatures(secret, old, vc->id, vc->ts, vc->body.data,
	    vc->body.len, vc->signature);
	vc->timeout_ms = timeout_ms;
}

int
verdict_call_start(struct verdict_call *vc, const char *url,
    const char *sealed_secret, const char *sealed_old,
    const struct verdict_comment *c, long timeout_ms, struct mod_verdict *v)
{
	unsigned char secret[HOOK_SECRET_BYTES], old[HOOK_SECRET_BYTES];
	struct buf    body;
	int           has_old;

	if (hook_secret_open(keys_get(KEY_SECRETBOX), sealed_secret, secret) ==
	    -1) {
		v->outcome = MOD_HOLD;
		(void)snprintf(v->reason, sizeof(v->reason),
		    "held: the verdict hook's secret could not be opened");
		return (0);
	}
	/* An old secret that does not open only loses its signature. */
	has_old = sealed_old != NULL &&
	    hook_secret_open(keys_get(KEY_SECRETBOX), sealed_old, old) == 0;
	buf_init(&body);
	verdict_body(&body, c);
	verdict_call_init(vc, url, &body, secret, has_old ? old : NULL,
	    timeout_ms);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(old, sizeof(old));
	return (1);
}

int
verdict_call_run(struct http_request *req, struct verdict_call *vc)
{
	if (vc->finished)
		return (1);
	if (!vc->started) {
		vc->started = 1;
		kore_task_create(&vc->task, verdict_entry);
		kore_task_bind_request(&vc->task, req);
		kore_task_run(&vc->task);
		return (0);
	}
	if (kore_task_state(&vc->task) != KORE_TASK_STATE_FINISHED)
		return (0);
	kore_task_destroy(&vc->task);
	vc->finished = 1;
	return (1);
}

void
verdict_call_cleanup(struct verdict_call *vc)
{
	if (vc->started && !vc->finished &&
	    kore_task_state(&vc->task) != KORE_TASK_STATE_FINISHED)
		return;
	buf_free(&vc->body);
}

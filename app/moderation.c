/*
 * The moderation pipeline (see moderation.h and SPEC.md). Pure: the
 * handler gathers the facts (bans, rate, duplicates, prior approvals) and
 * this decides. Reasons are plain text; the admin page escapes them.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "escape.h"
#include "markdown.h"
#include "moderation.h"

/* The five author fields words are looked for in, in this order. */
#define NFIELDS 5

/* The most of a verdict hook's reason a moderator reads. */
#define HOOK_REASON_MAX 200

/*
 * Appends s to the reason, cleaned by escape_text_clean's flags, at most
 * max bytes of it and cut at a character boundary when the reason is
 * full.
 */
static void
reason_put(struct mod_verdict *v, const char *s, size_t n, size_t max,
    int flags)
{
	struct buf b;
	size_t     len, room;

	len = strlen(v->reason);
	room = sizeof(v->reason) - 1 - len;
	buf_init(&b);
	escape_text_clean(&b, s, n, max < room ? max : room, flags);
	if (b.len > 0)
		memcpy(v->reason + len, b.data, b.len);
	v->reason[len + b.len] = '\0';
	buf_free(&b);
}

/*
 * A run of control characters or invalid bytes becomes one space (a ban
 * reason may have had a newline): defensive, since bans and word lists
 * are validated before they are stored.
 */
static void
reason_add(struct mod_verdict *v, const char *s, size_t n)
{
	reason_put(v, s, n, SIZE_MAX, ESCAPE_TEXT_SQUEEZE);
}

static void
reason_str(struct mod_verdict *v, const char *s)
{
	reason_add(v, s, strlen(s));
}

static void
verdict(struct mod_verdict *v, enum mod_outcome o, const char *reason)
{
	v->outcome = o;
	v->http_status = 0;
	v->code = NULL;
	v->retry_after = 0;
	v->reason[0] = '\0';
	reason_str(v, reason);
}

static void
refuse(struct mod_verdict *v, int status, const char *code, const char *reason)
{
	verdict(v, MOD_REFUSE, reason);
	v->http_status = status;
	v->code = code;
}

/*
 * Looks for an entry of wl in the author's fields, the body as rendered
 * (body_text); on a hit fills the verdict with "PREFIX'WORD' in FIELD"
 * and returns 1.
 */
static int
words_verdict(const struct wordlist *wl, const struct mod_facts *f,
    const struct buf *body_text, enum mod_outcome o, const char *prefix,
    struct mod_verdict *v)
{
	const char *text[NFIELDS] = { body_text->data, f->author_name,
		f->author_email, f->author_url, f->ip };
	size_t      len[NFIELDS];
	static const char *const name[NFIELDS] = { "body", "name", "e-mail",
		"website", "IP" };
	const char              *w;
	size_t                   i;

	if (wl->n == 0)
		return (0);
	for (i = 0; i < NFIELDS; i++)
		len[i] = text[i] == NULL ? 0 : strlen(text[i]);
	len[0] = body_text->len;
	for (i = 0; i < NFIELDS; i++) {
		if (text[i] == NULL ||
		    (w = wordlist_match(wl, text[i], len[i])) == NULL)
			continue;
		verdict(v, o, prefix);
		reason_str(v, "'");
		reason_str(v, w);
		reason_str(v, "' in ");
		reason_str(v, name[i]);
		return (1);
	}
	return (0);
}

/*
 * The body as a reader sees it: word filters look there, not at the
 * Markdown, or "sp*a*m" (rendered "sp<em>a</em>m") would hide "spam".
 * Link targets come with it (markdown_text). Should the body not render,
 * the source is read as it is.
 */
static void
body_text(const struct mod_facts *f, struct buf *text)
{
	buf_init(text);
	buf_append(text, "", 0);
	if (f->body == NULL)
		return;
	if (markdown_text(text, f->body, f->body_len) == -1) {
		buf_reset(text);
		buf_append(text, f->body, f->body_len);
	}
}

static int
content_verdict(const struct settings *s, const struct mod_facts *f,
    struct mod_verdict *v)
{
	struct buf text;
	int        found;

	if (s->disallowed_words.n == 0 && s->hold_words.n == 0)
		return (0);
	body_text(f, &text);
	/* Stage 6: disallowed words. */
	found = words_verdict(&s->disallowed_words, f, &text, MOD_SPAM,
	    "spam: disallowed word ", v);
	/* Stage 7: hold words. */
	if (!found)
		found = words_verdict(&s->hold_words, f, &text, MOD_HOLD,
		    "held: word ", v);
	buf_free(&text);
	return (found);
}

/* 6 and 7: disallowed words, then hold words and links. 1 on a hit. */
static int
content_stages(const struct settings *s, const struct mod_facts *f,
    struct mod_verdict *v)
{
	char line[128];

	if (content_verdict(s, f, v))
		return (1);
	if (s->max_links > 0 && f->links >= (size_t)s->max_links) {
		snprintf(line, sizeof(line), "held: %zu link%s (limit %d)",
		    f->links, f->links == 1 ? "" : "s", s->max_links);
		verdict(v, MOD_HOLD, line);
		return (1);
	}
	return (0);
}

void
moderation_decide_edit(const struct settings *s, const struct mod_facts *f,
    struct mod_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (!content_stages(s, f, v))
		verdict(v, MOD_APPROVE, "approved");
}

void
moderation_decide(const struct settings *s, const struct mod_facts *f,
    struct mod_verdict *v)
{
	char line[128];

	/* Stage 2, closed post and bans: they stop everyone, moderators
	 * included. */
	if (!f->post_open) {
		refuse(v, 403, "post_closed", "refused: post closed");
		return;
	}
	if (f->ban_kind != NULL) {
		refuse(v, 403, "banned", "banned (");
		reason_str(v, f->ban_kind);
		reason_str(v, ")");
		if (f->ban_reason != NULL && f->ban_reason[0] != '\0') {
			reason_str(v, ": ");
			reason_str(v, f->ban_reason);
		}
		return;
	}
	if (f->is_guest && !s->allow_guests) {
		refuse(v, 403, "guests_not_allowed",
		    "refused: guests not allowed");
		return;
	}

	/* Moderators skip 3-10. */
	if (f->is_moderator) {
		verdict(v, MOD_APPROVE, "approved: moderator");
		return;
	}

	/* Stage 3: the rate limit. */
	if (f->rate_wait > 0) {
		snprintf(line, sizeof(line),
		    "refused: rate limited (retry after %d s)", f->rate_wait);
		refuse(v, 429, "rate_limited", line);
		v->retry_after = f->rate_wait;
		return;
	}
	/* Stage 4, the honeypot: stored as spam, answered like a held
	 * comment. */
	if (f->honeypot) {
		verdict(v, MOD_SPAM, "spam: honeypot field filled");
		return;
	}
	/* Stage 5: the same text again, a duplicate. */
	if (f->duplicate) {
		refuse(v, 409, "duplicate", "refused: duplicate comment");
		return;
	}
	/* Stages 6 and 7: words and links. */
	if (content_stages(s, f, v))
		return;
	/* Stage 8: a guest's first comment. */
	if (f->is_guest && s->first_comment_approval && !f->prior_approved) {
		verdict(v, MOD_HOLD,
		    f->author_email != NULL ?
		        "held: first comment from this e-mail" :
		        "held: first comment from a guest without an e-mail");
		return;
	}
	/* Stage 9: every comment needs approval. */
	if (s->require_approval) {
		verdict(v, MOD_HOLD, "held: every comment needs approval");
		return;
	}
	/* Stage 11: approved. Stage 10, the verdict hook, is the
	 * caller's. */
	verdict(v, MOD_APPROVE, "approved");
}

const char *
mod_outcome_name(enum mod_outcome o)
{
	switch (o) {
	case MOD_APPROVE:
		return ("approve");
	case MOD_HOLD:
		return ("hold");
	case MOD_SPAM:
		return ("spam");
	case MOD_REFUSE:
		return ("refuse");
	}
	return ("refuse");
}

size_t
moderation_count_links(const char *html)
{
	size_t      n = 0;
	const char *p;

	if (html == NULL)
		return (0);
	for (p = html; (p = strstr(p, "<a ")) != NULL; p += 3)
		n++;
	return (n);
}

/*
 * The reason "PREFIX: R", R the hook's own (if any) in printable ASCII,
 * each other character '?'.
 */
static void
hook_reason(struct mod_verdict *v, const char *prefix, const char *r)
{
	v->reason[0] = '\0';
	reason_str(v, prefix);
	if (r == NULL || *r == '\0')
		return;
	reason_str(v, ": ");
	reason_put(v, r, strlen(r), HOOK_REASON_MAX, ESCAPE_TEXT_ASCII);
}

void
moderation_verdict_answer(struct mod_verdict *v, int status, const char *body,
    size_t len, const char *error)
{
	json_t     *j, *verdict, *reason;
	const char *vs, *rs;

	v->outcome = MOD_HOLD;
	v->http_status = 0;
	v->code = NULL;
	v->retry_after = 0;
	if (status == 0) {
		hook_reason(v, "held: the verdict hook did not answer",
		    error != NULL ? error : "no answer");
		return;
	}
	if (status < 200 || status > 299) {
		(void)snprintf(v->reason, sizeof(v->reason),
		    "held: the verdict hook answered HTTP %d", status);
		return;
	}
	j = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	verdict = json_object_get(j, "verdict");
	reason = json_object_get(j, "reason");
	vs = json_is_string(verdict) ? json_string_value(verdict) : "";
	rs = json_is_string(reason) ? json_string_value(reason) : NULL;
	if (strcmp(vs, "approve") == 0) {
		v->outcome = MOD_APPROVE;
		hook_reason(v, "approved by the verdict hook", rs);
	} else if (strcmp(vs, "spam") == 0) {
		v->outcome = MOD_SPAM;
		hook_reason(v, "spam: by the verdict hook", rs);
	} else if (strcmp(vs, "hold") == 0) {
		hook_reason(v, "held: by the verdict hook", rs);
	} else {
		(void)snprintf(v->reason, sizeof(v->reason),
		    "held: the verdict hook's answer was not understood");
	}
	json_decref(j);
}

/*
 * The moderation pipeline of SPEC.md, stages 2-9 and 11 (stage 1,
 * validation, is comment_input; stage 10, the verdict hook, runs after this
 * when it says "approve" and a hook is configured). The first verdict wins;
 * each comes with a reason a moderator can read.
 */
#ifndef PARLEY_MODERATION_H
#define PARLEY_MODERATION_H

#include <stddef.h>

#include "settings.h"

/* What the handler gathered about a new comment. */
struct mod_facts {
	int         is_guest;
	int         is_moderator; /* skips stages 3-10 */
	int         post_open;
	const char *ban_kind; /* "account"|"email"|"ip", or NULL */
	const char *ban_reason;
	int         rate_wait; /* seconds; > 0: over the limit */
	int         honeypot; /* the hidden field was filled */
	int         duplicate;
	int prior_approved; /* a guest e-mail with an approved comment */
	const char *body; /* Markdown: words are looked
						 * for in its rendered text */
	size_t      body_len;
	const char *author_name;
	const char *author_email; /* NULL if none */
	const char *author_url; /* NULL if none */
	const char *ip; /* text, NULL if unknown */
	size_t      links; /* <a> elements in the rendered HTML */
};

enum mod_outcome {
	MOD_APPROVE, /* publish (or ask the verdict hook) */
	MOD_HOLD, /* store as pending */
	MOD_SPAM, /* store as spam; answer like a held comment */
	MOD_REFUSE, /* answer http_status/code; store nothing */
};

struct mod_verdict {
	enum mod_outcome outcome;
	/* MOD_REFUSE: 403 (post_closed, banned, guests_not_allowed), 429
	 * (rate_limited, with retry_after), 409 (duplicate). */
	int         http_status;
	const char *code;
	int         retry_after;
	/* A sentence for the admin page, e.g. "held: 3 links (limit 2)",
	 * "spam: disallowed word 'x' in body", "held: first comment from
	 * this e-mail", "approved". Always set. */
	char reason[256];
};

void moderation_decide(const struct settings *, const struct mod_facts *,
    struct mod_verdict *);
/*
 * An author's edit: the content stages only (6, disallowed words; 7,
 * hold words and links), so "hi" approved cannot become spam by an
 * edit. Stage 10, the verdict hook, is the caller's, as for a new
 * comment. The outcome is MOD_APPROVE, MOD_HOLD or MOD_SPAM.
 */
void moderation_decide_edit(const struct settings *, const struct mod_facts *,
    struct mod_verdict *);
/* "approve" | "hold" | "spam" | "refuse": stored as comments.verdict. */
const char *mod_outcome_name(enum mod_outcome);
/*
 * Stage 10: what the verdict hook's answer means. status is the HTTP
 * status, 0 when there was no answer (error says why). A 2xx answer must
 * be {"verdict": "approve"|"hold"|"spam", "reason"?: string}; anything
 * else (no answer, a timeout, another status, garbage) holds the comment,
 * saying why in the reason.
 */
void moderation_verdict_answer(struct mod_verdict *, int status,
    const char *body, size_t len, const char *error);

/* Counts "<a " in sanitized HTML: the renderer emits links only so. */
size_t moderation_count_links(const char *html);

#endif

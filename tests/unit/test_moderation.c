/*
 * Unit tests for app/moderation.c: each stage of the pipeline alone, the
 * order between them (the first verdict wins), the exact reasons a
 * moderator reads, and link counting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "apierr.h"
#include "moderation.h"
#include "settings.h"

static struct settings set;

static void
setup(void)
{
	settings_defaults(&set);
}

static void
teardown(void)
{
	settings_free(&set);
}

TestSuite(moderation, .init = setup, .fini = teardown);

/* A guest who has been approved before, on an open post: approved. */
static struct mod_facts
guest(void)
{
	struct mod_facts f;

	memset(&f, 0, sizeof(f));
	f.is_guest = 1;
	f.post_open = 1;
	f.prior_approved = 1;
	f.body = "A thoughtful remark about the talks.";
	f.body_len = strlen(f.body);
	f.author_name = "Ann Reader";
	f.author_email = "ann@example.com";
	f.author_url = "https://ann.example/";
	f.ip = "203.0.113.5";
	return (f);
}

static struct mod_facts
member(void)
{
	struct mod_facts f = guest();

	f.is_guest = 0;
	f.prior_approved = 0;
	f.author_email = NULL;
	f.author_url = NULL;
	return (f);
}

static struct mod_facts
moderator(void)
{
	struct mod_facts f = member();

	f.is_moderator = 1;
	return (f);
}

static struct mod_verdict
decide(struct mod_facts f)
{
	struct mod_verdict v;

	memset(&v, 0x5a, sizeof(v));
	moderation_decide(&set, &f, &v);
	cr_assert_lt(strlen(v.reason), sizeof(v.reason));
	return (v);
}

static void
patch(const char *text)
{
	json_t       *j;
	json_error_t  err;
	struct apierr e;

	j = json_loads(text, 0, &err);
	cr_assert_not_null(j, "bad test JSON: %s", err.text);
	cr_assert_eq(settings_apply(&set, j, &e), 0, "%s", e.message);
	json_decref(j);
}

#define assert_verdict(v, o, r)                                                \
	do {                                                                   \
		cr_assert_eq((v).outcome, (o), "outcome %s, reason %s",        \
		    mod_outcome_name((v).outcome), (v).reason);                \
		cr_assert_str_eq((v).reason, (r));                             \
	} while (0)

#define assert_refused(v, st, c, r)                                            \
	do {                                                                   \
		assert_verdict((v), MOD_REFUSE, (r));                          \
		cr_assert_eq((v).http_status, (st));                           \
		cr_assert_str_eq((v).code, (c));                               \
	} while (0)

Test(moderation, approved_by_default)
{
	struct mod_verdict v;

	v = decide(guest());
	assert_verdict(v, MOD_APPROVE, "approved");
	cr_assert_eq(v.http_status, 0);
	cr_assert_null(v.code);
	cr_assert_eq(v.retry_after, 0);
	assert_verdict(decide(member()), MOD_APPROVE, "approved");
}

Test(moderation, stage2_post_closed)
{
	struct mod_facts f = guest();

	f.post_open = 0;
	assert_refused(decide(f), 403, "post_closed", "refused: post closed");
	f = member();
	f.post_open = 0;
	assert_refused(decide(f), 403, "post_closed", "refused: post closed");
}

Test(moderation, stage2_banned)
{
	struct mod_facts f = guest();

	f.ban_kind = "email";
	f.ban_reason = "repeated spam";
	assert_refused(decide(f), 403, "banned",
	    "banned (email): repeated spam");
	f.ban_kind = "ip";
	f.ban_reason = NULL;
	assert_refused(decide(f), 403, "banned", "banned (ip)");
	f.ban_reason = "";
	assert_refused(decide(f), 403, "banned", "banned (ip)");
	f = member();
	f.ban_kind = "account";
	f.ban_reason = "trolling";
	assert_refused(decide(f), 403, "banned", "banned (account): trolling");
}

Test(moderation, ban_reason_cleaned_and_truncated)
{
	struct mod_facts   f = guest();
	struct mod_verdict v;
	char               longer[1000];
	size_t             i;

	f.ban_kind = "ip";
	f.ban_reason = "line one\nline\ttwo\x7f\xc2\x85 end";
	assert_refused(decide(f), 403, "banned",
	    "banned (ip): line one line two  end");
	f.ban_reason = "bad \xff bytes";
	assert_refused(decide(f), 403, "banned", "banned (ip): bad   bytes");
	/* Controls at the end leave nothing behind. */
	f.ban_reason = "trailing\r\n";
	assert_refused(decide(f), 403, "banned", "banned (ip): trailing");

	/* Two-byte characters: the cut never splits one. */
	for (i = 0; i + 2 < sizeof(longer); i += 2)
		memcpy(longer + i, "\xc3\xa9", 2);
	longer[i] = '\0';
	f.ban_reason = longer;
	v = decide(f);
	cr_assert_eq(v.outcome, MOD_REFUSE);
	/* 13 bytes of "banned (ip): " and 121 characters: 255. */
	cr_assert_eq(strlen(v.reason), 255);
	cr_assert_eq(strncmp(v.reason, "banned (ip): \xc3\xa9", 15), 0);
	cr_assert_eq((unsigned char)v.reason[254], 0xa9);
}

Test(moderation, stage2_guests_not_allowed)
{
	struct mod_facts f = guest();

	patch("{\"allow_guests\": false}");
	assert_refused(decide(f), 403, "guests_not_allowed",
	    "refused: guests not allowed");
	/* Members and moderators are not guests. */
	assert_verdict(decide(member()), MOD_APPROVE, "approved");
	assert_verdict(decide(moderator()), MOD_APPROVE, "approved: moderator");
}

Test(moderation, stage3_rate_limited)
{
	struct mod_facts   f = guest();
	struct mod_verdict v;

	f.rate_wait = 42;
	v = decide(f);
	assert_refused(v, 429, "rate_limited",
	    "refused: rate limited (retry after 42 s)");
	cr_assert_eq(v.retry_after, 42);
	f.rate_wait = 0;
	assert_verdict(decide(f), MOD_APPROVE, "approved");
}

Test(moderation, stage4_honeypot)
{
	struct mod_facts f = guest();

	f.honeypot = 1;
	assert_verdict(decide(f), MOD_SPAM, "spam: honeypot field filled");
}

Test(moderation, stage5_duplicate)
{
	struct mod_facts f = member();

	f.duplicate = 1;
	assert_refused(decide(f), 409, "duplicate",
	    "refused: duplicate comment");
}

Test(moderation, stage6_disallowed_in_each_field)
{
	struct mod_facts f;

	patch("{\"disallowed_words\": [\"Viagra\", \"spammer@evil.test\","
	      " \"evil.test\", \"198.51.100.7\", \"Bot\"]}");

	f = guest();
	f.body = "Cheap VIAGRA here";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'viagra' in body");

	f = guest();
	f.author_name = "Friendly bot";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bot' in name");

	f = guest();
	f.author_email = "Spammer@Evil.test";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'spammer@evil.test' in e-mail");

	f = guest();
	f.author_url = "https://www.evil.test/x";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'evil.test' in website");

	f = guest();
	f.ip = "198.51.100.7";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word '198.51.100.7' in IP");
	/* Whole addresses only. */
	f.ip = "198.51.100.70";
	assert_verdict(decide(f), MOD_APPROVE, "approved");

	/* Field order: body, name, e-mail, website, IP. */
	f = guest();
	f.author_name = "bot";
	f.author_url = "http://evil.test/";
	f.ip = "198.51.100.7";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bot' in name");
	f.body = "bot";
	f.body_len = 3;
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bot' in body");

	/* Only body_len bytes of the body count. */
	f = guest();
	f.body = "fine text viagra";
	f.body_len = 9;
	assert_verdict(decide(f), MOD_APPROVE, "approved");

	/* Absent fields are skipped. */
	f = member();
	f.ip = NULL;
	assert_verdict(decide(f), MOD_APPROVE, "approved");
}

Test(moderation, stage7_hold_words)
{
	struct mod_facts f = guest();

	patch("{\"hold_words\": [\"crypto\", \"buy now\"]}");
	f.body = "Try CRYPTO today";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_HOLD, "held: word 'crypto' in body");
	f = guest();
	f.author_name = "Buy Now";
	assert_verdict(decide(f), MOD_HOLD, "held: word 'buy now' in name");
	f = guest();
	f.author_url = "https://example.org/crypto";
	assert_verdict(decide(f), MOD_HOLD, "held: word 'crypto' in website");
	f = guest();
	f.body = "cryptography is fine";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_APPROVE, "approved");
}

Test(moderation, stage7_links)
{
	struct mod_facts f = guest();

	f.links = 1;
	assert_verdict(decide(f), MOD_APPROVE, "approved");
	f.links = 2;
	assert_verdict(decide(f), MOD_HOLD, "held: 2 links (limit 2)");
	f.links = 3;
	assert_verdict(decide(f), MOD_HOLD, "held: 3 links (limit 2)");
	patch("{\"max_links\": 5}");
	assert_verdict(decide(f), MOD_APPROVE, "approved");
	/* 0: no limit. */
	patch("{\"max_links\": 0}");
	f.links = 1000;
	assert_verdict(decide(f), MOD_APPROVE, "approved");
	patch("{\"max_links\": 1}");
	f.links = 0;
	assert_verdict(decide(f), MOD_APPROVE, "approved");
	f.links = 1;
	assert_verdict(decide(f), MOD_HOLD, "held: 1 link (limit 1)");
}

Test(moderation, stage8_first_comment)
{
	struct mod_facts f = guest();

	f.prior_approved = 0;
	assert_verdict(decide(f), MOD_HOLD,
	    "held: first comment from this e-mail");
	f.author_email = NULL;
	assert_verdict(decide(f), MOD_HOLD,
	    "held: first comment from a guest without an e-mail");
	/* Members are known: not held. */
	assert_verdict(decide(member()), MOD_APPROVE, "approved");
	patch("{\"first_comment_approval\": false}");
	assert_verdict(decide(f), MOD_APPROVE, "approved");
}

Test(moderation, stage9_require_approval)
{
	patch("{\"require_approval\": true}");
	assert_verdict(decide(guest()), MOD_HOLD,
	    "held: every comment needs approval");
	assert_verdict(decide(member()), MOD_HOLD,
	    "held: every comment needs approval");
	assert_verdict(decide(moderator()), MOD_APPROVE, "approved: moderator");
}

Test(moderation, order_of_stages)
{
	struct mod_facts f;

	patch("{\"disallowed_words\": [\"viagra\"], \"hold_words\":"
	      " [\"crypto\"], \"require_approval\": true}");

	/* Banned with many links: refused, not held. */
	f = guest();
	f.ban_kind = "ip";
	f.ban_reason = "spam";
	f.links = 3;
	assert_refused(decide(f), 403, "banned", "banned (ip): spam");
	/* Closed comes before banned, banned before guests. */
	f.post_open = 0;
	assert_refused(decide(f), 403, "post_closed", "refused: post closed");
	f = guest();
	f.ban_kind = "email";
	patch("{\"allow_guests\": false}");
	assert_refused(decide(f), 403, "banned", "banned (email)");
	patch("{\"allow_guests\": true}");

	/* Rate limited and duplicate: 429. */
	f = guest();
	f.rate_wait = 5;
	f.duplicate = 1;
	f.honeypot = 1;
	assert_refused(decide(f), 429, "rate_limited",
	    "refused: rate limited (retry after 5 s)");

	/* Honeypot and a disallowed word: the honeypot's reason. */
	f = guest();
	f.honeypot = 1;
	f.duplicate = 1;
	f.body = "viagra";
	f.body_len = 6;
	assert_verdict(decide(f), MOD_SPAM, "spam: honeypot field filled");

	/* Duplicate and a hold word (or a disallowed one): 409. */
	f = guest();
	f.duplicate = 1;
	f.body = "crypto viagra";
	f.body_len = strlen(f.body);
	assert_refused(decide(f), 409, "duplicate",
	    "refused: duplicate comment");

	/* Disallowed beats hold even when the hold word comes first. */
	f.duplicate = 0;
	f.links = 9;
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'viagra' in body");
	/* A hold word in the body beats a link count. */
	f.body = "crypto";
	f.body_len = 6;
	assert_verdict(decide(f), MOD_HOLD, "held: word 'crypto' in body");
	/* Links beat the first-comment rule, which beats require_approval. */
	f = guest();
	f.prior_approved = 0;
	f.links = 2;
	assert_verdict(decide(f), MOD_HOLD, "held: 2 links (limit 2)");
	f.links = 0;
	assert_verdict(decide(f), MOD_HOLD,
	    "held: first comment from this e-mail");
	f.prior_approved = 1;
	assert_verdict(decide(f), MOD_HOLD,
	    "held: every comment needs approval");
}

Test(moderation, moderators_skip_3_to_10)
{
	struct mod_facts f = moderator();

	patch("{\"disallowed_words\": [\"viagra\"], \"hold_words\":"
	      " [\"crypto\"], \"require_approval\": true}");
	f.links = 5;
	f.rate_wait = 30;
	f.duplicate = 1;
	f.honeypot = 1;
	f.body = "viagra crypto";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_APPROVE, "approved: moderator");

	/* But a closed post or a ban stops them too. */
	f.post_open = 0;
	assert_refused(decide(f), 403, "post_closed", "refused: post closed");
	f.post_open = 1;
	f.ban_kind = "account";
	f.ban_reason = "demoted";
	assert_refused(decide(f), 403, "banned", "banned (account): demoted");
}

Test(moderation, thousand_disallowed_words)
{
	struct wordlist *wl = &set.disallowed_words;
	struct mod_facts f = guest();
	char             w[32];
	int              i;

	for (i = 0; i < 1000; i++) {
		snprintf(w, sizeof(w), "Bad%dWord", i);
		wordlist_add(wl, w, strlen(w));
	}
	cr_assert_eq(wl->n, 1000);
	assert_verdict(decide(f), MOD_APPROVE, "approved");
	f.body = "this has BAD999WORD in it";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bad999word' in body");
	f.body = "this has bad0word in it";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bad0word' in body");
	f = guest();
	f.author_name = "bad500word";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bad500word' in name");
	f.author_name = "bad1000word";
	assert_verdict(decide(f), MOD_APPROVE, "approved");
}

Test(moderation, long_word_reason_fits)
{
	struct mod_facts   f = guest();
	struct mod_verdict v;
	char               word[101];

	/* The longest entry settings allow, in the longest field name. */
	memset(word, 'w', 100);
	word[100] = '\0';
	wordlist_add(&set.disallowed_words, word, 100);
	f.author_url = word;
	v = decide(f);
	cr_assert_eq(v.outcome, MOD_SPAM);
	cr_assert_eq(strncmp(v.reason, "spam: disallowed word 'www", 26), 0);
	cr_assert_eq(strcmp(v.reason + strlen(v.reason) - 12, "' in website"),
	    0);
}

Test(moderation, outcome_names)
{
	cr_assert_str_eq(mod_outcome_name(MOD_APPROVE), "approve");
	cr_assert_str_eq(mod_outcome_name(MOD_HOLD), "hold");
	cr_assert_str_eq(mod_outcome_name(MOD_SPAM), "spam");
	cr_assert_str_eq(mod_outcome_name(MOD_REFUSE), "refuse");
}

Test(moderation, count_links)
{
	cr_assert_eq(moderation_count_links(NULL), 0);
	cr_assert_eq(moderation_count_links(""), 0);
	cr_assert_eq(moderation_count_links("<p>no links</p>"), 0);
	cr_assert_eq(
	    moderation_count_links(
	        "<p><a href=\"https://a.example/\" rel=\"nofollow ugc noopener\">"
	        "a</a> and <a href=\"https://b.example/\">b</a></p>"),
	    2);
	/* Other tags starting with "a" are not links. */
	cr_assert_eq(moderation_count_links("<abbr>x</abbr><a>y</a>"), 0);
	cr_assert_eq(moderation_count_links("<a <a <a "), 3);
	/* Escaped text is not a link. */
	cr_assert_eq(moderation_count_links("&lt;a href=x&gt;"), 0);
}

Test(moderation, verdict_hook_answers)
{
	struct mod_verdict v;
	const char *a = "{\"verdict\":\"approve\",\"reason\":\"looks fine\"}";
	const char *s = "{\"verdict\":\"spam\"}";
	const char *h = "{\"verdict\":\"hold\",\"reason\":\"new\\nline\"}";
	const char *odd = "{\"verdict\":\"maybe\"}";

	moderation_verdict_answer(&v, 200, a, strlen(a), NULL);
	cr_assert_eq(v.outcome, MOD_APPROVE);
	cr_assert_str_eq(v.reason, "approved by the verdict hook: looks fine");
	moderation_verdict_answer(&v, 200, s, strlen(s), NULL);
	cr_assert_eq(v.outcome, MOD_SPAM);
	cr_assert_str_eq(v.reason, "spam: by the verdict hook");
	moderation_verdict_answer(&v, 201, h, strlen(h), NULL);
	cr_assert_eq(v.outcome, MOD_HOLD);
	cr_assert_str_eq(v.reason, "held: by the verdict hook: new?line");
	moderation_verdict_answer(&v, 200, odd, strlen(odd), NULL);
	cr_assert_eq(v.outcome, MOD_HOLD);
	cr_assert_str_eq(v.reason,
	    "held: the verdict hook's answer was not understood");
	moderation_verdict_answer(&v, 200, "garbage", 7, NULL);
	cr_assert_eq(v.outcome, MOD_HOLD);
	moderation_verdict_answer(&v, 200, NULL, 0, NULL);
	cr_assert_eq(v.outcome, MOD_HOLD);
	moderation_verdict_answer(&v, 500, a, strlen(a), NULL);
	cr_assert_eq(v.outcome, MOD_HOLD);
	cr_assert_str_eq(v.reason, "held: the verdict hook answered HTTP 500");
	moderation_verdict_answer(&v, 0, NULL, 0, "Timeout was reached");
	cr_assert_eq(v.outcome, MOD_HOLD);
	cr_assert_str_eq(v.reason,
	    "held: the verdict hook did not answer: Timeout was reached");
}

/*
 * Dodges (issue #12): words are looked for in the body as rendered, the
 * text a reader sees, normalised; not in the Markdown as typed.
 */
Test(moderation, words_found_in_the_rendered_text)
{
	static const char *const dodges[] = {
		"cheap sp*a*m here", /* emphasis in a word */
		"cheap sp**a**m here",
		"cheap sp`a`m here",
		"cheap sp\xc2\xad"
		"am here", /* soft hyphen */
		"cheap sp\xe2\x80\x8b"
		"am here", /* zero width space */
		"cheap \xef\xbd\x93\xef\xbd\x90\xef\xbd\x81\xef\xbd\x8d",
		"cheap SP*A*M!",
		"> quoted *sp*am",
		"[buy](http://x.example/) cheap spa*m*",
	};
	struct mod_facts f;
	size_t           i;

	patch("{\"disallowed_words\": [\"spam\"],"
	      " \"hold_words\": [\"evil.example\"]}");
	for (i = 0; i < sizeof(dodges) / sizeof(dodges[0]); i++) {
		f = guest();
		f.body = dodges[i];
		f.body_len = strlen(dodges[i]);
		assert_verdict(decide(f), MOD_SPAM,
		    "spam: disallowed word 'spam' in body");
	}

	/* A link's target is read too, though the reader does not see it. */
	f = guest();
	f.body = "[my site](https://www.evil.example/offer)";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_HOLD,
	    "held: word 'evil.example' in body");

	/* What the reader does not see as the word is not the word. */
	f = guest();
	f.body = "spammer *spam*mer `spam`mer";
	f.body_len = strlen(f.body);
	assert_verdict(decide(f), MOD_APPROVE, "approved");
}

Test(moderation, author_fields_normalised)
{
	struct mod_facts f;

	patch("{\"disallowed_words\": [\"bot\"]}");
	f = guest();
	f.author_name = "Friendly b\xc2\xad"
	                "ot";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bot' in name");
	f = guest();
	f.author_name = "\xef\xbc\xa2\xef\xbc\xaf\xef\xbc\xb4";
	assert_verdict(decide(f), MOD_SPAM,
	    "spam: disallowed word 'bot' in name");
}

/* An edit: only the content stages, whatever else would stop a post. */
static struct mod_verdict
decide_edit(struct mod_facts f)
{
	struct mod_verdict v;

	memset(&v, 0x5a, sizeof(v));
	moderation_decide_edit(&set, &f, &v);
	cr_assert_lt(strlen(v.reason), sizeof(v.reason));
	return (v);
}

Test(moderation, edits_pass_the_content_stages_only)
{
	struct mod_facts f = guest();

	patch("{\"disallowed_words\": [\"casino\"], \"hold_words\": "
	      "[\"refund\"], \"max_links\": 2, \"require_approval\": true,"
	      " \"first_comment_approval\": true}");
	/* Not content: a rate limit, a duplicate, first comment, require
	 * approval, a closed post are for new comments only. */
	f.rate_wait = 30;
	f.duplicate = 1;
	f.prior_approved = 0;
	f.post_open = 0;
	assert_verdict(decide_edit(f), MOD_APPROVE, "approved");
	f.body = "visit my ca*si*no";
	f.body_len = strlen(f.body);
	assert_verdict(decide_edit(f), MOD_SPAM,
	    "spam: disallowed word 'casino' in body");
	f.body = "I want a refund";
	f.body_len = strlen(f.body);
	assert_verdict(decide_edit(f), MOD_HOLD, "held: word 'refund' in body");
	f.body = "plain";
	f.body_len = strlen(f.body);
	f.links = 2;
	assert_verdict(decide_edit(f), MOD_HOLD, "held: 2 links (limit 2)");
}

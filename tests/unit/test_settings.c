/*
 * Unit tests for app/settings.c: defaults, each setting's type and range,
 * unknown names, all-or-nothing PATCHes, word list cleaning and limits,
 * and the JSON round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "apierr.h"
#include "buf.h"
#include "settings.h"

TestSuite(settings);

static json_t *
parse(const char *text)
{
	json_t      *j;
	json_error_t err;

	j = json_loads(text, JSON_ALLOW_NUL, &err);
	cr_assert_not_null(j, "bad test JSON: %s: %s", err.text, text);
	return (j);
}

/* Applies text onto s; returns what settings_apply did. */
static int
apply(struct settings *s, const char *text, struct apierr *e)
{
	json_t *j = parse(text);
	int     rc;

	memset(e, 0, sizeof(*e));
	rc = settings_apply(s, j, e);
	/* Only a known field name is static; copy the check out first. */
	if (rc == -1 && e->code != NULL &&
	    strcmp(e->code, "unknown_setting") == 0)
		e->field = "(unknown)";
	json_decref(j);
	return (rc);
}

/* Asserts that text is refused with 422 code/field and s unchanged. */
static void
refused(const char *text, const char *code, const char *field)
{
	struct settings s;
	struct apierr   e;
	json_t         *before, *after;

	settings_defaults(&s);
	before = settings_to_json(&s);
	cr_assert_eq(apply(&s, text, &e), -1, "accepted: %s", text);
	cr_assert_eq(e.status, 422, "%s", text);
	cr_assert_str_eq(e.code, code, "%s", text);
	cr_assert_not_null(e.message);
	cr_assert_gt(strlen(e.message), 10);
	if (field != NULL)
		cr_assert_str_eq(e.field, field, "%s", text);
	after = settings_to_json(&s);
	cr_assert(json_equal(before, after), "changed by: %s", text);
	json_decref(before);
	json_decref(after);
	settings_free(&s);
}

static void
accepted(const char *text, struct settings *s)
{
	struct apierr e;

	cr_assert_eq(apply(s, text, &e), 0, "refused: %s (%s, %s)", text,
	    e.code, e.field);
}

Test(settings, defaults)
{
	struct settings s;

	settings_defaults(&s);
	cr_assert_eq(s.require_approval, 0);
	cr_assert_eq(s.first_comment_approval, 1);
	cr_assert_eq(s.max_links, 2);
	cr_assert_eq(s.rate_limit_per_minute, 5);
	cr_assert_eq(s.edit_window_seconds, 900);
	cr_assert_eq(s.max_depth, 5);
	cr_assert_eq(s.allow_guests, 1);
	cr_assert_eq(s.hold_words.n, 0);
	cr_assert_eq(s.disallowed_words.n, 0);
	settings_free(&s);
}

Test(settings, to_json_has_every_setting)
{
	struct settings s;
	json_t         *j, *want;

	settings_defaults(&s);
	j = settings_to_json(&s);
	cr_assert_eq(json_object_size(j), 15);
	cr_assert_eq(json_integer_value(
	                 json_object_get(j, "verdict_timeout_ms")),
	    2000);
	want = parse(
	    "{\"require_approval\": false,"
	    " \"first_comment_approval\": true, \"max_links\": 2,"
	    " \"hold_words\": [], \"disallowed_words\": [],"
	    " \"rate_limit_per_minute\": 5, \"edit_window_seconds\": 900,"
	    " \"max_depth\": 5, \"allow_guests\": true,"
	    " \"verdict_timeout_ms\": 2000, \"allowed_origins\": [],"
	    " \"moderator_digest_minutes\": 15,"
	    " \"mail_recipient_hourly_max\": 6, \"mail_hourly_max\": 1000,"
	    " \"ip_retention_days\": 90}");
	cr_assert(json_equal(j, want));
	json_decref(j);
	json_decref(want);
	settings_free(&s);
}

Test(settings, empty_object_changes_nothing)
{
	struct settings s;

	settings_defaults(&s);
	accepted("{}", &s);
	cr_assert_eq(s.max_links, 2);
	cr_assert_eq(s.first_comment_approval, 1);
	settings_free(&s);
}

Test(settings, not_an_object)
{
	struct settings s;
	struct apierr   e;
	json_t         *j = parse("[1]");

	settings_defaults(&s);
	cr_assert_eq(settings_apply(&s, j, &e), -1);
	cr_assert_eq(e.status, 400);
	json_decref(j);
	settings_free(&s);
}

Test(settings, every_fault_listed)
{
	struct settings s;
	struct apierr   e;

	settings_defaults(&s);
	cr_assert_eq(apply(&s,
	                 "{\"max_links\": 101, \"max_depth\": 3,"
	                 " \"allow_guests\": 0, \"hold_words\": 7}",
	                 &e),
	    -1);
	cr_assert_eq(e.n_all, 3);
	cr_assert_str_eq(e.field, "max_links");
	cr_assert_str_eq(e.all[0].field, "max_links");
	cr_assert_str_eq(e.all[1].field, "allow_guests");
	cr_assert_str_eq(e.all[2].field, "hold_words");
	cr_assert_eq(s.max_depth, 5, "nothing applied");
	settings_free(&s);
}

Test(settings, fault_list_is_bounded)
{
	struct settings s;
	struct apierr   e;
	struct buf      b;
	int             i;

	settings_defaults(&s);
	buf_init(&b);
	buf_putc(&b, '{');
	for (i = 0; i < APIERR_LIST_MAX + 5; i++)
		buf_printf(&b, "%s\"nope%d\": 1", i > 0 ? "," : "", i);
	buf_putc(&b, '}');
	cr_assert_eq(apply(&s, b.data, &e), -1);
	cr_assert_eq(e.n_all, APIERR_LIST_MAX);
	cr_assert_str_eq(e.code, "unknown_setting");
	buf_free(&b);
	settings_free(&s);
}

static const char *const bools[] = {
	"require_approval",
	"first_comment_approval",
	"allow_guests",
};

Test(settings, booleans)
{
	struct settings          s;
	char                     text[128];
	size_t                   i, k;
	int                     *member[3];
	static const char *const bad[] = {
		"0",
		"1",
		"\"true\"",
		"null",
		"[]",
		"{}",
		"1.0",
	};

	settings_defaults(&s);
	member[0] = &s.require_approval;
	member[1] = &s.first_comment_approval;
	member[2] = &s.allow_guests;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "{\"%s\": true}", bools[i]);
		accepted(text, &s);
		cr_assert_eq(*member[i], 1, "%s", bools[i]);
		snprintf(text, sizeof(text), "{\"%s\": false}", bools[i]);
		accepted(text, &s);
		cr_assert_eq(*member[i], 0, "%s", bools[i]);
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			snprintf(text, sizeof(text), "{\"%s\": %s}", bools[i],
			    bad[k]);
			refused(text, "invalid_value", bools[i]);
		}
	}
	settings_free(&s);
}

struct range {
	const char *name;
	long long   min;
	long long   max;
};

static const struct range ranges[] = {
	{ "max_links", 0, 100 },
	{ "rate_limit_per_minute", 0, 1000 },
	{ "edit_window_seconds", 0, 2592000 },
	{ "max_depth", 1, 10 },
};

static int
int_value(const struct settings *s, const char *name)
{
	if (strcmp(name, "max_links") == 0)
		return (s->max_links);
	if (strcmp(name, "rate_limit_per_minute") == 0)
		return (s->rate_limit_per_minute);
	if (strcmp(name, "edit_window_seconds") == 0)
		return (s->edit_window_seconds);
	return (s->max_depth);
}

Test(settings, integers_and_bounds)
{
	struct settings          s;
	char                     text[128];
	size_t                   i, k;
	static const char *const bad[] = {
		"2.0",
		"\"2\"",
		"true",
		"null",
		"[2]",
		"1e3",
		"9223372036854775807",
		"-9223372036854775808",
	};

	settings_defaults(&s);
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range *r = &ranges[i];

		snprintf(text, sizeof(text), "{\"%s\": %lld}", r->name, r->min);
		accepted(text, &s);
		cr_assert_eq(int_value(&s, r->name), r->min, "%s", r->name);
		snprintf(text, sizeof(text), "{\"%s\": %lld}", r->name, r->max);
		accepted(text, &s);
		cr_assert_eq(int_value(&s, r->name), r->max, "%s", r->name);
		snprintf(text, sizeof(text), "{\"%s\": %lld}", r->name,
		    r->min - 1);
		refused(text, "invalid_value", r->name);
		snprintf(text, sizeof(text), "{\"%s\": %lld}", r->name,
		    r->max + 1);
		refused(text, "invalid_value", r->name);
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			snprintf(text, sizeof(text), "{\"%s\": %s}", r->name,
			    bad[k]);
			refused(text, "invalid_value", r->name);
		}
	}
	/* 4294967298 would wrap to 2 as an int. */
	refused("{\"max_links\": 4294967298}", "invalid_value", "max_links");
	settings_free(&s);
}

Test(settings, unknown_setting)
{
	struct settings s;
	struct apierr   e;
	json_t         *j;

	refused("{\"max_linkz\": 2}", "unknown_setting", NULL);
	refused("{\"max_links\": 3, \"MAX_LINKS\": 3}", "unknown_setting",
	    NULL);

	/* The field names the key, valid while the object lives. */
	settings_defaults(&s);
	j = parse("{\"require_approval\": true, \"verdict_hook\": 1}");
	cr_assert_eq(settings_apply(&s, j, &e), -1);
	cr_assert_eq(e.status, 422);
	cr_assert_str_eq(e.code, "unknown_setting");
	cr_assert_str_eq(e.field, "verdict_hook");
	cr_assert_eq(s.require_approval, 0);
	json_decref(j);
	settings_free(&s);
}

Test(settings, all_or_nothing)
{
	struct settings s;
	struct apierr   e;
	json_t         *before, *after;

	settings_defaults(&s);
	accepted("{\"hold_words\": [\"cheap\"],"
	         " \"disallowed_words\": [\"viagra\"]}",
	    &s);
	before = settings_to_json(&s);

	/* Good members before and after the bad one change nothing. */
	cr_assert_eq(apply(&s,
	                 "{\"max_links\": 7, \"hold_words\": [\"x\"],"
	                 " \"max_depth\": 11, \"allow_guests\": false}",
	                 &e),
	    -1);
	cr_assert_str_eq(e.field, "max_depth");
	cr_assert_eq(apply(&s,
	                 "{\"disallowed_words\": [\"a\", \"b\"],"
	                 " \"hold_words\": [\"ok\", 3]}",
	                 &e),
	    -1);
	cr_assert_str_eq(e.field, "hold_words");
	cr_assert_eq(apply(&s,
	                 "{\"hold_words\": [\"new\"],"
	                 " \"disallowed_words\": [\"\"]}",
	                 &e),
	    -1);
	cr_assert_str_eq(e.field, "disallowed_words");
	cr_assert_eq(apply(&s, "{\"hold_words\": [], \"nope\": 1}", &e), -1);
	cr_assert_eq(
	    apply(&s,
	        "{\"hold_words\": [],"
	        " \"allowed_origins\": [\"https://blog.example.org/x\"]}",
	        &e),
	    -1);
	cr_assert_str_eq(e.field, "allowed_origins");

	after = settings_to_json(&s);
	cr_assert(json_equal(before, after));
	cr_assert_str_eq(s.hold_words.entries[0], "cheap");
	cr_assert_str_eq(wordlist_match(&s.disallowed_words, "VIAGRA", 6),
	    "viagra");
	json_decref(before);
	json_decref(after);

	/* A good PATCH changes only what it names. */
	accepted("{\"max_links\": 0, \"hold_words\": []}", &s);
	cr_assert_eq(s.max_links, 0);
	cr_assert_eq(s.hold_words.n, 0);
	cr_assert_eq(s.disallowed_words.n, 1);
	cr_assert_eq(s.max_depth, 5);
	settings_free(&s);
}

Test(settings, word_lists_cleaned)
{
	struct settings s;
	json_t         *j, *want;

	settings_defaults(&s);
	accepted("{\"hold_words\": [\"  Cheap  \", \"ÉTÉ\", \"cheap\","
	         " \"CHEAP\", \"buy  now\", \"\\u00a0nbsp\\u3000\", \"été\"],"
	         " \"disallowed_words\": [\"Viagra\"]}",
	    &s);
	j = settings_to_json(&s);
	want = parse("[\"cheap\", \"été\", \"buy  now\", \"nbsp\"]");
	cr_assert(json_equal(json_object_get(j, "hold_words"), want), "got %s",
	    json_dumps(json_object_get(j, "hold_words"), 0));
	json_decref(want);
	want = parse("[\"viagra\"]");
	cr_assert(json_equal(json_object_get(j, "disallowed_words"), want));
	json_decref(want);
	json_decref(j);
	cr_assert_str_eq(wordlist_match(&s.hold_words, "Un été", 9), "été");
	settings_free(&s);
}

Test(settings, word_list_entries_refused)
{
	static const char *const bad[] = {
		"\"\"",
		"\"  \"",
		"\"\\t\"",
		"\"a\\u0001b\"",
		"\"a\\nb\"",
		"\"x\\u007f\"",
		"\"\\u0085x\"",
		"\"nul\\u0000x\"",
		"3",
		"null",
		"[\"x\"]",
		"true",
	};
	char   text[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"hold_words\": [\"ok\", %s]}",
		    bad[i]);
		refused(text, "invalid_value", "hold_words");
		snprintf(text, sizeof(text), "{\"disallowed_words\": [%s]}",
		    bad[i]);
		refused(text, "invalid_value", "disallowed_words");
	}
	refused("{\"hold_words\": \"cheap\"}", "invalid_value", "hold_words");
	refused("{\"hold_words\": null}", "invalid_value", "hold_words");
	refused("{\"disallowed_words\": {}}", "invalid_value",
	    "disallowed_words");
}

/* {"NAME": ["w0", "w1", ...]} with n entries of len bytes each. */
static char *
words_object(const char *name, size_t n, size_t len, const char *pad)
{
	struct buf b;
	size_t     i;
	char       w[16];

	buf_init(&b);
	buf_printf(&b, "{\"%s\": [", name);
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "w%zu", i);
		buf_printf(&b, "%s\"%s%s", i ? ", " : "", pad, w);
		for (size_t k = strlen(w); k < len; k++)
			buf_putc(&b, 'x');
		buf_printf(&b, "%s\"", pad);
	}
	buf_puts(&b, "]}");
	return (buf_release(&b, NULL));
}

/* {"NAME": ["UNIT" n times]}. */
static char *
repeat_word(const char *name, const char *unit, size_t n)
{
	struct buf b;
	size_t     i;

	buf_init(&b);
	buf_printf(&b, "{\"%s\": [\"", name);
	for (i = 0; i < n; i++)
		buf_puts(&b, unit);
	buf_puts(&b, "\"]}");
	return (buf_release(&b, NULL));
}

Test(settings, word_list_limits)
{
	struct settings s;
	char           *text;

	settings_defaults(&s);
	text = words_object("disallowed_words", 5000, 8, "");
	accepted(text, &s);
	cr_assert_eq(s.disallowed_words.n, 5000);
	free(text);
	text = words_object("disallowed_words", 5001, 8, "");
	refused(text, "invalid_value", "disallowed_words");
	free(text);
	/* Duplicates count against the limit: the array is what is sent. */
	text = words_object("hold_words", 5001, 1, "");
	refused(text, "invalid_value", "hold_words");
	free(text);

	text = words_object("hold_words", 1, 100, "");
	accepted(text, &s);
	cr_assert_eq(strlen(s.hold_words.entries[0]), 100);
	free(text);
	text = words_object("hold_words", 1, 101, "");
	refused(text, "invalid_value", "hold_words");
	free(text);
	/* The limit is on the trimmed entry. */
	text = words_object("hold_words", 1, 100, "   ");
	accepted(text, &s);
	cr_assert_eq(strlen(s.hold_words.entries[0]), 100);
	free(text);
	/* 50 two-byte characters are 100 bytes; 51 are too many. */
	text = repeat_word("hold_words", "\xc3\xa9", 50);
	accepted(text, &s);
	cr_assert_eq(strlen(s.hold_words.entries[0]), 100);
	free(text);
	text = repeat_word("hold_words", "\xc3\xa9", 51);
	refused(text, "invalid_value", "hold_words");
	free(text);
	settings_free(&s);
}

Test(settings, round_trip)
{
	struct settings s, t;
	json_t         *j, *k;

	settings_defaults(&s);
	accepted(
	    "{\"require_approval\": true,"
	    " \"first_comment_approval\": false, \"max_links\": 0,"
	    " \"hold_words\": [\"Zeta\", \"alpha\", \"buy now\", \"#tag\"],"
	    " \"disallowed_words\": [\"spam\", \"Straße\", \"1.2.3.4\"],"
	    " \"rate_limit_per_minute\": 0, \"edit_window_seconds\": 2592000,"
	    " \"max_depth\": 10, \"allow_guests\": false,"
	    " \"allowed_origins\": [\"HTTPS://Blog.Example.org:443/\"]}",
	    &s);
	j = settings_to_json(&s);

	settings_defaults(&t);
	cr_assert_eq(settings_apply(&t, j, &(struct apierr){ 0 }), 0);
	k = settings_to_json(&t);
	cr_assert(json_equal(j, k), "%s\n%s", json_dumps(j, 0),
	    json_dumps(k, 0));
	cr_assert_eq(t.require_approval, 1);
	cr_assert_eq(t.first_comment_approval, 0);
	cr_assert_eq(t.max_links, 0);
	cr_assert_eq(t.rate_limit_per_minute, 0);
	cr_assert_eq(t.edit_window_seconds, 2592000);
	cr_assert_eq(t.max_depth, 10);
	cr_assert_eq(t.allow_guests, 0);
	/* Stored order, lower-cased. */
	cr_assert_eq(t.hold_words.n, 4);
	cr_assert_str_eq(t.hold_words.entries[0], "zeta");
	cr_assert_str_eq(t.hold_words.entries[3], "#tag");
	cr_assert_str_eq(t.disallowed_words.entries[1], "straße");
	/* Origins as browsers send them. */
	cr_assert_eq(t.allowed_origins.n, 1);
	cr_assert_str_eq(t.allowed_origins.v[0], "https://blog.example.org");
	json_decref(j);
	json_decref(k);
	settings_free(&s);
	settings_free(&t);
}

/*
 * Moderation settings (see settings.h). settings_apply validates every
 * member into a scratch copy before touching s, so a PATCH either applies
 * whole or not at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unictype.h>
#include <unistr.h>

#include "apierr.h"
#include "settings.h"

/* An integer setting: its name and range. */
struct int_setting {
	const char *name;
	json_int_t  min;
	json_int_t  max;
	const char *message;
};

static const struct int_setting int_settings[] = {
	{ "max_links", 0, 100, "max_links must be an integer from 0 to 100." },
	{ "rate_limit_per_minute", 0, 1000,
	    "rate_limit_per_minute must be an integer from 0 (off) to 1000." },
	{ "edit_window_seconds", 0, 2592000,
	    "edit_window_seconds must be an integer from 0 to 2592000 "
	    "(30 days)." },
	{ "max_depth", 1, 10, "max_depth must be an integer from 1 to 10." },
	{ "verdict_timeout_ms", 100, 10000,
	    "verdict_timeout_ms must be an integer from 100 to 10000." },
	{ "moderator_digest_minutes", 1, 1440,
	    "moderator_digest_minutes must be an integer from 1 to 1440 "
	    "(a day)." },
	{ "mail_recipient_hourly_max", 1, 100,
	    "mail_recipient_hourly_max must be an integer from 1 to 100." },
	{ "mail_hourly_max", 1, 1000000,
	    "mail_hourly_max must be an integer from 1 to 1000000." },
	{ "ip_retention_days", 1, 3650,
	    "ip_retention_days must be an integer from 1 to 3650 "
	    "(ten years)." },
};

static const char *const bool_settings[] = {
	"require_approval",
	"first_comment_approval",
	"allow_guests",
};

void
settings_defaults(struct settings *s)
{
	s->require_approval = 0;
	s->first_comment_approval = 1;
	s->max_links = 2;
	s->rate_limit_per_minute = 5;
	s->edit_window_seconds = 900;
	s->max_depth = 5;
	s->allow_guests = 1;
	s->verdict_timeout_ms = 2000;
	s->moderator_digest_minutes = 15;
	s->mail_recipient_hourly_max = 6;
	s->mail_hourly_max = 1000;
	s->ip_retention_days = 90;
	wordlist_init(&s->hold_words);
	wordlist_init(&s->disallowed_words);
	origin_list_init(&s->allowed_origins);
}

/* The int member of s a setting name stands for. */
static int *
int_member(struct settings *s, const char *name)
{
	if (strcmp(name, "require_approval") == 0)
		return (&s->require_approval);
	if (strcmp(name, "first_comment_approval") == 0)
		return (&s->first_comment_approval);
	if (strcmp(name, "allow_guests") == 0)
		return (&s->allow_guests);
	if (strcmp(name, "max_links") == 0)
		return (&s->max_links);
	if (strcmp(name, "rate_limit_per_minute") == 0)
		return (&s->rate_limit_per_minute);
	if (strcmp(name, "edit_window_seconds") == 0)
		return (&s->edit_window_seconds);
	if (strcmp(name, "max_depth") == 0)
		return (&s->max_depth);
	if (strcmp(name, "verdict_timeout_ms") == 0)
		return (&s->verdict_timeout_ms);
	if (strcmp(name, "moderator_digest_minutes") == 0)
		return (&s->moderator_digest_minutes);
	if (strcmp(name, "mail_recipient_hourly_max") == 0)
		return (&s->mail_recipient_hourly_max);
	if (strcmp(name, "mail_hourly_max") == 0)
		return (&s->mail_hourly_max);
	if (strcmp(name, "ip_retention_days") == 0)
		return (&s->ip_retention_days);
	return (NULL);
}

/*
 * Checks one word list entry: valid UTF-8 (jansson guarantees it for
 * parsed text, not for every json_t), no NUL, C0, DEL or C1 controls.
 * Returns the bounds of the entry without white space around it in
 * *start and *len.
 */
static int
word_check(const char *s, size_t n, size_t *start, size_t *len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t         i, b, e;
	ucs4_t         c;
	int            k;

	b = e = SIZE_MAX;
	for (i = 0; i < n; i += k) {
		if ((k = u8_mbtoucr(&c, p + i, n - i)) < 0)
			return (-1);
		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			return (-1);
		/* Unicode white space (NBSP, ideographic space) trims too. */
		if (!uc_is_property_white_space(c)) {
			if (b == SIZE_MAX)
				b = i;
			e = i + k;
		}
	}
	if (b == SIZE_MAX) {
		*start = *len = 0;
		return (0);
	}
	*start = b;
	*len = e - b;
	return (0);
}

static int
words_parse(json_t *v, const char *name, struct wordlist *out, struct apierr *e)
{
	json_t     *w;
	const char *s;
	size_t      i, n, start, len;

	if (!json_is_array(v))
		return (apierr_set(e, 422, "invalid_value",
		    "A word list must be an array of strings.", name));
	if (json_array_size(v) > SETTINGS_WORDS_MAX)
		return (apierr_set(e, 422, "invalid_value",
		    "A word list holds at most 5000 entries.", name));
	json_array_foreach(v, i, w)
	{
		if (!json_is_string(w))
			return (apierr_set(e, 422, "invalid_value",
			    "Every entry of a word list must be a string.",
			    name));
		s = json_string_value(w);
		n = json_string_length(w);
		if (memchr(s, '\0', n) != NULL ||
		    word_check(s, n, &start, &len) == -1)
			return (apierr_set(e, 422, "invalid_value",
			    "Word list entries must not contain control "
			    "characters.",
			    name));
		if (len == 0)
			return (apierr_set(e, 422, "invalid_value",
			    "Word list entries must not be empty.", name));
		if (len > SETTINGS_WORD_MAX)
			return (apierr_set(e, 422, "invalid_value",
			    "A word list entry is at most 100 bytes long.",
			    name));
		/* Lower-casing and dropping duplicates is wordlist_add's. */
		wordlist_add(out, s + start, len);
	}
	return (0);
}

/* What settings_apply gathers before it changes anything. */
struct settings_draft {
	struct settings    tmp; /* scalars */
	struct wordlist    hold, disallowed;
	struct origin_list origins;
	int                have_hold, have_dis, have_origins;
};

/* A true/false or integer setting into d->tmp; 1 if key is one, 0 if
 * not, -1 (e filled) if v does not fit it. */
static int
scalar_apply(struct settings_draft *d, const char *key, json_t *v,
    struct apierr *e)
{
	const struct int_setting *is;
	json_int_t                iv;
	size_t                    i;

	for (i = 0; i < sizeof(bool_settings) / sizeof(bool_settings[0]); i++) {
		if (strcmp(key, bool_settings[i]) != 0)
			continue;
		if (!json_is_boolean(v))
			return (apierr_set(e, 422, "invalid_value",
			    "This setting must be true or false.",
			    bool_settings[i]));
		*int_member(&d->tmp, key) = json_is_true(v);
		return (1);
	}
	for (i = 0; i < sizeof(int_settings) / sizeof(int_settings[0]); i++) {
		is = &int_settings[i];
		if (strcmp(key, is->name) != 0)
			continue;
		/* Integers only: 2.0 and "2" are refused. */
		iv = json_is_integer(v) ? json_integer_value(v) : -1;
		if (!json_is_integer(v) || iv < is->min || iv > is->max)
			return (apierr_set(e, 422, "invalid_value", is->message,
			    is->name));
		*int_member(&d->tmp, key) = (int)iv;
		return (1);
	}
	return (0);
}

/* One member of a settings object into d: 0, or -1 with e filled. */
static int
member_apply(struct settings_draft *d, const char *key, json_t *v,
    struct apierr *e)
{
	int r;

	if ((r = scalar_apply(d, key, v, e)) != 0)
		return (r == 1 ? 0 : -1);
	/* A repeated key (if the parser allows it) replaces. */
	if (strcmp(key, "hold_words") == 0) {
		wordlist_free(&d->hold);
		d->have_hold = 1;
		return (words_parse(v, "hold_words", &d->hold, e));
	}
	if (strcmp(key, "disallowed_words") == 0) {
		wordlist_free(&d->disallowed);
		d->have_dis = 1;
		return (words_parse(v, "disallowed_words", &d->disallowed, e));
	}
	if (strcmp(key, "allowed_origins") == 0) {
		origin_list_free(&d->origins);
		d->have_origins = 1;
		return (
		    origin_list_parse(v, "allowed_origins", &d->origins, e));
	}
	/* key lives in obj: see settings.h. */
	return (apierr_set(e, 422, "unknown_setting",
	    "There is no setting of this name.", key));
}

int
settings_apply(struct settings *s, json_t *obj, struct apierr *e)
{
	struct settings_draft d;
	struct apierr         one;
	json_t               *v;
	const char           *key;

	e->n_all = 0;
	if (!json_is_object(obj))
		return (apierr_set(e, 400, "malformed_json",
		    "The settings must be a JSON object.", NULL));

	/* Scalars into a copy, word lists into new lists: moved at the end,
	 * only when every member is right. Every wrong one is reported. */
	memset(&d, 0, sizeof(d));
	d.tmp = *s;
	wordlist_init(&d.hold);
	wordlist_init(&d.disallowed);
	origin_list_init(&d.origins);
	json_object_foreach(obj, key, v)
	{
		if (member_apply(&d, key, v, &one) == -1)
			apierr_add(e, one.status, one.code, one.message,
			    one.field);
	}
	if (e->n_all > 0) {
		wordlist_free(&d.hold);
		wordlist_free(&d.disallowed);
		origin_list_free(&d.origins);
		return (-1);
	}

	if (d.have_hold) {
		wordlist_free(&s->hold_words);
		d.tmp.hold_words = d.hold;
	}
	if (d.have_dis) {
		wordlist_free(&s->disallowed_words);
		d.tmp.disallowed_words = d.disallowed;
	}
	if (d.have_origins) {
		origin_list_free(&s->allowed_origins);
		d.tmp.allowed_origins = d.origins;
	}
	*s = d.tmp;
	return (0);
}

static void
set_new(json_t *o, const char *name, json_t *v)
{
	if (v == NULL || json_object_set_new(o, name, v) == -1)
		abort();
}

static json_t *
words_json(const struct wordlist *wl)
{
	json_t *a;
	size_t  i;

	if ((a = json_array()) == NULL)
		abort();
	for (i = 0; i < wl->n; i++) {
		if (json_array_append_new(a, json_string(wl->entries[i])) == -1)
			abort();
	}
	return (a);
}

json_t *
settings_to_json(const struct settings *s)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		abort();
	set_new(o, "require_approval", json_boolean(s->require_approval));
	set_new(o, "first_comment_approval",
	    json_boolean(s->first_comment_approval));
	set_new(o, "max_links", json_integer(s->max_links));
	set_new(o, "hold_words", words_json(&s->hold_words));
	set_new(o, "disallowed_words", words_json(&s->disallowed_words));
	set_new(o, "rate_limit_per_minute",
	    json_integer(s->rate_limit_per_minute));
	set_new(o, "edit_window_seconds", json_integer(s->edit_window_seconds));
	set_new(o, "max_depth", json_integer(s->max_depth));
	set_new(o, "allow_guests", json_boolean(s->allow_guests));
	set_new(o, "verdict_timeout_ms", json_integer(s->verdict_timeout_ms));
	set_new(o, "moderator_digest_minutes",
	    json_integer(s->moderator_digest_minutes));
	set_new(o, "mail_recipient_hourly_max",
	    json_integer(s->mail_recipient_hourly_max));
	set_new(o, "mail_hourly_max", json_integer(s->mail_hourly_max));
	set_new(o, "ip_retention_days", json_integer(s->ip_retention_days));
	set_new(o, "allowed_origins", origin_list_json(&s->allowed_origins));
	return (o);
}

const struct settings *
settings_cached(const char *text)
{
	static struct settings cached;
	static char           *cached_text;
	struct apierr          e;
	json_t                *js;

	if (text == NULL)
		text = "{}";
	if (cached_text != NULL && strcmp(cached_text, text) == 0)
		return (&cached);
	settings_free(&cached);
	settings_defaults(&cached);
	if ((js = json_loads(text, 0, NULL)) != NULL) {
		(void)settings_apply(&cached, js, &e);
		json_decref(js);
	}
	free(cached_text);
	if ((cached_text = strdup(text)) == NULL)
		abort();
	return (&cached);
}

void
settings_free(struct settings *s)
{
	wordlist_free(&s->hold_words);
	wordlist_free(&s->disallowed_words);
	origin_list_free(&s->allowed_origins);
}

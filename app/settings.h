/*
 * The moderation settings of SPEC.md, kept in the database as JSON and
 * editable by admins. Parsing the stored object and validating a PATCH
 * are the same code, so a bad value can never be stored.
 */
#ifndef PARLEY_SETTINGS_H
#define PARLEY_SETTINGS_H

#include <stddef.h>

#include <jansson.h>

#include "origin.h"
#include "wordlist.h"

struct apierr;

#define SETTINGS_WORDS_MAX 5000 /* entries in one word list */
#define SETTINGS_WORD_MAX  100 /* bytes in one entry */

struct settings {
	int require_approval; /* false */
	int first_comment_approval; /* true */
	int max_links; /* 2; 0..100 */
	int rate_limit_per_minute; /* 5; 0 (off)..1000 */
	int edit_window_seconds; /* 900; 0..30 days */
	int max_depth; /* 5; 1..10 */
	int allow_guests; /* true */
	int verdict_timeout_ms; /* 2000; 100..10000 */
	/* Mail (the database reads these; listed for the admin page). */
	int moderator_digest_minutes; /* 15; 1..1440 */
	int mail_recipient_hourly_max; /* 6; 1..100 */
	int mail_hourly_max; /* 1000; 1..1000000 */
	/* Days network addresses are kept (privacy_retention). */
	int                ip_retention_days; /* 90; 1..3650 */
	struct wordlist    hold_words; /* [] */
	struct wordlist    disallowed_words; /* [] */
	struct origin_list allowed_origins; /* []: sites besides the
						 * configuration file's */
};

/* The defaults above (empty lists). */
void settings_defaults(struct settings *);
/*
 * Applies the members of a JSON object onto s. Every member must be a
 * known setting of the right type and range, else 422 naming it (code
 * "unknown_setting" or "invalid_value") and s is left unchanged. Word
 * lists: arrays of non-empty strings without control characters, at most
 * SETTINGS_WORDS_MAX entries of SETTINGS_WORD_MAX bytes; entries are
 * trimmed and lower-cased, duplicates dropped. allowed_origins: see
 * origin_list_parse. An empty object is valid.
 * Returns 0 or -1. Every wrong member is listed in e->all (the first is
 * e's own). For "unknown_setting", the field points to the key inside the
 * object: use the error before releasing the object.
 */
int settings_apply(struct settings *, json_t *, struct apierr *);
/* The settings as a JSON object (word lists as stored). Caller decrefs. */
json_t *settings_to_json(const struct settings *);
void    settings_free(struct settings *);
/*
 * The settings stored as JSON text (the settings table's, as the posting
 * and editing queries return it; NULL: none), parsed: word lists are
 * indexed once and kept until the text changes, so long lists cost
 * nothing per comment. Stored values that settings_apply refuses
 * (impossible through the admin API) leave the defaults in place. The
 * answer lives until the next call with other text.
 */
const struct settings *settings_cached(const char *text);

#endif

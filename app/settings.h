/*
 * The moderation settings of SPEC.md, kept in the database as JSON and
 * editable by admins. Parsing the stored object and validating a PATCH
 * are the same code, so a bad value can never be stored.
 */
#ifndef PARLEY_SETTINGS_H
#define PARLEY_SETTINGS_H

#include <stddef.h>

#include <jansson.h>

#include "wordlist.h"

struct apierr;

#define SETTINGS_WORDS_MAX	5000	/* entries in one word list */
#define SETTINGS_WORD_MAX	100	/* bytes in one entry */

struct settings {
	int		 require_approval;	/* false */
	int		 first_comment_approval;	/* true */
	int		 max_links;		/* 2; 0..100 */
	int		 rate_limit_per_minute;	/* 5; 0 (off)..1000 */
	int		 edit_window_seconds;	/* 900; 0..30 days */
	int		 max_depth;		/* 5; 1..10 */
	int		 allow_guests;		/* true */
	int		 verdict_timeout_ms;	/* 2000; 100..10000 */
	struct wordlist	 hold_words;		/* [] */
	struct wordlist	 disallowed_words;	/* [] */
};

/* The defaults above (empty word lists). */
void	settings_defaults(struct settings *);
/*
 * Applies the members of a JSON object onto s. Every member must be a
 * known setting of the right type and range, else 422 naming it (code
 * "unknown_setting" or "invalid_value") and s is left unchanged. Word
 * lists: arrays of non-empty strings without control characters, at most
 * SETTINGS_WORDS_MAX entries of SETTINGS_WORD_MAX bytes; entries are
 * trimmed and lower-cased, duplicates dropped. An empty object is valid.
 * Returns 0 or -1. For "unknown_setting", e->field points to the key
 * inside the object: use the error before releasing the object.
 */
int	settings_apply(struct settings *, json_t *, struct apierr *);
/* The settings as a JSON object (word lists as stored). Caller decrefs. */
json_t	*settings_to_json(const struct settings *);
void	settings_free(struct settings *);

#endif

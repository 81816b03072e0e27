/*
 * Helpers for reading what clients send: typed fields of a JSON object,
 * text checks by code points, trimming. Shared by every *_input module.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "apierr.h"
#include "comment_input.h"
#include "input.h"

/* No C0 controls or DEL, except newline and tab where text may have them. */
int
input_has_controls(const char *s, size_t n, int multiline)
{
	size_t        i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (multiline && (c == '\n' || c == '\t' || c == '\r'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return (1);
	}
	return (0);
}

size_t
input_chars(const char *s, size_t n)
{
	return (u8_mbsnlen((const uint8_t *)s, n));
}

int
input_is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isspace((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

/* Copies s without leading and trailing white space. */
char *
input_trimmed_copy(const char *s, size_t n)
{
	char *out;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if ((out = malloc(n + 1)) == NULL)
		abort();
	memcpy(out, s, n);
	out[n] = '\0';
	return (out);
}

/*
 * Fetches an optional string member. Returns 0 with *out NULL when absent or
 * null, -1 (and fills e) when it has another type or holds a NUL byte.
 */
int
input_get_string(json_t *obj, const char *name, const char **out, size_t *len,
    struct apierr *e)
{
	json_t *v;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	v = json_object_get(obj, name);
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_string(v))
		return (apierr_set(e, 422, "invalid_type",
		    "This field must be a string.", name));
	if (strlen(json_string_value(v)) != json_string_length(v))
		return (apierr_set(e, 422, "invalid_value",
		    "This field must not contain NUL characters.", name));
	*out = json_string_value(v);
	if (len != NULL)
		*len = json_string_length(v);
	return (0);
}

int
input_email_valid(const char *s)
{
	const char *at;
	size_t      i, n = strlen(s);

	if (n > EMAIL_MAX || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '.') == NULL)
		return (0);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '<' || s[i] == '>' || s[i] == '"')
			return (0);
	}
	return (1);
}

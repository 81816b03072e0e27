#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "apierr.h"
#include "comment_input.h"

/* No C0 controls or DEL, except newline and tab where text may have them. */
static int
has_controls(const char *s, size_t n, int multiline)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (multiline && (c == '\n' || c == '\t' || c == '\r'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return (1);
	}
	return (0);
}

static size_t
chars(const char *s, size_t n)
{
	return (u8_mbsnlen((const uint8_t *)s, n));
}

/*
 * Fetches an optional string member. Returns 0 with *out NULL when absent or
 * null, -1 (and fills e) when it has another type or holds a NUL byte.
 */
static int
get_string(json_t *obj, const char *name, const char **out, size_t *len,
    struct apierr *e)
{
	json_t	*v;

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

static int
is_blank(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!isspace((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

int
post_key_valid(const char *s)
{
	size_t	n;

	if (s == NULL)
		return (0);
	n = strlen(s);
	return (n > 0 && n <= POST_KEY_MAX &&
	    u8_check((const uint8_t *)s, n) == NULL && !has_controls(s, n, 0));
}

int
http_url_valid(const char *s)
{
	size_t	i, n = strlen(s), scheme;

	if (strncasecmp(s, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		scheme = 8;
	else
		return (0);
	/* Something must follow the scheme: a host at least. */
	if (n > URL_MAX || n == scheme || s[scheme] == '/')
		return (0);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return (0);
	}
	return (1);
}

static int
email_valid(const char *s)
{
	const char	*at;
	size_t		 i, n = strlen(s);

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

int
body_parse(json_t *obj, const char **body, size_t *len, struct apierr *e)
{
	if (get_string(obj, "body", body, len, e) == -1)
		return (-1);
	if (*body == NULL || is_blank(*body, *len))
		return (apierr_set(e, 422, "required",
		    "Please write a comment.", "body"));
	if (chars(*body, *len) > BODY_MAX)
		return (apierr_set(e, 422, "too_long",
		    "The comment is longer than 10000 characters.", "body"));
	if (has_controls(*body, *len, 1))
		return (apierr_set(e, 422, "invalid_value",
		    "The comment contains control characters.", "body"));
	return (0);
}

/* Copies s without leading and trailing white space. */
static char *
trimmed_copy(const char *s, size_t n)
{
	char	*out;

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

static int
parse_parent(json_t *obj, int64_t *parent, struct apierr *e)
{
	json_t	*v;

	*parent = 0;
	v = json_object_get(obj, "parent_id");
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return (apierr_set(e, 422, "invalid_value",
		    "parent_id must be a comment id or null.", "parent_id"));
	*parent = json_integer_value(v);
	return (0);
}

int
comment_input_parse(json_t *obj, struct comment_input *in, struct apierr *e)
{
	const char	*name, *hp;
	size_t		 len;

	memset(in, 0, sizeof(*in));

	if (get_string(obj, "post", &in->post, NULL, e) == -1)
		return (-1);
	if (in->post == NULL || *in->post == '\0')
		return (apierr_set(e, 422, "required",
		    "The post key is missing.", "post"));
	if (!post_key_valid(in->post))
		return (apierr_set(e, 422, "invalid_value",
		    "The post key must be 1 to 256 bytes without control "
		    "characters.", "post"));

	if (get_string(obj, "post_title", &in->post_title, &len, e) == -1)
		return (-1);
	if (in->post_title == NULL)
		in->post_title = "";
	else if (chars(in->post_title, len) > POST_TITLE_MAX ||
	    has_controls(in->post_title, len, 0))
		return (apierr_set(e, 422, "invalid_value",
		    "The post title must be at most 300 characters on one "
		    "line.", "post_title"));

	if (get_string(obj, "post_url", &in->post_url, NULL, e) == -1)
		return (-1);
	if (in->post_url == NULL || *in->post_url == '\0')
		in->post_url = "";
	else if (!http_url_valid(in->post_url))
		return (apierr_set(e, 422, "invalid_value",
		    "The post URL must be an http or https URL.", "post_url"));

	if (parse_parent(obj, &in->parent_id, e) == -1)
		return (-1);
	if (body_parse(obj, &in->body, &in->body_len, e) == -1)
		return (-1);

	if (get_string(obj, "author_name", &name, &len, e) == -1)
		return (-1);
	if (name == NULL || is_blank(name, len))
		return (apierr_set(e, 422, "required",
		    "Please give your name.", "author_name"));
	in->author_name = trimmed_copy(name, len);
	len = strlen(in->author_name);
	if (chars(in->author_name, len) > AUTHOR_NAME_MAX ||
	    has_controls(in->author_name, len, 0)) {
		comment_input_free(in);
		return (apierr_set(e, 422, "invalid_value",
		    "The name must be at most 80 characters on one line.",
		    "author_name"));
	}

	if (get_string(obj, "author_email", &in->author_email, NULL, e) == -1)
		goto fail;
	if (in->author_email != NULL && *in->author_email == '\0')
		in->author_email = NULL;
	if (in->author_email != NULL && !email_valid(in->author_email)) {
		apierr_set(e, 422, "invalid_value",
		    "That e-mail address does not look right.", "author_email");
		goto fail;
	}

	if (get_string(obj, "author_url", &in->author_url, NULL, e) == -1)
		goto fail;
	if (in->author_url != NULL && *in->author_url == '\0')
		in->author_url = NULL;
	if (in->author_url != NULL && !http_url_valid(in->author_url)) {
		apierr_set(e, 422, "invalid_value",
		    "The website must be an http or https URL.", "author_url");
		goto fail;
	}

	/* Any type counts for the honeypot: bots fill fields blindly. */
	hp = NULL;
	if (json_is_string(json_object_get(obj, "hp")))
		hp = json_string_value(json_object_get(obj, "hp"));
	in->honeypot = (hp != NULL && *hp != '\0') ||
	    (json_object_get(obj, "hp") != NULL &&
	    !json_is_string(json_object_get(obj, "hp")) &&
	    !json_is_null(json_object_get(obj, "hp")));
	return (0);
fail:
	comment_input_free(in);
	return (-1);
}

void
comment_input_free(struct comment_input *in)
{
	free(in->author_name);
	in->author_name = NULL;
}

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "apierr.h"
#include "comment_input.h"
#include "input.h"

int
post_key_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return (0);
	n = strlen(s);
	return (n > 0 && n <= POST_KEY_MAX &&
	    u8_check((const uint8_t *)s, n) == NULL &&
	    !input_has_controls(s, n, 0));
}

int
http_url_valid(const char *s)
{
	size_t i, n = strlen(s), scheme;

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

int
body_parse(json_t *obj, const char **body, size_t *len, struct apierr *e)
{
	if (input_get_string(obj, "body", body, len, e) == -1)
		return (-1);
	if (*body == NULL || input_is_blank(*body, *len))
		return (apierr_set(e, 422, "required",
		    "Please write a comment.", "body"));
	if (input_chars(*body, *len) > BODY_MAX)
		return (apierr_set(e, 422, "too_long",
		    "The comment is longer than 10000 characters.", "body"));
	if (input_has_controls(*body, *len, 1))
		return (apierr_set(e, 422, "invalid_value",
		    "The comment contains control characters.", "body"));
	return (0);
}

static int
parse_parent(json_t *obj, int64_t *parent, struct apierr *e)
{
	json_t *v;

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

static int
parse_post(json_t *obj, struct comment_input *in, struct apierr *e)
{
	size_t len;

	if (input_get_string(obj, "post", &in->post, NULL, e) == -1)
		return (-1);
	if (in->post == NULL || *in->post == '\0')
		return (apierr_set(e, 422, "required",
		    "The post key is missing.", "post"));
	if (!post_key_valid(in->post))
		return (apierr_set(e, 422, "invalid_value",
		    "The post key must be 1 to 256 bytes without control "
		    "characters.",
		    "post"));

	if (input_get_string(obj, "post_title", &in->post_title, &len, e) == -1)
		return (-1);
	if (in->post_title == NULL)
		in->post_title = "";
	else if (input_chars(in->post_title, len) > POST_TITLE_MAX ||
	    input_has_controls(in->post_title, len, 0))
		return (apierr_set(e, 422, "invalid_value",
		    "The post title must be at most 300 characters on one "
		    "line.",
		    "post_title"));

	if (input_get_string(obj, "post_url", &in->post_url, NULL, e) == -1)
		return (-1);
	if (in->post_url == NULL || *in->post_url == '\0')
		in->post_url = "";
	else if (!http_url_valid(in->post_url))
		return (apierr_set(e, 422, "invalid_value",
		    "The post URL must be an http or https URL.", "post_url"));
	return (0);
}

/* An optional field that must pass valid() when given; "" means absent. */
static int
parse_optional(json_t *obj, const char *name, int (*valid)(const char *),
    const char **out, const char *message, struct apierr *e)
{
	if (input_get_string(obj, name, out, NULL, e) == -1)
		return (-1);
	if (*out != NULL && **out == '\0')
		*out = NULL;
	if (*out != NULL && !valid(*out))
		return (apierr_set(e, 422, "invalid_value", message, name));
	return (0);
}

static int
parse_guest(json_t *obj, struct comment_input *in, struct apierr *e)
{
	const char *name;
	size_t      len;

	if (input_get_string(obj, "author_name", &name, &len, e) == -1)
		return (-1);
	if (name == NULL || input_is_blank(name, len))
		return (apierr_set(e, 422, "required", "Please give your name.",
		    "author_name"));
	in->author_name = input_trimmed_copy(name, len);
	len = strlen(in->author_name);
	if (input_chars(in->author_name, len) > AUTHOR_NAME_MAX ||
	    input_has_controls(in->author_name, len, 0))
		return (apierr_set(e, 422, "invalid_value",
		    "The name must be at most 80 characters on one line.",
		    "author_name"));
	if (parse_optional(obj, "author_email", input_email_valid,
	        &in->author_email, "That e-mail address does not look right.",
	        e) == -1)
		return (-1);
	return (parse_optional(obj, "author_url", http_url_valid,
	    &in->author_url, "The website must be an http or https URL.", e));
}

/* Bots fill every field they find; any non-empty value counts. */
static int
honeypot_filled(json_t *obj)
{
	json_t *hp = json_object_get(obj, "hp");

	if (hp == NULL || json_is_null(hp))
		return (0);
	return (!json_is_string(hp) || json_string_length(hp) > 0);
}

/* "notify": replies by e-mail; absent or null is false. */
static int
parse_notify(json_t *obj, int *notify, struct apierr *e)
{
	json_t *v = json_object_get(obj, "notify");

	if (v == NULL || json_is_null(v)) {
		*notify = 0;
		return (0);
	}
	if (!json_is_boolean(v))
		return (apierr_set(e, 422, "invalid_value",
		    "notify must be true or false.", "notify"));
	*notify = json_is_true(v);
	return (0);
}

int
comment_input_parse_as(json_t *obj, int guest, struct comment_input *in,
    struct apierr *e)
{
	memset(in, 0, sizeof(*in));
	if (parse_post(obj, in, e) == -1 ||
	    parse_parent(obj, &in->parent_id, e) == -1 ||
	    body_parse(obj, &in->body, &in->body_len, e) == -1 ||
	    parse_notify(obj, &in->notify, e) == -1)
		return (-1);
	/* A member's name, e-mail and website come from the account. */
	if (guest && parse_guest(obj, in, e) == -1) {
		comment_input_free(in);
		return (-1);
	}
	in->honeypot = honeypot_filled(obj);
	return (0);
}

int
comment_input_parse(json_t *obj, struct comment_input *in, struct apierr *e)
{
	return (comment_input_parse_as(obj, 1, in, e));
}

void
comment_input_free(struct comment_input *in)
{
	free(in->author_name);
	in->author_name = NULL;
}

/*
 * Unit tests for app/comment_input.c: validation of a new comment (and of
 * a preview's body) read from a parsed JSON object, and the post key and
 * URL checks handlers use on their own.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "apierr.h"
#include "comment_input.h"

/* A complete, valid POST /api/v1/comments body. */
static const char full_json[] =
    "{\"post\": \"/2018/03/getting-to-yes/\","
    " \"post_title\": \"Getting to yes\","
    " \"post_url\": \"https://blog.example/2018/03/getting-to-yes/\","
    " \"parent_id\": 12,"
    " \"body\": \"Hello **world**\\n\\nSecond paragraph.\","
    " \"author_name\": \"  Ann Reader \\t\","
    " \"author_email\": \"ann@example.com\","
    " \"author_url\": \"https://ann.example/\","
    " \"hp\": \"\"}";

static json_t *
parse(const char *text)
{
	json_t      *j;
	json_error_t err;

	j = json_loads(text, JSON_ALLOW_NUL, &err);
	cr_assert_not_null(j, "bad test JSON: %s", err.text);
	return (j);
}

/* The minimal valid object: post, body and name. */
static json_t *
minimal(void)
{
	return (parse("{\"post\": \"198\", \"body\": \"Hi\","
	              " \"author_name\": \"Bo\"}"));
}

/* n copies of s, NUL-terminated; free it. */
static char *
repeat(const char *s, size_t n)
{
	size_t len = strlen(s), i;
	char  *out;

	out = malloc(len * n + 1);
	cr_assert_not_null(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return (out);
}

/* Sets a string member (copied by jansson). */
static void
set_str(json_t *o, const char *key, const char *v)
{
	cr_assert_eq(json_object_set_new(o, key, json_string(v)), 0,
	    "json_string refused the value for %s", key);
}

/* Parses o, expecting success; the caller frees in. */
static void
accept(json_t *o, struct comment_input *in)
{
	struct apierr e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(comment_input_parse(o, in, &e), 0,
	    "refused: %d %s (%s) field %s", e.status, e.code ? e.code : "-",
	    e.message ? e.message : "-", e.field ? e.field : "-");
	cr_assert_not_null(in->author_name);
}

/* Parses o, expecting 422 code on field; frees o. */
static void
refuse(json_t *o, const char *field, const char *code)
{
	struct comment_input in;
	struct apierr        e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(comment_input_parse(o, &in, &e), -1,
	    "accepted, expected %s on %s", code, field);
	cr_assert_eq(e.status, 422);
	cr_assert_not_null(e.code);
	cr_assert_str_eq(e.code, code, "code %s, want %s (field %s)", e.code,
	    code, e.field ? e.field : "-");
	cr_assert_not_null(e.field, "no field, want %s", field);
	cr_assert_str_eq(e.field, field);
	cr_assert_not_null(e.message);
	cr_assert_gt(strlen(e.message), 0);
	cr_assert_null(in.author_name, "author_name not freed on failure");
	comment_input_free(&in);
	json_decref(o);
}

/* The minimal object with key set to v (a string), refused. */
static void
refuse_str(const char *key, const char *v, const char *field, const char *code)
{
	json_t *o = minimal();

	set_str(o, key, v);
	refuse(o, field, code);
}

/* The minimal object with key set to v (a string), accepted. */
static void
accept_str(const char *key, const char *v)
{
	struct comment_input in;
	json_t              *o = minimal();

	set_str(o, key, v);
	accept(o, &in);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, full_input)
{
	struct comment_input in;
	json_t              *o = parse(full_json);

	accept(o, &in);
	cr_assert_str_eq(in.post, "/2018/03/getting-to-yes/");
	cr_assert_str_eq(in.post_title, "Getting to yes");
	cr_assert_str_eq(in.post_url,
	    "https://blog.example/2018/03/getting-to-yes/");
	cr_assert_eq(in.parent_id, 12);
	cr_assert_str_eq(in.body, "Hello **world**\n\nSecond paragraph.");
	cr_assert_eq(in.body_len,
	    strlen("Hello **world**\n\nSecond paragraph."));
	cr_assert_str_eq(in.author_name, "Ann Reader");
	/* A copy the caller owns, not the JSON's string. */
	cr_assert_neq((const char *)in.author_name,
	    json_string_value(json_object_get(o, "author_name")));
	cr_assert_str_eq(in.author_email, "ann@example.com");
	cr_assert_str_eq(in.author_url, "https://ann.example/");
	cr_assert_eq(in.honeypot, 0);
	/* The borrowed strings are the object's own. */
	cr_assert_eq(in.post, json_string_value(json_object_get(o, "post")));
	cr_assert_eq(in.body, json_string_value(json_object_get(o, "body")));
	comment_input_free(&in);
	cr_assert_null(in.author_name);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, minimal_input_defaults)
{
	struct comment_input in;
	json_t              *o = minimal();

	accept(o, &in);
	cr_assert_str_eq(in.post, "198");
	cr_assert_not_null(in.post_title);
	cr_assert_str_eq(in.post_title, "");
	cr_assert_not_null(in.post_url);
	cr_assert_str_eq(in.post_url, "");
	cr_assert_eq(in.parent_id, 0);
	cr_assert_str_eq(in.body, "Hi");
	cr_assert_eq(in.body_len, 2);
	cr_assert_str_eq(in.author_name, "Bo");
	cr_assert_null(in.author_email);
	cr_assert_null(in.author_url);
	cr_assert_eq(in.honeypot, 0);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, nulls_mean_absent)
{
	struct comment_input in;
	json_t              *o;

	o = parse(
	    "{\"post\": \"198\", \"body\": \"Hi\", \"author_name\": \"Bo\","
	    " \"post_title\": null, \"post_url\": null, \"parent_id\": null,"
	    " \"author_email\": null, \"author_url\": null, \"hp\": null}");
	accept(o, &in);
	cr_assert_str_eq(in.post_title, "");
	cr_assert_str_eq(in.post_url, "");
	cr_assert_eq(in.parent_id, 0);
	cr_assert_null(in.author_email);
	cr_assert_null(in.author_url);
	cr_assert_eq(in.honeypot, 0);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, empty_strings_mean_absent)
{
	struct comment_input in;
	json_t              *o;

	o = parse(
	    "{\"post\": \"198\", \"body\": \"Hi\", \"author_name\": \"Bo\","
	    " \"post_title\": \"\", \"post_url\": \"\","
	    " \"author_email\": \"\", \"author_url\": \"\"}");
	accept(o, &in);
	cr_assert_str_eq(in.post_title, "");
	cr_assert_str_eq(in.post_url, "");
	cr_assert_null(in.author_email);
	cr_assert_null(in.author_url);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, required_fields)
{
	json_t *o;

	o = minimal();
	json_object_del(o, "post");
	refuse(o, "post", "required");

	o = minimal();
	json_object_set_new(o, "post", json_null());
	refuse(o, "post", "required");

	refuse_str("post", "", "post", "required");

	o = minimal();
	json_object_del(o, "body");
	refuse(o, "body", "required");

	o = minimal();
	json_object_set_new(o, "body", json_null());
	refuse(o, "body", "required");

	o = minimal();
	json_object_del(o, "author_name");
	refuse(o, "author_name", "required");

	refuse_str("author_name", "", "author_name", "required");
	refuse_str("author_name", "  \t ", "author_name", "required");

	/* An empty object: post is checked first. */
	refuse(json_object(), "post", "required");
}

Test(comment_input, blank_body_is_required)
{
	refuse_str("body", "", "body", "required");
	refuse_str("body", "   ", "body", "required");
	refuse_str("body", " \n\t\r\n ", "body", "required");
}

Test(comment_input, wrong_types)
{
	json_t *o;

	o = minimal();
	json_object_set_new(o, "body", json_integer(5));
	refuse(o, "body", "invalid_type");

	o = minimal();
	json_object_set_new(o, "post", json_integer(198));
	refuse(o, "post", "invalid_type");

	o = minimal();
	json_object_set_new(o, "author_name", json_true());
	refuse(o, "author_name", "invalid_type");

	o = minimal();
	json_object_set_new(o, "post_title", json_object());
	refuse(o, "post_title", "invalid_type");

	o = minimal();
	json_object_set_new(o, "post_url", json_integer(3));
	refuse(o, "post_url", "invalid_type");

	o = minimal();
	json_object_set_new(o, "author_email", json_integer(1));
	refuse(o, "author_email", "invalid_type");

	o = minimal();
	json_object_set_new(o, "author_url", json_array());
	refuse(o, "author_url", "invalid_type");
}

Test(comment_input, parent_id_values)
{
	struct comment_input in;
	json_t              *o;

	o = minimal();
	json_object_set_new(o, "parent_id", json_string("5"));
	refuse(o, "parent_id", "invalid_value");

	o = minimal();
	json_object_set_new(o, "parent_id", json_integer(0));
	refuse(o, "parent_id", "invalid_value");

	o = minimal();
	json_object_set_new(o, "parent_id", json_integer(-3));
	refuse(o, "parent_id", "invalid_value");

	o = minimal();
	json_object_set_new(o, "parent_id", json_real(1.5));
	refuse(o, "parent_id", "invalid_value");

	o = minimal();
	json_object_set_new(o, "parent_id", json_true());
	refuse(o, "parent_id", "invalid_value");

	o = minimal();
	json_object_set_new(o, "parent_id", json_integer(1));
	accept(o, &in);
	cr_assert_eq(in.parent_id, 1);
	comment_input_free(&in);
	json_decref(o);

	o = parse(
	    "{\"post\": \"198\", \"body\": \"Hi\", \"author_name\": \"Bo\","
	    " \"parent_id\": 9223372036854775807}");
	accept(o, &in);
	cr_assert_eq(in.parent_id, INT64_MAX);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, post_key_length)
{
	char *s;

	s = repeat("k", POST_KEY_MAX);
	accept_str("post", s);
	free(s);

	s = repeat("k", POST_KEY_MAX + 1);
	refuse_str("post", s, "post", "invalid_value");
	free(s);

	/* Bytes, not characters: 128 "é" are 256 bytes, 129 are 258. */
	s = repeat("\xc3\xa9", 128);
	accept_str("post", s);
	free(s);
	s = repeat("\xc3\xa9", 129);
	refuse_str("post", s, "post", "invalid_value");
	free(s);

	refuse_str("post", "a\x01", "post", "invalid_value");
	refuse_str("post", "a\nb", "post", "invalid_value");
}

Test(comment_input, title_length_in_characters)
{
	char *s;

	s = repeat("\xc3\xa9", POST_TITLE_MAX); /* 600 bytes */
	accept_str("post_title", s);
	free(s);

	s = repeat("\xc3\xa9", POST_TITLE_MAX + 1);
	refuse_str("post_title", s, "post_title", "invalid_value");
	free(s);

	s = repeat("t", POST_TITLE_MAX + 1);
	refuse_str("post_title", s, "post_title", "invalid_value");
	free(s);

	refuse_str("post_title", "Two\nlines", "post_title", "invalid_value");
}

Test(comment_input, post_url)
{
	accept_str("post_url", "http://blog.example/p/1");
	refuse_str("post_url", "javascript:alert(1)", "post_url",
	    "invalid_value");
	refuse_str("post_url", "/relative/path", "post_url", "invalid_value");
}

Test(comment_input, name_length_in_characters)
{
	struct comment_input in;
	json_t              *o;
	char                *s, *padded;

	s = repeat("\xc3\xa9", AUTHOR_NAME_MAX);
	accept_str("author_name", s);
	free(s);

	s = repeat("\xc3\xa9", AUTHOR_NAME_MAX + 1);
	refuse_str("author_name", s, "author_name", "invalid_value");
	free(s);

	s = repeat("n", AUTHOR_NAME_MAX + 1);
	refuse_str("author_name", s, "author_name", "invalid_value");
	free(s);

	/* Blanks around the name do not count. */
	s = repeat("n", AUTHOR_NAME_MAX);
	padded = malloc(strlen(s) + 5);
	cr_assert_not_null(padded);
	strcpy(padded, "  ");
	strcat(padded, s);
	strcat(padded, " \n");
	o = minimal();
	set_str(o, "author_name", padded);
	accept(o, &in);
	cr_assert_str_eq(in.author_name, s);
	comment_input_free(&in);
	json_decref(o);
	free(padded);
	free(s);
}

Test(comment_input, name_control_characters)
{
	refuse_str("author_name", "Ann\x01", "author_name", "invalid_value");
	refuse_str("author_name", "Ann\nReader", "author_name",
	    "invalid_value");
	refuse_str("author_name", "Ann\tReader", "author_name",
	    "invalid_value");
	refuse_str("author_name", "Ann\x7f", "author_name", "invalid_value");
	refuse_str("author_name", "\x1b[31mAnn", "author_name",
	    "invalid_value");
}

Test(comment_input, body_length_in_characters)
{
	struct comment_input in;
	json_t              *o;
	char                *s;

	s = repeat("\xc3\xbc", BODY_MAX); /* 20000 bytes */
	o = minimal();
	set_str(o, "body", s);
	accept(o, &in);
	cr_assert_eq(in.body_len, 2 * BODY_MAX);
	comment_input_free(&in);
	json_decref(o);
	free(s);

	s = repeat("\xc3\xbc", BODY_MAX + 1);
	refuse_str("body", s, "body", "too_long");
	free(s);

	s = repeat("b", BODY_MAX + 1);
	refuse_str("body", s, "body", "too_long");
	free(s);
}

Test(comment_input, body_control_characters)
{
	accept_str("body", "line one\nline two\r\n\tindented");
	refuse_str("body", "bell\x01", "body", "invalid_value");
	refuse_str("body", "\x01", "body", "invalid_value");
	refuse_str("body", "del\x7f", "body", "invalid_value");
	refuse_str("body", "esc\x1b[2J", "body", "invalid_value");
}

Test(comment_input, author_url)
{
	struct comment_input in;
	json_t              *o;

	refuse_str("author_url", "javascript:alert(1)", "author_url",
	    "invalid_value");
	refuse_str("author_url", "http://", "author_url", "invalid_value");
	refuse_str("author_url", "https://", "author_url", "invalid_value");
	refuse_str("author_url", "http://a.example/with space", "author_url",
	    "invalid_value");
	refuse_str("author_url", "ftp://a.example/", "author_url",
	    "invalid_value");
	refuse_str("author_url", "a.example", "author_url", "invalid_value");
	refuse_str("author_url", " https://a.example/", "author_url",
	    "invalid_value");

	o = minimal();
	set_str(o, "author_url", "HTTPS://A.example/path?q=1#f");
	accept(o, &in);
	cr_assert_str_eq(in.author_url, "HTTPS://A.example/path?q=1#f");
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, author_email)
{
	struct comment_input in;
	json_t              *o;
	char                *local, *s;

	refuse_str("author_email", "ann.example.com", "author_email",
	    "invalid_value");
	refuse_str("author_email", "ann@b@example.com", "author_email",
	    "invalid_value");
	refuse_str("author_email", "ann@localhost", "author_email",
	    "invalid_value");
	refuse_str("author_email", "ann @example.com", "author_email",
	    "invalid_value");
	refuse_str("author_email", "ann@example.com ", "author_email",
	    "invalid_value");
	refuse_str("author_email", "@example.com", "author_email",
	    "invalid_value");
	refuse_str("author_email", "ann@", "author_email", "invalid_value");
	refuse_str("author_email", "<ann@example.com>", "author_email",
	    "invalid_value");
	refuse_str("author_email", "\"ann\"@example.com", "author_email",
	    "invalid_value");

	o = minimal();
	set_str(o, "author_email", "a@b.co");
	accept(o, &in);
	cr_assert_str_eq(in.author_email, "a@b.co");
	comment_input_free(&in);
	json_decref(o);

	/* At most EMAIL_MAX bytes: 248 + "@b.co" is 254, one more is not. */
	local = repeat("a", EMAIL_MAX - 5);
	s = malloc(EMAIL_MAX + 2);
	cr_assert_not_null(s);
	strcpy(s, local);
	strcat(s, "@b.co");
	cr_assert_eq(strlen(s), EMAIL_MAX);
	accept_str("author_email", s);
	strcpy(s, local);
	strcat(s, "a@b.co");
	refuse_str("author_email", s, "author_email", "invalid_value");
	free(s);
	free(local);
}

Test(comment_input, honeypot)
{
	struct comment_input in;
	json_t              *o;

	o = minimal();
	set_str(o, "hp", "x");
	accept(o, &in);
	cr_assert_eq(in.honeypot, 1);
	comment_input_free(&in);
	json_decref(o);

	o = minimal();
	set_str(o, "hp", "");
	accept(o, &in);
	cr_assert_eq(in.honeypot, 0);
	comment_input_free(&in);
	json_decref(o);

	o = minimal();
	accept(o, &in);
	cr_assert_eq(in.honeypot, 0);
	comment_input_free(&in);
	json_decref(o);

	/* Bots fill fields blindly: any non-string, non-null value counts. */
	o = minimal();
	json_object_set_new(o, "hp", json_integer(0));
	accept(o, &in);
	cr_assert_eq(in.honeypot, 1);
	comment_input_free(&in);
	json_decref(o);

	o = minimal();
	json_object_set_new(o, "hp", json_null());
	accept(o, &in);
	cr_assert_eq(in.honeypot, 0);
	comment_input_free(&in);
	json_decref(o);
}

Test(comment_input, embedded_nul_refused)
{
	static const char *keys[] = {
		"post",
		"post_title",
		"post_url",
		"body",
		"author_name",
		"author_email",
		"author_url",
	};
	json_t *o;
	size_t  i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		o = minimal();
		cr_assert_eq(json_object_set_new(o, keys[i],
		                 json_stringn("ab\0cd", 5)),
		    0);
		refuse(o, keys[i], "invalid_value");
	}
	/* A trailing NUL too. */
	o = minimal();
	json_object_set_new(o, "body", json_stringn("Hi\0", 3));
	refuse(o, "body", "invalid_value");
}

Test(comment_input, body_parse)
{
	struct apierr e;
	const char   *body;
	size_t        len;
	json_t       *o;
	char         *s;

	o = parse("{\"body\": \"Some *text*\\n\", \"other\": 1}");
	cr_assert_eq(body_parse(o, &body, &len, &e), 0);
	cr_assert_str_eq(body, "Some *text*\n");
	cr_assert_eq(len, 12);
	json_decref(o);

	o = parse("{}");
	memset(&e, 0, sizeof(e));
	cr_assert_eq(body_parse(o, &body, &len, &e), -1);
	cr_assert_eq(e.status, 422);
	cr_assert_str_eq(e.code, "required");
	cr_assert_str_eq(e.field, "body");
	json_decref(o);

	o = parse("{\"body\": \" \\n \"}");
	memset(&e, 0, sizeof(e));
	cr_assert_eq(body_parse(o, &body, &len, &e), -1);
	cr_assert_str_eq(e.code, "required");
	json_decref(o);

	o = parse("{\"body\": [\"x\"]}");
	memset(&e, 0, sizeof(e));
	cr_assert_eq(body_parse(o, &body, &len, &e), -1);
	cr_assert_eq(e.status, 422);
	cr_assert_str_eq(e.code, "invalid_type");
	cr_assert_str_eq(e.field, "body");
	json_decref(o);

	o = parse("{\"body\": \"a\\u0001\"}");
	memset(&e, 0, sizeof(e));
	cr_assert_eq(body_parse(o, &body, &len, &e), -1);
	cr_assert_str_eq(e.code, "invalid_value");
	cr_assert_str_eq(e.field, "body");
	json_decref(o);

	o = parse("{\"body\": \"a\\u0000b\"}");
	memset(&e, 0, sizeof(e));
	cr_assert_eq(body_parse(o, &body, &len, &e), -1);
	cr_assert_str_eq(e.code, "invalid_value");
	cr_assert_str_eq(e.field, "body");
	json_decref(o);

	o = json_object();
	s = repeat("\xe2\x82\xac", BODY_MAX); /* 10000 "€" */
	set_str(o, "body", s);
	cr_assert_eq(body_parse(o, &body, &len, &e), 0);
	cr_assert_eq(len, 3 * BODY_MAX);
	free(s);
	s = repeat("\xe2\x82\xac", BODY_MAX + 1);
	set_str(o, "body", s);
	memset(&e, 0, sizeof(e));
	cr_assert_eq(body_parse(o, &body, &len, &e), -1);
	cr_assert_str_eq(e.code, "too_long");
	cr_assert_str_eq(e.field, "body");
	free(s);
	json_decref(o);
}

Test(comment_input, post_key_valid)
{
	char *s;

	cr_assert_eq(post_key_valid(NULL), 0);
	cr_assert_eq(post_key_valid(""), 0);
	cr_assert_eq(post_key_valid("198"), 1);
	cr_assert_eq(post_key_valid("/2018/03/getting-to-yes/"), 1);
	cr_assert_eq(post_key_valid("a key with spaces"), 1);
	cr_assert_eq(post_key_valid("caf\xc3\xa9"), 1);
	cr_assert_eq(post_key_valid("a\x01"), 0);
	cr_assert_eq(post_key_valid("a\tb"), 0);
	cr_assert_eq(post_key_valid("a\nb"), 0);
	cr_assert_eq(post_key_valid("a\x7f"), 0);
	cr_assert_eq(post_key_valid("caf\xc3"), 0, "truncated UTF-8 accepted");
	cr_assert_eq(post_key_valid("\xff"), 0, "invalid UTF-8 accepted");
	cr_assert_eq(post_key_valid("\xed\xa0\x80"), 0, "surrogate accepted");
	s = repeat("k", POST_KEY_MAX);
	cr_assert_eq(post_key_valid(s), 1);
	free(s);
	s = repeat("k", POST_KEY_MAX + 1);
	cr_assert_eq(post_key_valid(s), 0);
	free(s);
}

Test(comment_input, http_url_valid)
{
	char *s, *path;

	cr_assert_eq(http_url_valid("http://example.com"), 1);
	cr_assert_eq(http_url_valid("https://example.com/a?b=c&d=e#f"), 1);
	cr_assert_eq(http_url_valid("HTTP://EXAMPLE.COM/"), 1);
	cr_assert_eq(http_url_valid("hTtPs://example.com/"), 1);
	cr_assert_eq(http_url_valid("https://ab"), 1);
	cr_assert_eq(http_url_valid(""), 0);
	cr_assert_eq(http_url_valid("http://"), 0);
	cr_assert_eq(http_url_valid("https://"), 0);
	cr_assert_eq(http_url_valid("http:/example.com"), 0);
	cr_assert_eq(http_url_valid("http:///example.com"), 0, "no host");
	cr_assert_eq(http_url_valid("https:///"), 0, "no host");
	cr_assert_eq(http_url_valid("//example.com"), 0);
	cr_assert_eq(http_url_valid("ftp://example.com"), 0);
	cr_assert_eq(http_url_valid("javascript:alert(1)"), 0);
	cr_assert_eq(http_url_valid("javascript://example.com/%0aalert(1)"), 0);
	cr_assert_eq(http_url_valid(" http://example.com"), 0);
	cr_assert_eq(http_url_valid("http://example.com/a b"), 0);
	cr_assert_eq(http_url_valid("http://example.com/\t"), 0);
	cr_assert_eq(http_url_valid("http://example.com/\n"), 0);
	cr_assert_eq(http_url_valid("http://example.com/\x7f"), 0);

	/* URL_MAX bytes in all. */
	path = repeat("p", URL_MAX - strlen("https://x/"));
	s = malloc(URL_MAX + 2);
	cr_assert_not_null(s);
	strcpy(s, "https://x/");
	strcat(s, path);
	cr_assert_eq(strlen(s), URL_MAX);
	cr_assert_eq(http_url_valid(s), 1);
	strcat(s, "p");
	cr_assert_eq(http_url_valid(s), 0);
	free(s);
	free(path);
}

/*
 * "http://" plus a one-letter host is 8 bytes, the same as "https://"
 * alone; the length check refuses both.
 */
Test(comment_input, http_url_valid_one_letter_host)
{
	cr_expect_eq(http_url_valid("http://a"), 1, "\"http://a\" refused");
	cr_expect_eq(http_url_valid("https://a"), 1, "\"https://a\" refused");
}

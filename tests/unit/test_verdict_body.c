/*
 * Unit tests for app/verdict_body.c: the verdict hook's request body is
 * valid JSON with every field, escaped, for new comments and edits.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "buf.h"
#include "verdict_body.h"

TestSuite(verdict_body);

static json_t *
render(const struct verdict_comment *c)
{
	struct buf   b;
	json_t      *j;
	json_error_t err;

	buf_init(&b);
	verdict_body(&b, c);
	j = json_loadb(b.data, b.len, 0, &err);
	cr_assert_not_null(j, "not JSON: %s: %.*s", err.text, (int)b.len,
	    b.data);
	buf_free(&b);
	return (j);
}

Test(verdict_body, a_new_guest_comment)
{
	struct verdict_comment c = { .post = "198",
		.body = "a \"quote\"\n",
		.body_len = 10,
		.html = "<p>a &quot;quote&quot;</p>",
		.author_name = "Ann <b>",
		.author_email = "ann@example.org",
		.ip = "192.0.2.1",
		.created_at = "2026-12-06T10:00:00Z" };
	json_t                *j = render(&c), *cm;

	cr_assert_str_eq(json_string_value(json_object_get(j, "type")),
	    "comment.verdict");
	cm = json_object_get(json_object_get(j, "data"), "comment");
	cr_assert_str_eq(json_string_value(json_object_get(cm, "body")),
	    "a \"quote\"\n");
	cr_assert(json_is_null(json_object_get(cm, "parent_id")));
	cr_assert_str_eq(json_string_value(
	                     json_object_get(json_object_get(cm, "author"),
	                         "name")),
	    "Ann <b>");
	cr_assert(json_is_null(
	    json_object_get(json_object_get(cm, "author"), "url")));
	cr_assert(json_is_null(
	    json_object_get(json_object_get(cm, "author"), "user_id")));
	cr_assert_null(json_object_get(json_object_get(j, "data"), "edit"));
	json_decref(j);
}

Test(verdict_body, an_edit_names_its_comment)
{
	struct verdict_comment c = { .id = 42,
		.post = "p",
		.parent_id = 7,
		.body = "x",
		.body_len = 1,
		.html = "<p>x</p>",
		.author_name = "M",
		.user_id = 9,
		.created_at = "t" };
	json_t                *j = render(&c), *d;

	d = json_object_get(j, "data");
	cr_assert_eq(json_integer_value(
	                 json_object_get(json_object_get(d, "edit"), "id")),
	    42);
	cr_assert_eq(json_integer_value(
	                 json_object_get(json_object_get(d, "comment"),
	                     "parent_id")),
	    7);
	cr_assert_eq(json_integer_value(
	                 json_object_get(json_object_get(json_object_get(d,
	                                                     "comment"),
	                                     "author"),
	                     "user_id")),
	    9);
	json_decref(j);
}

/*
 * Unit tests for app/query.c: iterating over a query string's pairs,
 * percent-decoding, and query_get.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "query.h"

/* Advances it and expects the pair name=value (value_len bytes). */
static void
expect_pair(struct query_iter *it, const char *name, const char *value,
    size_t value_len)
{
	cr_assert_eq(query_iter_next(it), 1, "expected the pair %s=%s", name,
	    value);
	cr_assert_str_eq(it->name, name);
	cr_assert_eq(it->value_len, value_len);
	cr_assert_eq(memcmp(it->value, value, value_len + 1), 0,
	    "value: got \"%s\", want \"%s\"", it->value, value);
}

static void
expect_end(struct query_iter *it)
{
	cr_assert_eq(query_iter_next(it), 0);
	cr_assert_null(it->name);
	cr_assert_null(it->value);
	/* The end is sticky. */
	cr_assert_eq(query_iter_next(it), 0);
}

/* The whole string decodes to one malformed pair: -1 and nothing more. */
static void
expect_malformed(const char *qs)
{
	struct query_iter it;

	query_iter_init(&it, qs);
	cr_assert_eq(query_iter_next(&it), -1, "\"%s\" should be refused", qs);
	cr_assert_null(it.name);
	cr_assert_null(it.value);
	cr_assert_eq(query_iter_next(&it), 0,
	    "iteration must stop after an error in \"%s\"", qs);
	query_iter_free(&it);
}

Test(query, single_pair)
{
	struct query_iter it;

	query_iter_init(&it, "post=198");
	expect_pair(&it, "post", "198", 3);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, several_pairs_and_repeated_names_in_order)
{
	struct query_iter it;

	query_iter_init(&it, "a=1&b=2&a=3&c=&a=4");
	expect_pair(&it, "a", "1", 1);
	expect_pair(&it, "b", "2", 1);
	expect_pair(&it, "a", "3", 1);
	expect_pair(&it, "c", "", 0);
	expect_pair(&it, "a", "4", 1);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, plus_is_space)
{
	struct query_iter it;

	query_iter_init(&it, "q=hello+world+&my+name=x");
	expect_pair(&it, "q", "hello world ", 12);
	expect_pair(&it, "my name", "x", 1);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, percent_decoding)
{
	struct query_iter it;

	/* %2B is a literal '+', not a space; %26 and %3D are not separators. */
	query_iter_init(&it, "%41=%41b%2B%26%3D%25&k=%2F2018%2F03%2F");
	expect_pair(&it, "A", "Ab+&=%", 6);
	expect_pair(&it, "k", "/2018/03/", 9);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, hex_upper_and_lower_case)
{
	struct query_iter it;

	query_iter_init(&it, "u=%c3%a9&U=%C3%A9&m=%c3%A9");
	expect_pair(&it, "u", "\xc3\xa9", 2);
	expect_pair(&it, "U", "\xc3\xa9", 2);
	expect_pair(&it, "m", "\xc3\xa9", 2);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, high_byte_escape)
{
	struct query_iter it;

	query_iter_init(&it, "b=%FF%7f");
	expect_pair(&it, "b", "\xff\x7f", 2);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, empty_value)
{
	struct query_iter it;

	query_iter_init(&it, "a=");
	expect_pair(&it, "a", "", 0);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, name_without_equals_has_empty_value)
{
	struct query_iter it;

	query_iter_init(&it, "flag&b=2&last");
	expect_pair(&it, "flag", "", 0);
	expect_pair(&it, "b", "2", 1);
	expect_pair(&it, "last", "", 0);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, empty_name)
{
	struct query_iter it;

	query_iter_init(&it, "=v");
	expect_pair(&it, "", "v", 1);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, value_keeps_later_equals_signs)
{
	struct query_iter it;

	query_iter_init(&it, "a=b=c");
	expect_pair(&it, "a", "b=c", 3);
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, empty_pairs_are_skipped)
{
	struct query_iter it;

	query_iter_init(&it, "&&a=1&&b=2&&");
	expect_pair(&it, "a", "1", 1);
	expect_pair(&it, "b", "2", 1);
	expect_end(&it);
	query_iter_free(&it);

	query_iter_init(&it, "&");
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, null_and_empty_query_string)
{
	struct query_iter it;

	query_iter_init(&it, NULL);
	expect_end(&it);
	query_iter_free(&it);

	query_iter_init(&it, "");
	expect_end(&it);
	query_iter_free(&it);
}

Test(query, malformed_escapes_refused)
{
	expect_malformed("a=%");
	expect_malformed("a=%4");
	expect_malformed("a=%zz");
	expect_malformed("a=%4z");
	expect_malformed("a=%z4");
	expect_malformed("a=x%");
	expect_malformed("a=%%41");
	expect_malformed("%=1");
	expect_malformed("%4=1");
	expect_malformed("%g1=1");
	expect_malformed("a%");
}

Test(query, nul_escape_refused)
{
	expect_malformed("a=%00");
	expect_malformed("a=x%00y");
	expect_malformed("%00=1");
}

Test(query, error_after_good_pairs_stops_iteration)
{
	struct query_iter it;

	query_iter_init(&it, "a=1&b=%zz&c=3");
	expect_pair(&it, "a", "1", 1);
	cr_assert_eq(query_iter_next(&it), -1);
	cr_assert_null(it.name);
	cr_assert_null(it.value);
	cr_assert_eq(query_iter_next(&it), 0, "no pair after a malformed one");
	query_iter_free(&it);
}

Test(query, escape_at_the_very_end_of_a_pair)
{
	struct query_iter it;

	/* "%41" ends exactly at the '&': all three bytes belong to the pair. */
	query_iter_init(&it, "a=%41&b=%42");
	expect_pair(&it, "a", "A", 1);
	expect_pair(&it, "b", "B", 1);
	expect_end(&it);
	query_iter_free(&it);

	/* "%4" cut by the '&' must not borrow the next pair's bytes. */
	query_iter_init(&it, "a=%4&1=x");
	cr_assert_eq(query_iter_next(&it), -1);
	query_iter_free(&it);
}

Test(query, free_is_idempotent)
{
	struct query_iter it;

	query_iter_init(&it, "a=1&b=2");
	expect_pair(&it, "a", "1", 1);
	query_iter_free(&it);
	cr_assert_null(it.name);
	cr_assert_null(it.value);
	query_iter_free(&it);
}

Test(query, get_returns_first_value)
{
	char *v;
	int   bad = 42;

	v = query_get("sort=top&post=%2Fa+b&post=second", "post", &bad);
	cr_assert_eq(bad, 0);
	cr_assert_not_null(v);
	cr_assert_str_eq(v, "/a b");
	free(v);

	v = query_get("sort=top&post=x", "sort", &bad);
	cr_assert_eq(bad, 0);
	cr_assert_str_eq(v, "top");
	free(v);
}

Test(query, get_empty_and_valueless)
{
	char *v;
	int   bad = 42;

	v = query_get("a=&b", "a", &bad);
	cr_assert_eq(bad, 0);
	cr_assert_not_null(v);
	cr_assert_str_eq(v, "");
	free(v);

	v = query_get("a=&b", "b", &bad);
	cr_assert_eq(bad, 0);
	cr_assert_not_null(v);
	cr_assert_str_eq(v, "");
	free(v);
}

Test(query, get_absent_is_null)
{
	int bad = 42;

	cr_assert_null(query_get("a=1&b=2", "c", &bad));
	cr_assert_eq(bad, 0);
	/* Names match exactly, not by prefix or case. */
	cr_assert_null(query_get("ab=1&A=2", "a", &bad));
	cr_assert_eq(bad, 0);
	cr_assert_null(query_get(NULL, "a", &bad));
	cr_assert_eq(bad, 0);
	cr_assert_null(query_get("", "a", &bad));
	cr_assert_eq(bad, 0);
}

Test(query, get_sets_bad_on_malformed)
{
	int bad = 0;

	/* The malformed pair comes before the name: not found, and bad. */
	cr_assert_null(query_get("x=%zz&a=1", "a", &bad));
	cr_assert_eq(bad, 1);

	bad = 0;
	cr_assert_null(query_get("a=%00", "a", &bad));
	cr_assert_eq(bad, 1);

	bad = 0;
	cr_assert_null(query_get("b=1&a=%4", "a", &bad));
	cr_assert_eq(bad, 1);
}

Test(query, get_resets_bad)
{
	char *v;
	int   bad = 1;

	v = query_get("a=1", "a", &bad);
	cr_assert_eq(bad, 0);
	cr_assert_str_eq(v, "1");
	free(v);
}

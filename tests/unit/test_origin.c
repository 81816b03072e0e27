/*
 * Unit tests for app/origin.c: origins are written as browsers send them
 * (lower case, default ports dropped, no path), anything else is refused,
 * and the allowed_origins setting parses whole or not at all.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "apierr.h"
#include "origin.h"

TestSuite(origin);

static void
canonical(const char *in, const char *want)
{
	char        out[ORIGIN_MAX + 1];
	const char *why = NULL;

	cr_assert_eq(origin_normalize(in, out, &why), 0, "%s refused: %s", in,
	    why ? why : "");
	cr_assert_str_eq(out, want, "%s gave %s, not %s", in, out, want);
}

static void
refused(const char *in, const char *why_part)
{
	char        out[ORIGIN_MAX + 1];
	const char *why = NULL;

	cr_assert_eq(origin_normalize(in, out, &why), -1, "%s accepted", in);
	cr_assert_not_null(why);
	cr_assert(strstr(why, why_part) != NULL, "%s: %s", in, why);
}

Test(origin, as_browsers_send_it)
{
	canonical("https://blog.example.org", "https://blog.example.org");
	canonical("HTTPS://Blog.Example.ORG/", "https://blog.example.org");
	canonical("https://blog.example.org:443", "https://blog.example.org");
	canonical("http://blog.example.org:80", "http://blog.example.org");
	canonical("http://blog.example.org:443", "http://blog.example.org:443");
	canonical("https://blog.example.org:8443",
	    "https://blog.example.org:8443");
	canonical("http://127.0.0.1:8080", "http://127.0.0.1:8080");
	canonical("http://[::1]:8080", "http://[::1]:8080");
	canonical("https://[2001:DB8::1]", "https://[2001:db8::1]");
	canonical("http://localhost", "http://localhost");
	canonical("https://xn--bcher-kva.example",
	    "https://xn--bcher-kva.example");
}

Test(origin, refuses_what_is_not_an_origin)
{
	refused("blog.example.org", "http://");
	refused("ftp://blog.example.org", "http://");
	refused("null", "http://");
	refused("javascript://x", "http://");
	refused("https://", "host");
	refused("https://blog.example.org/path", "no path");
	refused("https://blog.example.org//", "no path");
	refused("https://blog.example.org?x=1", "no path");
	refused("https://blog.example.org#top", "no path");
	refused("https://user@blog.example.org", "no path");
	refused("https://blog.example.org:0", "port");
	refused("https://blog.example.org:65536", "port");
	refused("https://blog.example.org:", "port");
	refused("https://blog.example.org:8o", "port");
	refused("https://blog..example.org", "host");
	refused("https://.example.org", "host");
	refused("https://-blog.example.org", "host");
	refused("https://blog-.example.org", "host");
	refused("https://bl og.example.org", "host");
	refused("https://bücher.example", "xn--");
	refused("https://[::g]", "host");
	refused("https://[::1", "host");
	refused("https://a<b>.example", "host");
}

Test(origin, refuses_overlong_names)
{
	char in[400];

	strcpy(in, "https://");
	memset(in + 8, 'a', 64);
	strcpy(in + 72, ".example");
	refused(in, "host"); /* a 64-byte label */
	memset(in + 8, 'a', 63);
	in[71] = '.';
	memset(in + 72, 'b', 63);
	strcpy(in + 135, ".example");
	refused(in, "host"); /* over ORIGIN_MAX */
}

static int
parse(const char *text, struct origin_list *l, struct apierr *e)
{
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	int     rc;

	cr_assert_not_null(j, "bad test JSON: %s", text);
	memset(e, 0, sizeof(*e));
	rc = origin_list_parse(j, "allowed_origins", l, e);
	json_decref(j);
	return (rc);
}

Test(origin, list_is_normalised_without_repeats)
{
	struct origin_list l;
	struct apierr      e;
	json_t            *j;
	char              *text;

	cr_assert_eq(
	    parse(
	        "[\"https://Blog.example.org/\","
	        " \"https://blog.example.org:443\", \"http://127.0.0.1:8080\"]",
	        &l, &e),
	    0);
	cr_assert_eq(l.n, 2);
	cr_assert(origin_list_has(&l, "https://blog.example.org"));
	cr_assert(origin_list_has(&l, "http://127.0.0.1:8080"));
	cr_assert_not(origin_list_has(&l, "https://evil.example"));
	j = origin_list_json(&l);
	text = json_dumps(j, JSON_COMPACT);
	cr_assert_str_eq(text,
	    "[\"https://blog.example.org\",\"http://127.0.0.1:8080\"]");
	free(text);
	json_decref(j);
	origin_list_free(&l);
	cr_assert_eq(l.n, 0);
}

Test(origin, list_refused_whole_naming_the_field)
{
	struct origin_list l;
	struct apierr      e;
	char               big[4096];
	size_t             i, n;

	l.n = 7; /* untouched on failure */
	cr_assert_eq(parse("[\"https://ok.example\", \"https://x/y\"]", &l, &e),
	    -1);
	cr_assert_eq(l.n, 7);
	cr_assert_eq(e.status, 422);
	cr_assert_str_eq(e.code, "invalid_value");
	cr_assert_str_eq(e.field, "allowed_origins");
	cr_assert_eq(parse("\"https://ok.example\"", &l, &e), -1);
	cr_assert_eq(parse("[1]", &l, &e), -1);
	cr_assert_eq(parse("[\"https://a\\u0000b.example\"]", &l, &e), -1);
	/* 51 origins: one too many. */
	n = 0;
	n += snprintf(big + n, sizeof(big) - n, "[");
	for (i = 0; i < 51; i++)
		n += snprintf(big + n, sizeof(big) - n,
		    "%s\"https://s%zu.example\"", i ? "," : "", i);
	snprintf(big + n, sizeof(big) - n, "]");
	cr_assert_eq(parse(big, &l, &e), -1);
	cr_assert(strstr(e.message, "50") != NULL);
	cr_assert_eq(l.n, 7);
}

Test(origin, of_a_url)
{
	char out[ORIGIN_MAX + 1];

	cr_assert_eq(origin_of_url("https://Blog.example.org/2018/03/x?y#z",
	                 out),
	    0);
	cr_assert_str_eq(out, "https://blog.example.org");
	cr_assert_eq(origin_of_url("http://127.0.0.1:8080", out), 0);
	cr_assert_str_eq(out, "http://127.0.0.1:8080");
	cr_assert_eq(origin_of_url("https://blog.example.org:443?q", out), 0);
	cr_assert_str_eq(out, "https://blog.example.org");
	cr_assert_eq(origin_of_url("https://user:pw@evil.example/", out), -1);
	cr_assert_eq(origin_of_url("javascript:alert(1)", out), -1);
	cr_assert_eq(origin_of_url("/relative/path", out), -1);
	cr_assert_eq(origin_of_url("", out), -1);
}

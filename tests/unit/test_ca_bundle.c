/*
 * Unit tests for app/ca_bundle.c: the CA bundle read before the chroot.
 * (That libcurl trusts it, in the sandbox, is tests/integration/
 * hooks_tls.test.js's to show.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "ca_bundle.h"

#define CERT(x) "-----BEGIN CERTIFICATE-----\n" x "\n-----END CERTIFICATE-----"

static char dir[] = "/tmp/parley-ca-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	ca_bundle_clear();
}

static void
teardown(void)
{
	char cmd[128];

	ca_bundle_clear();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

TestSuite(ca_bundle, .init = setup, .fini = teardown);

/* Writes text to dir/name; returns the path (static). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE       *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
	return (path);
}

Test(ca_bundle, counts_the_certificates_of_each_file)
{
	char err[256];

	cr_assert_eq(ca_bundle_count(), 0);
	cr_assert_eq(ca_bundle_add_file(write_file("two.pem",
	                                    "# a comment\n" CERT(
	                                        "AAAA") "\n" CERT("BBBB") "\n"),
	                 err, sizeof(err)),
	    2, "%s", err);
	cr_assert_eq(ca_bundle_add_file(write_file("one.pem", CERT("CCCC")),
	                 err, sizeof(err)),
	    1, "%s", err);
	cr_assert_eq(ca_bundle_count(), 3);
	ca_bundle_clear();
	cr_assert_eq(ca_bundle_count(), 0);
}

Test(ca_bundle, files_without_certificates_are_refused)
{
	char err[256];

	cr_assert_eq(
	    ca_bundle_add_file(
	        write_file("key.pem",
	            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
	        err, sizeof(err)),
	    -1);
	cr_assert_not_null(strstr(err, "key.pem"), "%s", err);
	cr_assert_not_null(strstr(err, "no PEM certificate"), "%s", err);
	cr_assert_eq(ca_bundle_add_file(write_file("empty.pem", ""), err,
	                 sizeof(err)),
	    -1);
	cr_assert_eq(ca_bundle_count(), 0);
}

Test(ca_bundle, unreadable_files_say_why)
{
	char err[256], path[256];

	(void)snprintf(path, sizeof(path), "%s/missing.pem", dir);
	cr_assert_eq(ca_bundle_add_file(path, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "missing.pem: No such file"), "%s", err);
	cr_assert_eq(ca_bundle_add_file(dir, err, sizeof(err)), -1,
	    "a directory");
	cr_assert_eq(ca_bundle_count(), 0);
}

Test(ca_bundle, a_file_without_a_last_newline_does_not_join_the_next)
{
	const char *a = CERT("AAAA"), *b = CERT("BBBB") "\n", *text;
	char        err[256];
	size_t      len;

	cr_assert_eq(ca_bundle_add_pem(a, strlen(a), "a", err, sizeof(err)), 1);
	cr_assert_eq(ca_bundle_add_pem(b, strlen(b), "b", err, sizeof(err)), 1);
	cr_assert_eq(ca_bundle_count(), 2);
	text = ca_bundle_text(&len);
	cr_assert_eq(len, strlen(text));
	cr_assert_str_eq(text, CERT("AAAA") "\n" CERT("BBBB") "\n");
}

Test(ca_bundle, the_system_path_is_libcurls_default_or_debians)
{
	const char *p;

	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	p = ca_bundle_system_path();
	cr_assert(p != NULL && p[0] == '/', "%s", p);
	cr_assert_str_eq(ca_bundle_system_path(), p, "the same every time");
	if (access(CA_BUNDLE_SYSTEM, R_OK) == 0)
		cr_assert_str_eq(p, CA_BUNDLE_SYSTEM);
	curl_global_cleanup();
}

Test(ca_bundle, apply_takes_an_empty_or_a_full_bundle)
{
	const char *a = CERT("AAAA");
	char        err[256];
	CURL       *h;

	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	cr_assert_eq(ca_bundle_check(err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(h = curl_easy_init());
	cr_assert_eq(ca_bundle_apply(h), 0);
	cr_assert_eq(ca_bundle_add_pem(a, strlen(a), "a", err, sizeof(err)), 1);
	cr_assert_eq(ca_bundle_apply(h), 0);
	curl_easy_cleanup(h);
	curl_global_cleanup();
}

/*
 * Unit tests for app/account_input.c: the password an account's erasure
 * (DELETE /api/v1/me) takes from the X-Parley-Password header.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "account_input.h"
#include "apierr.h"
#include "password.h"

Test(account_input, erase_password_is_percent_decoded)
{
	struct account_input in;
	struct apierr        e;

	/* encodeURIComponent("pässwörd +x&y=z%") */
	cr_assert_eq(account_erase_parse("p%C3%A4ssw%C3%B6rd%20%2Bx%26y%3Dz%25",
	                 &in, &e),
	    0);
	cr_assert_str_eq(in.password, "p\xc3\xa4ssw\xc3\xb6rd +x&y=z%");
	cr_assert_eq(in.password_len, strlen("p\xc3\xa4ssw\xc3\xb6rd +x&y=z%"));
	account_input_free(&in);
	cr_assert_null(in.decoded);
}

Test(account_input, erase_password_missing_or_malformed_is_refused)
{
	struct account_input in;
	struct apierr        e;

	cr_assert_eq(account_erase_parse(NULL, &in, &e), -1);
	cr_assert_eq(e.status, 422);
	cr_assert_str_eq(e.code, "required");
	cr_assert_str_eq(e.field, "password");
	account_input_free(&in);
	cr_assert_eq(account_erase_parse("", &in, &e), -1);
	account_input_free(&in);
	/* A NUL byte after decoding. */
	cr_assert_eq(account_erase_parse("a%00b", &in, &e), -1);
	cr_assert_str_eq(e.code, "invalid_value");
	account_input_free(&in);
}

Test(account_input, erase_password_too_long_is_refused)
{
	struct account_input in;
	struct apierr        e;
	char                *p = malloc(PASSWORD_MAX_BYTES + 2);

	memset(p, 'a', PASSWORD_MAX_BYTES + 1);
	p[PASSWORD_MAX_BYTES + 1] = '\0';
	cr_assert_eq(account_erase_parse(p, &in, &e), -1);
	cr_assert_str_eq(e.code, "too_long");
	account_input_free(&in);
	free(p);
}

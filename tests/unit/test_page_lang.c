/*
 * The thread page's languages and dates.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "page_lang.h"

static char *
date(const char *tag, const char *at)
{
	struct buf b;

	buf_init(&b);
	page_lang_date(&b, page_lang_find(tag), at);
	return (buf_release(&b, NULL));
}

Test(page_lang, find)
{
	cr_assert_str_eq(page_lang_find(NULL)->code, "en");
	cr_assert_str_eq(page_lang_find("")->code, "en");
	cr_assert_str_eq(page_lang_find("de")->code, "de");
	cr_assert_str_eq(page_lang_find("de-CH")->code, "de");
	cr_assert_str_eq(page_lang_find("FR")->code, "fr");
	cr_assert_str_eq(page_lang_find("fr_CA")->code, "fr");
	cr_assert_str_eq(page_lang_find("def")->code, "en");
	cr_assert_str_eq(page_lang_find("es")->code, "en");
}

Test(page_lang, dates)
{
	struct {
		const char *tag, *at, *want;
	} cases[] = {
		{ "en", "2026-12-06T16:05:09Z", "December 6, 2026, 16:05 UTC" },
		{ "de", "2026-03-01T07:00:00Z", "1. März 2026, 07:00 UTC" },
		{ "fr", "2026-08-15T23:59:59Z", "15 août 2026 à 23:59 UTC" },
		/* Not what the API writes: shown as it came. */
		{ "en", "2026-13-01T00:00:00Z", "2026-13-01T00:00:00Z" },
		{ "en", "2026-12-06T16:05:09Z trailing",
		    "2026-12-06T16:05:09Z trailing" },
		{ "en", "", "" },
	};
	size_t i;
	char  *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = date(cases[i].tag, cases[i].at);
		cr_assert_str_eq(got, cases[i].want, "%s %s", cases[i].tag,
		    cases[i].at);
		free(got);
	}
}

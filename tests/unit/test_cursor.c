/*
 * Unit tests for app/cursor.c: the sort names and the opaque paging cursor,
 * base64url (no padding) over "tag.score.created_us.id".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "cursor.h"

static void
cursor_setup(void)
{
	cr_assert_geq(sodium_init(), 0, "sodium_init failed");
}

TestSuite(cursor, .init = cursor_setup);

/* Encodes n bytes of plaintext the way cursors are, into out. */
static void
craft_n(const char *plain, size_t n, char out[CURSOR_MAX * 2])
{
	cr_assert_lt(sodium_base64_ENCODED_LEN(n,
	                 sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	    (size_t)CURSOR_MAX * 2);
	sodium_bin2base64(out, CURSOR_MAX * 2, (const unsigned char *)plain, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void
craft(const char *plain, char out[CURSOR_MAX * 2])
{
	craft_n(plain, strlen(plain), out);
}

/* The plaintext, encoded, must not decode for sort. */
static void
refuse_plain(const char *plain, enum thread_sort sort)
{
	char          text[CURSOR_MAX * 2];
	struct cursor c;

	craft(plain, text);
	cr_assert_eq(cursor_decode(text, sort, &c), -1,
	    "plaintext \"%s\" (%s) should be refused", plain, text);
}

static void
refuse_text(const char *text, enum thread_sort sort)
{
	struct cursor c;

	cr_assert_eq(cursor_decode(text, sort, &c), -1,
	    "text \"%s\" should be refused", text);
}

static void
round_trip(enum thread_sort sort, int64_t score, int64_t created_us, int64_t id)
{
	struct cursor in, out;
	char          text[CURSOR_MAX];
	size_t        i, n;

	memset(&in, 0, sizeof(in));
	in.sort = sort;
	in.score = score;
	in.created_us = created_us;
	in.id = id;
	memset(text, 'X', sizeof(text));
	cursor_encode(&in, text);
	n = strnlen(text, sizeof(text));
	cr_assert_lt(n, (size_t)CURSOR_MAX, "cursor not NUL-terminated");
	cr_assert_gt(n, 0);
	for (i = 0; i < n; i++) {
		cr_assert((text[i] >= 'A' && text[i] <= 'Z') ||
		        (text[i] >= 'a' && text[i] <= 'z') ||
		        (text[i] >= '0' && text[i] <= '9') || text[i] == '-' ||
		        text[i] == '_',
		    "byte %zu of \"%s\" is not base64url", i, text);
	}

	memset(&out, 0x5a, sizeof(out));
	cr_assert_eq(cursor_decode(text, sort, &out), 0,
	    "cursor \"%s\" does not decode", text);
	cr_assert_eq(out.sort, sort);
	cr_assert_eq(out.score, score);
	cr_assert_eq(out.created_us, created_us);
	cr_assert_eq(out.id, id);
}

Test(cursor, sort_parse)
{
	enum thread_sort s;

	s = SORT_TOP;
	cr_assert_eq(cursor_sort_parse(NULL, &s), 0);
	cr_assert_eq(s, SORT_OLDEST);
	s = SORT_TOP;
	cr_assert_eq(cursor_sort_parse("oldest", &s), 0);
	cr_assert_eq(s, SORT_OLDEST);
	cr_assert_eq(cursor_sort_parse("newest", &s), 0);
	cr_assert_eq(s, SORT_NEWEST);
	cr_assert_eq(cursor_sort_parse("top", &s), 0);
	cr_assert_eq(s, SORT_TOP);
}

Test(cursor, sort_parse_refuses_others)
{
	static const char *bad[] = {
		"",
		"Oldest",
		"TOP",
		"old",
		"oldest ",
		" top",
		"best",
		"newest\n",
		"topp",
	};
	enum thread_sort s;
	size_t           i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(cursor_sort_parse(bad[i], &s), -1,
		    "\"%s\" should not be a sort", bad[i]);
}

Test(cursor, encode_format)
{
	struct cursor c = { .sort = SORT_OLDEST,
		.score = 0,
		.created_us = 1,
		.id = 2 };
	char          text[CURSOR_MAX];

	/* base64url("o.0.1.2") without padding */
	cursor_encode(&c, text);
	cr_assert_str_eq(text, "by4wLjEuMg");

	c.sort = SORT_NEWEST;
	cursor_encode(&c, text);
	cr_assert_str_eq(text, "bi4wLjEuMg");

	/* base64url("t.-5.1700000000000000.9223372036854775807") */
	c.sort = SORT_TOP;
	c.score = -5;
	c.created_us = 1700000000000000;
	c.id = INT64_MAX;
	cursor_encode(&c, text);
	cr_assert_str_eq(text,
	    "dC4tNS4xNzAwMDAwMDAwMDAwMDAwLjkyMjMzNzIwMzY4NTQ3NzU4MDc");
}

Test(cursor, round_trip_oldest)
{
	round_trip(SORT_OLDEST, 0, 1700000000123456, 1);
	round_trip(SORT_OLDEST, 7, 0, 42);
}

Test(cursor, round_trip_newest)
{
	round_trip(SORT_NEWEST, 0, 1700000000123456, 123456789);
	round_trip(SORT_NEWEST, 0, -1, 1);
}

Test(cursor, round_trip_top_with_negative_score)
{
	round_trip(SORT_TOP, -3, 1700000000123456, 17);
	round_trip(SORT_TOP, 1000000, 1700000000123456, 18);
}

Test(cursor, round_trip_extremes)
{
	/* The longest plaintext there is: every field 20 characters. */
	round_trip(SORT_TOP, INT64_MIN, INT64_MIN, INT64_MAX);
	round_trip(SORT_OLDEST, INT64_MAX, INT64_MAX, INT64_MAX);
	round_trip(SORT_NEWEST, INT64_MIN, INT64_MAX, 9007199254740993LL);
}

Test(cursor, refuses_other_sort)
{
	struct cursor    c = { .sort = SORT_OLDEST,
		   .score = 3,
		   .created_us = 1700000000000000,
		   .id = 5 };
	struct cursor    out;
	char             text[CURSOR_MAX];
	enum thread_sort made, other;

	for (made = SORT_OLDEST; made <= SORT_TOP; made++) {
		c.sort = made;
		cursor_encode(&c, text);
		cr_assert_eq(cursor_decode(text, made, &out), 0);
		for (other = SORT_OLDEST; other <= SORT_TOP; other++) {
			if (other == made)
				continue;
			cr_assert_eq(cursor_decode(text, other, &out), -1,
			    "a cursor for sort %d decoded for sort %d",
			    (int)made, (int)other);
		}
	}
}

Test(cursor, accepts_hand_made)
{
	char          text[CURSOR_MAX * 2];
	struct cursor c;

	craft("t.-3.17.42", text);
	cr_assert_eq(cursor_decode(text, SORT_TOP, &c), 0);
	cr_assert_eq(c.sort, SORT_TOP);
	cr_assert_eq(c.score, -3);
	cr_assert_eq(c.created_us, 17);
	cr_assert_eq(c.id, 42);

	craft("n.0.-1700000000000000.1", text);
	cr_assert_eq(cursor_decode(text, SORT_NEWEST, &c), 0);
	cr_assert_eq(c.sort, SORT_NEWEST);
	cr_assert_eq(c.created_us, -1700000000000000);
	cr_assert_eq(c.id, 1);
}

Test(cursor, refuses_null_empty_and_garbage)
{
	struct cursor c;

	cr_assert_eq(cursor_decode(NULL, SORT_OLDEST, &c), -1);
	refuse_text("", SORT_OLDEST);
	refuse_text("not a cursor", SORT_OLDEST);
	refuse_text("!!!!", SORT_OLDEST);
	refuse_text("A", SORT_OLDEST); /* impossible length */
	refuse_text("AAAA", SORT_OLDEST); /* three NUL bytes */
	refuse_text("by4wLjEuMg.", SORT_OLDEST);
	refuse_text("%62y4wLjEuMg", SORT_OLDEST);
}

Test(cursor, refuses_non_base64url_characters)
{
	/* "by4wLjEuMg" is a good oldest cursor; spoil one character. */
	refuse_text("by4w+jEuMg", SORT_OLDEST);
	refuse_text("by4w/jEuMg", SORT_OLDEST);
	refuse_text("by4w jEuMg", SORT_OLDEST);
	refuse_text("by4wLjEuMg ", SORT_OLDEST);
	refuse_text(" by4wLjEuMg", SORT_OLDEST);
	refuse_text("by4wLjEuMg\n", SORT_OLDEST);
	refuse_text("by4w\xc3\xa9jEuMg", SORT_OLDEST);
}

Test(cursor, refuses_padding)
{
	struct cursor c;

	cr_assert_eq(cursor_decode("by4wLjEuMg", SORT_OLDEST, &c), 0);
	refuse_text("by4wLjEuMg==", SORT_OLDEST);
	refuse_text("by4wLjEuMg=", SORT_OLDEST);
}

Test(cursor, refuses_non_canonical_trailing_bits)
{
	/* 'g' carries two bits and four zero bits; 'h' sets one of those. */
	refuse_text("by4wLjEuMh", SORT_OLDEST);
}

Test(cursor, length_bound)
{
	char          plain[128], text[CURSOR_MAX * 2];
	char          big[300];
	struct cursor c;
	int           n;

	/*
	 * 71 bytes of plaintext encode to 95 characters, the longest cursor
	 * that fits CURSOR_MAX with its NUL: accepted. Each field stays
	 * under parse_i64's 24-byte bound thanks to leading zeros.
	 */
	n = snprintf(plain, sizeof(plain), "o.%s.%s.%s",
	    "00000000000000000000005", "00000000000000000000006",
	    "000000000000000000007");
	cr_assert_eq(n, 71);
	craft(plain, text);
	cr_assert_eq(strlen(text), (size_t)CURSOR_MAX - 1);
	cr_assert_eq(cursor_decode(text, SORT_OLDEST, &c), 0);
	cr_assert_eq(c.score, 5);
	cr_assert_eq(c.created_us, 6);
	cr_assert_eq(c.id, 7);

	/* One byte more gives 96 characters: refused. */
	n = snprintf(plain, sizeof(plain), "o.%s.%s.%s",
	    "00000000000000000000005", "00000000000000000000006",
	    "0000000000000000000007");
	cr_assert_eq(n, 72);
	craft(plain, text);
	cr_assert_eq(strlen(text), (size_t)CURSOR_MAX);
	refuse_text(text, SORT_OLDEST);

	/* And a long run of valid characters. */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refuse_text(big, SORT_OLDEST);
}

Test(cursor, refuses_wrong_shape)
{
	refuse_plain("o.1.2.3.4", SORT_OLDEST); /* extra field */
	refuse_plain("o.1.2.3.", SORT_OLDEST);
	refuse_plain("o.1.2", SORT_OLDEST); /* missing field */
	refuse_plain("o.1", SORT_OLDEST);
	refuse_plain("o.", SORT_OLDEST);
	refuse_plain("o", SORT_OLDEST);
	refuse_plain("o..1.2", SORT_OLDEST); /* empty field */
	refuse_plain("o.0..2", SORT_OLDEST);
	refuse_plain("o.0.1.", SORT_OLDEST);
	refuse_plain("o,0.1.2", SORT_OLDEST); /* no dot after the tag */
	refuse_plain("oo.0.1.2", SORT_OLDEST);
	refuse_plain("x.0.1.2", SORT_OLDEST); /* unknown tag */
	refuse_plain("O.0.1.2", SORT_OLDEST);
	refuse_plain("T.0.1.2", SORT_TOP);
	refuse_plain(".0.1.2", SORT_OLDEST);
}

Test(cursor, refuses_id_not_positive)
{
	refuse_plain("o.0.1.0", SORT_OLDEST);
	refuse_plain("o.0.1.-5", SORT_OLDEST);
	refuse_plain("t.0.1.-9223372036854775808", SORT_TOP);
}

Test(cursor, refuses_non_digit_numbers)
{
	refuse_plain("o.x.1.2", SORT_OLDEST);
	refuse_plain("o.0.1.2a", SORT_OLDEST);
	refuse_plain("o.0.1a.2", SORT_OLDEST);
	refuse_plain("o.0.+1.2", SORT_OLDEST);
	refuse_plain("o.0. 1.2", SORT_OLDEST);
	refuse_plain("o.0.1 .2", SORT_OLDEST);
	refuse_plain("o.0.1.2 ", SORT_OLDEST);
	refuse_plain("o.0.1.0x10", SORT_OLDEST);
	refuse_plain("o.0.1.1e3", SORT_OLDEST);
	refuse_plain("o.-.1.2", SORT_OLDEST);
	refuse_plain("o.0.--1.2", SORT_OLDEST);
	refuse_plain("o.0.-+1.2", SORT_OLDEST);
	refuse_plain("o.0.- 1.2", SORT_OLDEST);
	refuse_plain("t.\t1.1.2", SORT_TOP);
	refuse_plain("t.1.5.\xd9\xa3", SORT_TOP); /* Arabic-Indic 3 */
}

Test(cursor, refuses_out_of_range_numbers)
{
	refuse_plain("o.0.9223372036854775808.2", SORT_OLDEST);
	refuse_plain("o.0.1.9223372036854775808", SORT_OLDEST);
	refuse_plain("t.-9223372036854775809.1.2", SORT_TOP);
	refuse_plain("o.0.99999999999999999999999.2", SORT_OLDEST);
	/* 24 digits: longer than any int64 needs, even with zeros. */
	refuse_plain("o.0.1.000000000000000000000007", SORT_OLDEST);
}

Test(cursor, refuses_embedded_nul)
{
	char          text[CURSOR_MAX * 2];
	struct cursor c;

	craft_n("o.0.1.2\0", 8, text);
	cr_assert_eq(cursor_decode(text, SORT_OLDEST, &c), -1,
	    "trailing NUL accepted");
	craft_n("o.0\0.1.2", 8, text);
	cr_assert_eq(cursor_decode(text, SORT_OLDEST, &c), -1,
	    "NUL inside a field accepted");
	craft_n("\0o.0.1.2", 8, text);
	cr_assert_eq(cursor_decode(text, SORT_OLDEST, &c), -1,
	    "leading NUL accepted");
	craft_n("o.0.1.2\0"
	        "9",
	    9, text);
	cr_assert_eq(cursor_decode(text, SORT_OLDEST, &c), -1,
	    "NUL before extra digits accepted");
}

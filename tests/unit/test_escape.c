/*
 * Unit tests for app/escape.c: exact output for the HTML and JSON
 * escapers, then a round trip of escape_json() output through jansson
 * for fixed and seeded random inputs; the text cleaner's each rule, and
 * its contract over seeded random bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <unistr.h>

#include "buf.h"
#include "escape.h"

#define FFFD "\\ufffd"

static char    *html(const char *, size_t);
static char    *json(const char *, size_t, size_t *);
static void     expect_html(const char *, const char *);
static void     expect_json(const char *, size_t, const char *);
static int      only_fffd(const char *);
static void     check_script_safe(const char *, size_t);
static void     round_trip(const char *, size_t);
static uint32_t rnd(uint32_t *);
static size_t   put_utf8(char *, uint32_t);

static char *
html(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	escape_html(&b, s, n);
	return (buf_release(&b, NULL));
}

static char *
json(const char *s, size_t n, size_t *lenp)
{
	struct buf b;

	buf_init(&b);
	escape_json(&b, s, n);
	return (buf_release(&b, lenp));
}

static void
expect_html(const char *in, const char *want)
{
	char *got;

	got = html(in, strlen(in));
	cr_expect_str_eq(got, want, "escape_html(\"%s\")", in);
	free(got);
}

static void
expect_json(const char *in, size_t n, const char *want)
{
	char  *got;
	size_t len;

	got = json(in, n, &len);
	cr_expect_eq(len, strlen(want), "length for %s", want);
	cr_expect_str_eq(got, want);
	free(got);
}

/* A JSON literal made of one or more U+FFFD escapes and nothing else. */
static int
only_fffd(const char *s)
{
	size_t n, i;

	n = strlen(s);
	if (n < 2 + 6 || s[0] != '"' || s[n - 1] != '"' || (n - 2) % 6 != 0)
		return (0);
	for (i = 1; i < n - 1; i += 6)
		if (strncmp(s + i, FFFD, 6) != 0)
			return (0);
	return (1);
}

/*
 * What the header promises: valid UTF-8, no raw control characters,
 * nothing that could end a <script> block or start an HTML comment, no
 * raw U+2028/9 (line terminators in old JavaScript).
 */
static void
check_script_safe(const char *s, size_t n)
{
	size_t i;

	cr_assert_null(u8_check((const uint8_t *)s, n),
	    "escape_json output is not valid UTF-8");
	for (i = 0; i < n; i++) {
		cr_assert((unsigned char)s[i] >= 0x20 && s[i] != 0x7f,
		    "raw control byte 0x%02x at %zu", (unsigned char)s[i], i);
		cr_assert(s[i] != '<' && s[i] != '>' && s[i] != '&',
		    "raw '%c' at %zu", s[i], i);
		if (i + 2 < n && (unsigned char)s[i] == 0xe2 &&
		    (unsigned char)s[i + 1] == 0x80)
			cr_assert((unsigned char)s[i + 2] != 0xa8 &&
			        (unsigned char)s[i + 2] != 0xa9,
			    "raw U+2028/9 at %zu", i);
	}
}

/*
 * Wraps escape_json() output as "[...]", parses it with jansson and
 * checks the string comes back: byte for byte when the input is valid
 * UTF-8, else as valid UTF-8 carrying U+FFFD.
 */
static void
round_trip(const char *s, size_t n)
{
	struct buf   doc;
	json_t      *root, *str;
	json_error_t err;
	const char  *v;
	size_t       vlen;

	buf_init(&doc);
	buf_putc(&doc, '[');
	escape_json(&doc, s, n);
	check_script_safe(doc.data + 1, doc.len - 1);
	buf_putc(&doc, ']');

	root = json_loadb(doc.data, doc.len, JSON_ALLOW_NUL, &err);
	cr_assert_not_null(root, "jansson rejected %s: %s", doc.data, err.text);
	cr_assert(json_is_array(root) && json_array_size(root) == 1);
	str = json_array_get(root, 0);
	cr_assert(json_is_string(str));
	v = json_string_value(str);
	vlen = json_string_length(str);

	if (u8_check((const uint8_t *)s, n) == NULL) {
		cr_expect_eq(vlen, n, "length changed in round trip: %s",
		    doc.data);
		cr_expect(vlen == n && memcmp(v, s, n) == 0,
		    "bytes changed in round trip: %s", doc.data);
	} else {
		cr_expect_null(u8_check((const uint8_t *)v, vlen));
		cr_expect(memmem(v, vlen, "\xef\xbf\xbd", 3) != NULL,
		    "invalid input without U+FFFD: %s", doc.data);
	}

	json_decref(root);
	buf_free(&doc);
}

static uint32_t
rnd(uint32_t *s)
{
	/* xorshift32: fixed seed, so a failure repeats. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* Encodes a scalar value (no surrogates) as UTF-8; returns its length. */
static size_t
put_utf8(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return (1);
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return (3);
	}
	p[0] = (char)(0xf0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return (4);
}

/*
 * escape_html
 */

Test(escape_html, specials)
{
	expect_html("&", "&amp;");
	expect_html("<", "&lt;");
	expect_html(">", "&gt;");
	expect_html("\"", "&quot;");
	expect_html("'", "&#39;");
	expect_html("&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
}

Test(escape_html, plain_and_mixed)
{
	expect_html("", "");
	expect_html("plain text", "plain text");
	expect_html("a<b>c&d", "a&lt;b&gt;c&amp;d");
	expect_html("&amp;", "&amp;amp;");
	expect_html("<script>alert('x')</script>",
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	expect_html("caf\xc3\xa9 \xe2\x80\xa8", "caf\xc3\xa9 \xe2\x80\xa8");
}

Test(escape_html, appends_and_counts)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "x=");
	/* Only n bytes are read: the '<' past it stays out. */
	escape_html(&b, "a&b<", 3);
	cr_expect_eq(b.len, 9);
	cr_expect_str_eq(b.data, "x=a&amp;b");
	buf_free(&b);
}

/*
 * escape_json
 */

Test(escape_json, empty_and_plain)
{
	expect_json("", 0, "\"\"");
	expect_json("hello, world", 12, "\"hello, world\"");
}

Test(escape_json, quote_and_backslash)
{
	expect_json("\"", 1, "\"\\\"\"");
	expect_json("\\", 1, "\"\\\\\"");
	expect_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	expect_json("/", 1, "\"/\"");
}

Test(escape_json, control_characters)
{
	expect_json("\n", 1, "\"\\n\"");
	expect_json("\t", 1, "\"\\t\"");
	expect_json("\r", 1, "\"\\r\"");
	expect_json("\x01", 1, "\"\\u0001\"");
	expect_json("\x08\x0c", 2, "\"\\u0008\\u000c\"");
	expect_json("\x1f", 1, "\"\\u001f\"");
	expect_json("\x7f", 1, "\"\\u007f\"");
	expect_json("a\nb\tc", 5, "\"a\\nb\\tc\"");
}

Test(escape_json, html_specials)
{
	expect_json("<", 1, "\"\\u003c\"");
	expect_json(">", 1, "\"\\u003e\"");
	expect_json("&", 1, "\"\\u0026\"");
	expect_json("</script><!--", 13, "\"\\u003c/script\\u003e\\u003c!--\"");
	/* Not special in JSON or HTML script text. */
	expect_json("'", 1, "\"'\"");
}

Test(escape_json, line_separators)
{
	expect_json("\xe2\x80\xa8", 3, "\"\\u2028\"");
	expect_json("\xe2\x80\xa9", 3, "\"\\u2029\"");
	expect_json("a\xe2\x80\xa8z", 5, "\"a\\u2028z\"");
}

Test(escape_json, multibyte_passes_through)
{
	static const char s[] =
	    "caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80 \xe4\xb8\xad \xef\xbf\xbd \xf4\x8f\xbf\xbf";

	expect_json(s, sizeof(s) - 1,
	    "\"caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80 \xe4\xb8\xad \xef\xbf\xbd \xf4\x8f\xbf\xbf\"");
}

Test(escape_json, invalid_bytes_become_fffd)
{
	static const struct {
		const char *in;
		size_t      len;
	} bad[] = {
		{ "\xff", 1 }, { "\xfe", 1 },
		{ "\x80", 1 }, /* lone continuation */
		{ "\xe2\x82", 2 }, /* truncated euro sign */
		{ "\xf0\x9f\x98", 3 }, /* truncated emoji */
		{ "\xc0\x80", 2 }, /* overlong NUL */
		{ "\xc1\xbf", 2 }, /* overlong */
		{ "\xe0\x80\xaf", 3 }, /* overlong '/' */
		{ "\xed\xa0\x80", 3 }, /* surrogate U+D800 */
		{ "\xed\xbf\xbf", 3 }, /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", 4 }, /* above U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 5 }, /* old 5-byte form */
	};
	char  *got;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = json(bad[i].in, bad[i].len, &len);
		cr_expect(only_fffd(got), "case %zu: %s", i, got);
		free(got);
	}
	/* One bad byte is one replacement. */
	expect_json("\xff", 1, "\"" FFFD "\"");
	/* Good text either side survives. */
	expect_json("a\xff"
	            "b",
	    3, "\"a" FFFD "b\"");
	got = json("a\xe2\x82"
	           "b",
	    4, &len);
	cr_expect(strncmp(got, "\"a" FFFD, 8) == 0 &&
	        strcmp(got + len - 2, "b\"") == 0,
	    "%s", got);
	free(got);
	/* A truncated sequence must not swallow the quote-worthy byte
	 * after it. */
	got = json("\xe2\x82\"", 3, &len);
	cr_expect(len >= 4 && strcmp(got + len - 3, "\\\"\"") == 0, "%s", got);
	free(got);
}

Test(escape_json, nul_in_middle)
{
	expect_json("a\0b", 3, "\"a\\u0000b\"");
	expect_json("\0", 1, "\"\\u0000\"");
}

Test(escape_json, appends)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"k\":");
	escape_json(&b, "v", 1);
	buf_putc(&b, '}');
	cr_expect_str_eq(b.data, "{\"k\":\"v\"}");
	buf_free(&b);
}

Test(escape_json, cstr)
{
	struct buf b;

	buf_init(&b);
	escape_json_cstr(&b, NULL);
	cr_expect_str_eq(b.data, "null");
	buf_reset(&b);
	escape_json_cstr(&b, "");
	cr_expect_str_eq(b.data, "\"\"");
	buf_reset(&b);
	escape_json_cstr(&b, "a<\"b\"");
	cr_expect_str_eq(b.data, "\"a\\u003c\\\"b\\\"\"");
	buf_free(&b);
}

/*
 * Round trip through jansson.
 */

Test(escape_json, round_trip_fixed)
{
	static const struct {
		const char *s;
		size_t      len;
	} cases[] = {
		{ "", 0 },
		{ "plain", 5 },
		{ "\"\\/\b\f\n\r\t", 9 },
		{ "<>&'", 4 },
		{ "a\0b\0", 4 },
		{ "\x01\x02\x1f\x7f", 4 },
		{ "\xe2\x80\xa8\xe2\x80\xa9", 6 },
		{ "\xc2\x80\xc2\x85\xdf\xbf", 6 },
		{ "\xef\xbb\xbf"
		  "bom",
		    6 },
		{ "\xef\xbf\xbe\xef\xbf\xbf", 6 },
		{ "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8 },
		{ "\xff", 1 },
		{ "x\xe2\x82", 3 },
		{ "\xc0\x80", 2 },
		{ "\xed\xa0\x80\xed\xb0\x80", 6 },
		{ "ok\xf5ok", 5 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		round_trip(cases[i].s, cases[i].len);
}

Test(escape_json, round_trip_random)
{
	char     s[256];
	uint32_t seed = 0x2545f491, cp;
	size_t   n, len;
	int      i;

	/* Random bytes: mostly invalid UTF-8. */
	for (i = 0; i < 300; i++) {
		len = rnd(&seed) % 64;
		for (n = 0; n < len; n++)
			s[n] = (char)(rnd(&seed) & 0xff);
		round_trip(s, len);
	}

	/* Random scalar values: always valid, so must come back exact. */
	for (i = 0; i < 300; i++) {
		len = rnd(&seed) % 40;
		for (n = 0; len > 0; len--) {
			switch (rnd(&seed) % 4) {
			case 0:
				cp = rnd(&seed) % 0x80;
				break;
			case 1:
				cp = rnd(&seed) % 0x800;
				break;
			case 2:
				/* Hits U+2028/9 now and then. */
				cp = 0x2020 + rnd(&seed) % 16;
				break;
			default:
				cp = rnd(&seed) % 0x110000;
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			n += put_utf8(s + n, cp);
		}
		round_trip(s, n);
	}
}

/*
 * escape_text_clean
 */

static char *
clean(const char *s, size_t n, size_t max, int flags)
{
	struct buf b;

	buf_init(&b);
	buf_append(&b, "", 0);
	escape_text_clean(&b, s, n, max, flags);
	cr_assert_eq(strlen(b.data), b.len, "NUL in the output");
	return (buf_release(&b, NULL));
}

static void
expect_clean(const char *in, size_t n, size_t max, int flags, const char *want)
{
	char *got;

	got = clean(in, n, max, flags);
	cr_expect_str_eq(got, want, "escape_text_clean(\"%s\", %zu, %d)", in,
	    max, flags);
	free(got);
}

#define CLEAN(in, flags, want)                                                 \
	expect_clean((in), sizeof(in) - 1, SIZE_MAX, (flags), (want))

Test(escape_text_clean, printable_text_stays)
{
	CLEAN("", 0, "");
	CLEAN("plain text, <b> & \"quotes\"", 0,
	    "plain text, <b> & \"quotes\"");
	/* U+00A0 is the first character past the C1 controls. */
	CLEAN("caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
	    "caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80");
	CLEAN("a b~", ESCAPE_TEXT_ASCII, "a b~");
}

Test(escape_text_clean, each_control_character_is_one_question_mark)
{
	CLEAN("a\x01"
	      "b\x1f"
	      "c\x7f"
	      "d",
	    0, "a?b?c?d");
	CLEAN("a\0b", 0, "a?b");
	CLEAN("\x1b[31mred", 0, "?[31mred");
	/* C1 controls are two bytes, one character: one '?'. */
	CLEAN("\xc2\x80\xc2\x85\xc2\x9f", 0, "???");
	/* Line breaks and tabs go but for ESCAPE_TEXT_LINES. */
	CLEAN("one\ntwo\r\nthree\tfour", 0, "one?two??three?four");
	CLEAN("one\ntwo\r\nthree\tfour", ESCAPE_TEXT_LINES,
	    "one\ntwo\r\nthree\tfour");
	CLEAN("a\x01\x7f\xc2\x85"
	      "b",
	    ESCAPE_TEXT_LINES, "a???b");
	/* Still one line: U+2028 is not a control character, but not
	 * ASCII. */
	CLEAN("a\xe2\x80\xa8"
	      "b",
	    ESCAPE_TEXT_ASCII, "a?b");
}

Test(escape_text_clean, each_invalid_byte_is_one_question_mark)
{
	CLEAN("\xff", 0, "?");
	CLEAN("a\xff"
	      "b",
	    0, "a?b");
	CLEAN("\x80", 0, "?"); /* lone continuation */
	CLEAN("x\xe2\x82", 0, "x??"); /* cut at the end */
	CLEAN("\xe2\x82"
	      "b",
	    0, "??b"); /* cut in the middle */
	CLEAN("\xc0\x80", 0, "??"); /* overlong NUL */
	CLEAN("\xed\xa0\x80", 0, "???"); /* surrogate */
	CLEAN("\xf4\x90\x80\x80", 0, "????"); /* past U+10FFFF */
	/* A cut sequence does not swallow the character after it. */
	CLEAN("\xe2\x82\n", ESCAPE_TEXT_LINES, "??\n");
}

Test(escape_text_clean, ascii_keeps_one_question_mark_a_character)
{
	CLEAN("caf\xc3\xa9", ESCAPE_TEXT_ASCII, "caf?");
	CLEAN("\xf0\x9f\x98\x80!", ESCAPE_TEXT_ASCII, "?!");
	CLEAN("a\xff\xe2\x82", ESCAPE_TEXT_ASCII, "a???");
	CLEAN("new\nline\r\n", ESCAPE_TEXT_ASCII, "new?line??");
}

Test(escape_text_clean, squeeze_makes_a_run_one_space)
{
	/* What moderation's reasons expect of ban reasons. */
	CLEAN("line one\nline\ttwo\x7f\xc2\x85 end", ESCAPE_TEXT_SQUEEZE,
	    "line one line two  end");
	CLEAN("bad \xff bytes", ESCAPE_TEXT_SQUEEZE, "bad   bytes");
	CLEAN("\n\x01"
	      "x",
	    ESCAPE_TEXT_SQUEEZE, " x");
	/* A run at the end leaves nothing. */
	CLEAN("trailing\r\n", ESCAPE_TEXT_SQUEEZE, "trailing");
	CLEAN("\xff\xfe", ESCAPE_TEXT_SQUEEZE, "");
	CLEAN("caf\xc3\xa9 ok", ESCAPE_TEXT_SQUEEZE | ESCAPE_TEXT_ASCII,
	    "caf  ok");
	CLEAN("a\nb", ESCAPE_TEXT_SQUEEZE | ESCAPE_TEXT_LINES, "a\nb");
}

Test(escape_text_clean, max_cuts_between_characters)
{
	expect_clean("abc", 3, 2, 0, "ab");
	expect_clean("abc", 3, 0, 0, "");
	expect_clean("abc", 3, 3, 0, "abc");
	/* Never inside a character, even when a later one would fit. */
	expect_clean("a\xc3\xa9"
	             "b",
	    4, 2, 0, "a");
	expect_clean("a\xc3\xa9"
	             "b",
	    4, 3, 0, "a\xc3\xa9");
	expect_clean("\xf0\x9f\x98\x80", 4, 3, 0, "");
	/* Replacements count. */
	expect_clean("\x01\x02\x03", 3, 2, 0, "??");
	expect_clean("caf\xc3\xa9!", 6, 4, ESCAPE_TEXT_ASCII, "caf?");
	/* A squeezed run's space comes with the character after it. */
	expect_clean("a\nb", 3, 2, ESCAPE_TEXT_SQUEEZE, "a");
	expect_clean("a\nb", 3, 3, ESCAPE_TEXT_SQUEEZE, "a b");
	/* Only n bytes are read. */
	expect_clean("ab\x01", 2, SIZE_MAX, 0, "ab");
}

Test(escape_text_clean, appends)
{
	struct buf b;

	buf_init(&b);
	escape_text_clean(&b, NULL, 0, SIZE_MAX, 0);
	cr_expect_eq(b.len, 0);
	buf_puts(&b, "x: ");
	escape_text_clean(&b, "a\nb", 3, 2, 0);
	cr_expect_str_eq(b.data, "x: a?");
	buf_free(&b);
}

/* Whatever comes in, what goes out keeps the promise of escape.h. */
Test(escape_text_clean, random_input_keeps_the_contract)
{
	static const int flags[] = { 0, ESCAPE_TEXT_ASCII, ESCAPE_TEXT_LINES,
		ESCAPE_TEXT_SQUEEZE, ESCAPE_TEXT_SQUEEZE | ESCAPE_TEXT_LINES };
	char             s[96], *got;
	const uint8_t   *p;
	uint32_t         seed = 0x9e3779b9, c;
	size_t           n, len, max, i, j;
	int              k, f;

	for (i = 0; i < 2000; i++) {
		len = rnd(&seed) % sizeof(s);
		for (n = 0; n < len; n++)
			s[n] = (char)(rnd(&seed) & 0xff);
		max = rnd(&seed) % 4 == 0 ? rnd(&seed) % 64 : SIZE_MAX;
		f = flags[i % (sizeof(flags) / sizeof(flags[0]))];
		got = clean(s, len, max, f);
		n = strlen(got);
		p = (const uint8_t *)got;
		cr_assert_leq(n, max);
		/* Never longer: a replacement is no longer than what it
		 * replaces. */
		cr_assert_leq(n, len);
		cr_assert_null(u8_check(p, n), "not UTF-8");
		for (j = 0; j < n; j += (size_t)k) {
			k = u8_mbtoucr(&c, p + j, n - j);
			cr_assert_gt(k, 0);
			if ((f & ESCAPE_TEXT_LINES) &&
			    (c == '\t' || c == '\n' || c == '\r'))
				continue;
			cr_assert(c >= 0x20 && (c < 0x7f || c >= 0xa0),
			    "control U+%04x kept", c);
			if (f & ESCAPE_TEXT_ASCII)
				cr_assert_lt(c, 0x7f);
		}
		free(got);
	}
}

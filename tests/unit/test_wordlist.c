/*
 * Unit tests for app/wordlist.c: whole-word and phrase matching, Unicode
 * case folding, word characters, bad bytes, and a list of thousands of
 * entries (checked for correctness; speed is measured outside the suite).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "buf.h"
#include "wordlist.h"
#include "../wordlist_ref.h"

TestSuite(wordlist);

static void
add(struct wordlist *wl, const char *s)
{
	wordlist_add(wl, s, strlen(s));
}

static const char *
match(const struct wordlist *wl, const char *text)
{
	return (wordlist_match(wl, text, strlen(text)));
}

/* A list of the given entries (NULL-terminated). */
static struct wordlist
list(const char *first, ...)
{
	struct wordlist wl;
	va_list         ap;
	const char     *s;

	wordlist_init(&wl);
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		add(&wl, s);
	va_end(ap);
	return (wl);
}

Test(wordlist, empty_list_and_text)
{
	struct wordlist wl;

	wordlist_init(&wl);
	cr_assert_null(match(&wl, "anything at all"));
	cr_assert_null(wordlist_match(&wl, NULL, 0));
	wordlist_free(&wl);

	wl = list("spam", NULL);
	cr_assert_null(match(&wl, ""));
	cr_assert_null(wordlist_match(&wl, "spam", 0));
	cr_assert_null(match(&wl, "   "));
	wordlist_free(&wl);
	/* Freeing twice is harmless: free leaves an empty list. */
	wordlist_free(&wl);
	cr_assert_eq(wl.n, 0);
}

Test(wordlist, whole_words_only)
{
	struct wordlist wl = list("ass", NULL);

	cr_assert_null(match(&wl, "a class act"));
	cr_assert_null(match(&wl, "assassin"));
	cr_assert_null(match(&wl, "bass"));
	cr_assert_str_eq(match(&wl, "Ass!"), "ass");
	cr_assert_str_eq(match(&wl, "you ass"), "ass");
	cr_assert_str_eq(match(&wl, "ass"), "ass");
	cr_assert_str_eq(match(&wl, "(ASS)"), "ass");
	cr_assert_str_eq(match(&wl, "kick-ass"), "ass");
	cr_assert_str_eq(match(&wl, "\"ass\""), "ass");
	/* '_' and '\'' are word characters: one word each. */
	cr_assert_null(match(&wl, "ass's"));
	cr_assert_null(match(&wl, "ass_hat"));
	cr_assert_null(match(&wl, "_ass"));
	cr_assert_null(match(&wl, "'ass"));
	/* The typographic apostrophe is punctuation (see wordlist.c). */
	cr_assert_str_eq(match(&wl, "ass\xe2\x80\x99s"), "ass");
	wordlist_free(&wl);
}

Test(wordlist, apostrophe_in_entry)
{
	struct wordlist wl = list("don't", NULL);

	cr_assert_str_eq(match(&wl, "I DON'T know"), "don't");
	cr_assert_null(match(&wl, "don"));
	cr_assert_null(match(&wl, "dont"));
	cr_assert_null(match(&wl, "don't've"));
	wordlist_free(&wl);
}

Test(wordlist, digits)
{
	struct wordlist wl = list("42", "v2", NULL);

	cr_assert_str_eq(match(&wl, "the answer is 42."), "42");
	cr_assert_null(match(&wl, "420 and 142 and 4.2"));
	cr_assert_str_eq(match(&wl, "use V2, not v3"), "v2");
	cr_assert_null(match(&wl, "v22 v2a"));
	wordlist_free(&wl);
}

Test(wordlist, unicode_case)
{
	struct wordlist wl = list("été", "СПАМ", "λόγος", NULL);

	/* Lower-cased copies are stored. */
	cr_assert_str_eq(wl.entries[0], "été");
	cr_assert_str_eq(wl.entries[1], "спам");
	cr_assert_str_eq(match(&wl, "Un ÉTÉ chaud"), "été");
	cr_assert_str_eq(match(&wl, "un été"), "été");
	cr_assert_null(match(&wl, "étés"));
	cr_assert_str_eq(match(&wl, "это спам!"), "спам");
	cr_assert_null(match(&wl, "спамер"));
	/* Final sigma folds like sigma. */
	cr_assert_str_eq(match(&wl, "ΛΌΓΟΣ"), "λόγος");
	wordlist_free(&wl);
}

Test(wordlist, casefold_sharp_s)
{
	struct wordlist wl = list("Straße", NULL);

	/* Shown lower-cased, compared folded: ß is ss. */
	cr_assert_str_eq(wl.entries[0], "straße");
	cr_assert_str_eq(match(&wl, "STRASSE"), "straße");
	cr_assert_str_eq(match(&wl, "die strasse"), "straße");
	cr_assert_str_eq(match(&wl, "die Straße."), "straße");
	cr_assert_str_eq(match(&wl, "DIE STRAẞE"), "straße");
	cr_assert_null(match(&wl, "strassen"));
	/* The folded forms are equal: a duplicate. */
	add(&wl, "STRASSE");
	cr_assert_eq(wl.n, 1);
	wordlist_free(&wl);
}

Test(wordlist, normalization_and_marks)
{
	struct wordlist wl = list("café", "cafe", NULL);

	/* Decomposed e + U+0301 is the same word as precomposed é. */
	cr_assert_str_eq(match(&wl, "un cafe\xcc\x81 noir"), "café");
	cr_assert_str_eq(match(&wl, "un CAFE\xcc\x81"), "café");
	wordlist_free(&wl);

	/* A combining mark belongs to its letter: no boundary before it. */
	wl = list("cafe", NULL);
	cr_assert_null(match(&wl, "cafe\xcc\x81"));
	cr_assert_null(match(&wl, "caf\xc3\xa9"));
	wordlist_free(&wl);

	/* Devanagari vowel signs are marks inside the word. */
	wl = list("हिंद", NULL);
	cr_assert_str_eq(match(&wl, "जय हिंद!"), "हिंद");
	cr_assert_null(match(&wl, "हिंदी"));
	wordlist_free(&wl);
}

Test(wordlist, format_characters_and_orphan_marks)
{
	struct wordlist wl = list("ass", "c++", "\xd9\x85\xdb\x8c", NULL);

	/* Marks and format characters continue a word, never start one. */
	cr_assert_str_eq(match(&wl,
	                     "\xef\xbb\xbf"
	                     "ass"),
	    "ass");
	cr_assert_str_eq(match(&wl,
	                     "a \xcc\x81"
	                     "ass"),
	    "ass");
	cr_assert_null(match(&wl,
	    "ass\xc2\xad"
	    "hole"));
	cr_assert_null(match(&wl, "ass\xcc\x81"));
	/* ZERO WIDTH SPACE is a format character like the others: it is
	 * removed, and "ass" + U+200B + "hole" reads "asshole". */
	cr_assert_null(match(&wl,
	    "ass\xe2\x80\x8b"
	    "hole"));
	/* After a non-word character a mark is not part of a word. */
	cr_assert_str_eq(match(&wl, "c++\xcc\x81 rocks"), "c++");
	/* Persian: ZWNJ joins the parts of one word. */
	cr_assert_null(match(&wl,
	    "\xd9\x85\xdb\x8c\xe2\x80\x8c"
	    "\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85"));
	cr_assert_str_eq(match(&wl,
	                     "\xd9\x85\xdb\x8c "
	                     "\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85"),
	    "\xd9\x85\xdb\x8c");
	wordlist_free(&wl);

	/* A loose entry after a run of marks on a letter: no boundary. */
	wl = list("#x", NULL);
	cr_assert_null(match(&wl, "a\xcc\x81\xcc\x81#x"));
	cr_assert_str_eq(match(&wl, " \xcc\x81\xcc\x81#x"), "#x");
	wordlist_free(&wl);
}

Test(wordlist, phrases)
{
	struct wordlist wl = list("buy now", "c++", "viagra.com", NULL);

	cr_assert_str_eq(match(&wl, "Please BUY NOW!"), "buy now");
	cr_assert_str_eq(match(&wl, "buy now"), "buy now");
	/* The same characters between the words. */
	cr_assert_null(match(&wl, "buy  now"));
	cr_assert_null(match(&wl, "buy\nnow"));
	cr_assert_null(match(&wl, "buy nowhere"));
	cr_assert_null(match(&wl, "rebuy now"));
	cr_assert_null(match(&wl, "buy"));
	cr_assert_str_eq(match(&wl, "I love C++."), "c++");
	cr_assert_str_eq(match(&wl, "c++"), "c++");
	cr_assert_null(match(&wl, "abc++"));
	cr_assert_null(match(&wl, "c++x"));
	cr_assert_null(match(&wl, "c+"));
	cr_assert_str_eq(match(&wl, "see www.VIAGRA.com today"), "viagra.com");
	cr_assert_null(match(&wl, "see viagra.community"));
	cr_assert_null(match(&wl, "see myviagra.com"));
	wordlist_free(&wl);
}

Test(wordlist, phrases_sharing_a_first_word)
{
	struct wordlist wl = list("buy now", "buy cheap pills", "buy", NULL);

	cr_assert_str_eq(match(&wl, "go buy cheap pills"), "buy cheap pills");
	cr_assert_str_eq(match(&wl, "buy now"), "buy now");
	cr_assert_str_eq(match(&wl, "buy cheap"), "buy");
	wordlist_free(&wl);

	wl = list("buy now", "buy cheap pills", NULL);
	cr_assert_null(match(&wl, "buy cheap"));
	cr_assert_null(match(&wl, "buy cheap pillsbury"));
	cr_assert_str_eq(match(&wl, "buy buy cheap pills"), "buy cheap pills");
	wordlist_free(&wl);
}

Test(wordlist, entries_without_a_first_word)
{
	struct wordlist wl = list("#spam", "...", NULL);

	cr_assert_str_eq(match(&wl, "this is #SPAM"), "#spam");
	cr_assert_str_eq(match(&wl, "#spam"), "#spam");
	cr_assert_null(match(&wl, "a#spam"));
	cr_assert_null(match(&wl, "#spammy"));
	cr_assert_str_eq(match(&wl, "wait ..."), "...");
	/* Its first character must itself follow a non-word one. */
	cr_assert_null(match(&wl, "wait..."));
	cr_assert_str_eq(match(&wl, "x #spam"), "#spam");
	/* A later occurrence after a bad one is still found. */
	cr_assert_str_eq(match(&wl, "a#spam and #spam"), "#spam");
	wordlist_free(&wl);
}

Test(wordlist, earliest_occurrence_wins)
{
	struct wordlist wl = list("zebra", "#alpha", "apple", NULL);

	cr_assert_str_eq(match(&wl, "an apple and a zebra"), "apple");
	cr_assert_str_eq(match(&wl, "a zebra and an apple"), "zebra");
	cr_assert_str_eq(match(&wl, "#alpha then zebra"), "#alpha");
	cr_assert_str_eq(match(&wl, "zebra then #alpha"), "zebra");
	wordlist_free(&wl);
}

Test(wordlist, returns_the_owned_entry)
{
	struct wordlist wl = list("one", "Two", "three", NULL);
	const char     *m;

	m = match(&wl, "TWO");
	cr_assert_eq(m, wl.entries[1]);
	cr_assert_str_eq(m, "two");
	wordlist_free(&wl);
}

Test(wordlist, blanks_duplicates_and_trimming)
{
	struct wordlist wl;

	wordlist_init(&wl);
	add(&wl, "");
	add(&wl, "   ");
	add(&wl, "\t\n");
	wordlist_add(&wl, NULL, 0);
	cr_assert_eq(wl.n, 0);
	add(&wl, "Spam");
	add(&wl, "spam");
	add(&wl, " SPAM ");
	add(&wl, "sPaM\n");
	cr_assert_eq(wl.n, 1);
	cr_assert_str_eq(wl.entries[0], "spam");
	add(&wl, "ham");
	cr_assert_eq(wl.n, 2);
	cr_assert_str_eq(match(&wl, "green ham"), "ham");
	/* Only len bytes count. */
	wordlist_add(&wl, "eggsXYZ", 4);
	cr_assert_eq(wl.n, 3);
	cr_assert_str_eq(wl.entries[2], "eggs");
	cr_assert_str_eq(match(&wl, "EGGS"), "eggs");
	wordlist_free(&wl);
}

Test(wordlist, bad_entries_ignored)
{
	struct wordlist wl;

	wordlist_init(&wl);
	add(&wl, "bad\xff");
	wordlist_add(&wl, "nul\0x", 5);
	cr_assert_eq(wl.n, 0);
	cr_assert_null(match(&wl, "bad nul"));
	wordlist_free(&wl);
}

Test(wordlist, invalid_utf8_text)
{
	struct wordlist wl = list("ass", "été", NULL);

	/* Invalid bytes separate words and never crash. */
	cr_assert_str_eq(match(&wl, "ass\xffhole"), "ass");
	cr_assert_str_eq(match(&wl,
	                     "\xc3"
	                     "ass"),
	    "ass");
	cr_assert_str_eq(match(&wl, "\xe9t\xe9 or ÉTÉ"), "été");
	cr_assert_null(match(&wl, "\xff\xfe\xc3"));
	cr_assert_null(match(&wl, "\xe2\x82"));
	cr_assert_null(match(&wl, "cl\xffss"));
	/* A NUL inside the text is a non-word character. */
	cr_assert_str_eq(wordlist_match(&wl, "x\0ass", 5), "ass");
	cr_assert_null(wordlist_match(&wl, "cl\0ass", 3));
	/* A truncated sequence at the very end. */
	cr_assert_str_eq(match(&wl, "ass \xc3"), "ass");
	wordlist_free(&wl);
}

/* A word of letters from a small PRNG, deterministic per seed. */
static void
rand_word(unsigned int *seed, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = 'a' + rand_r(seed) % 26;
	out[len] = '\0';
}

Test(wordlist, five_thousand_entries)
{
	struct wordlist wl;
	struct buf      text;
	unsigned int    seed = 198;
	char            w[32], probe[64];
	size_t          i;

	wordlist_init(&wl);
	/* Entries have a digit, text words do not: no accidental hit. */
	for (i = 0; i < 5000; i++) {
		rand_word(&seed, w, 4 + i % 8);
		snprintf(probe, sizeof(probe), "%s%zu", w, i);
		if (i % 10 == 0)
			snprintf(probe, sizeof(probe), "%s%zu now", w, i);
		add(&wl, probe);
	}
	cr_assert_eq(wl.n, 5000);

	buf_init(&text);
	while (text.len < 10 * 1024) {
		rand_word(&seed, w, 3 + rand_r(&seed) % 9);
		buf_puts(&text, w);
		buf_puts(&text, rand_r(&seed) % 7 ? " " : ", ");
	}
	cr_assert_null(wordlist_match(&wl, text.data, text.len));

	/* Each entry, planted at the end, is found; and only whole. */
	for (i = 0; i < wl.n; i += 97) {
		size_t base = text.len;

		buf_printf(&text, " %s.", wl.entries[i]);
		cr_assert_eq(wordlist_match(&wl, text.data, text.len),
		    wl.entries[i], "entry %zu", i);
		text.len = base;
		text.data[base] = '\0';
		buf_printf(&text, " %sx", wl.entries[i]);
		cr_assert_null(wordlist_match(&wl, text.data, text.len),
		    "entry %zu", i);
		text.len = base;
		text.data[base] = '\0';
	}
	buf_free(&text);
	wordlist_free(&wl);
}

/* The brute-force reference: tests/wordlist_ref.h. */

/* Pieces texts and entries are made of: words, marks, joiners, case. */
static const char *const pieces[] = {
	"a",
	"b",
	"ab",
	"A",
	"B",
	"ss",
	"SS",
	"\xc3\x9f",
	"\xc3\xa9",
	"e\xcc\x81",
	"E",
	"\xcc\x81",
	"\xe2\x80\x8c",
	"\xe2\x80\x8b",
	"\xc2\xad",
	"'",
	"_",
	"1",
	" ",
	" ",
	" ",
	".",
	"-",
	"#",
	"++",
	"\xce\xa3",
	"\xcf\x82",
	"\xd0\x96",
	"\xd0\xb6",
	"\xe0\xa4\xbf",
	"\xef\xbb\xbf",
	"\xef\xbd\x81",
	"\xef\xbc\xa2",
	"\xef\xac\x81",
	"\xc2\xa0",
	"\xe2\x80\x8d",
	"\xf0\x9d\x90\x80",
	"\xe2\x93\x90",
};

static void
rand_text(unsigned int *seed, char *out, size_t max, int parts)
{
	size_t n = 0, l;
	int    i;

	out[0] = '\0';
	for (i = 0; i < parts; i++) {
		const char *p =
		    pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))];

		l = strlen(p);
		if (n + l >= max)
			break;
		memcpy(out + n, p, l);
		n += l;
		out[n] = '\0';
	}
}

Test(wordlist, agrees_with_brute_force)
{
	struct wordlist wl;
	unsigned int    seed = 2018;
	char            text[256], entry[64];
	const char     *got, *want;
	int             round, i, n, hits = 0;

	for (round = 0; round < 3000; round++) {
		wordlist_init(&wl);
		n = 1 + rand_r(&seed) % 6;
		for (i = 0; i < n; i++) {
			rand_text(&seed, entry, sizeof(entry),
			    1 + rand_r(&seed) % 4);
			add(&wl, entry);
		}
		rand_text(&seed, text, sizeof(text), rand_r(&seed) % 40);
		got = match(&wl, text);
		want = ref_match(&wl, (const uint8_t *)text, strlen(text));
		cr_assert_eq(got, want, "text \"%s\": got \"%s\", want \"%s\"",
		    text, got ? got : "(none)", want ? want : "(none)");
		hits += got != NULL;
		wordlist_free(&wl);
	}
	/* The test means something only if both outcomes are common. */
	cr_assert_gt(hits, 300);
	cr_assert_lt(hits, 2700);
}

/*
 * Dodges (issue #12): what a reader sees as the listed word is the word.
 * Texts and entries are compared normalised: NFKC, case-folded, format
 * characters (Unicode category Cf) removed.
 */
Test(wordlist, invisible_characters_do_not_hide_a_word)
{
	struct wordlist wl = list("spam", "buy now", NULL);

	/* Soft hyphen, zero width space, joiner and non-joiner, word
	 * joiner, byte order mark, left-to-right mark. */
	cr_assert_str_eq(match(&wl,
	                     "sp\xc2\xad"
	                     "am"),
	    "spam");
	cr_assert_str_eq(match(&wl,
	                     "s\xe2\x80\x8bp\xe2\x80\x8b"
	                     "am"),
	    "spam");
	cr_assert_str_eq(match(&wl,
	                     "sp\xe2\x80\x8d"
	                     "am"),
	    "spam");
	cr_assert_str_eq(match(&wl,
	                     "sp\xe2\x80\x8c"
	                     "am!"),
	    "spam");
	cr_assert_str_eq(match(&wl, "s\xe2\x81\xa0pam"), "spam");
	cr_assert_str_eq(match(&wl,
	                     "sp\xef\xbb\xbf"
	                     "am"),
	    "spam");
	cr_assert_str_eq(match(&wl, "x \xe2\x80\x8eSPAM\xe2\x80\x8f y"),
	    "spam");
	cr_assert_str_eq(match(&wl, "bu\xc2\xady now"), "buy now");
	/* Still whole words: hidden characters join, they do not split. */
	cr_assert_null(match(&wl, "spam\xe2\x80\x8bmer"));
	wordlist_free(&wl);
}

Test(wordlist, compatibility_forms_are_the_word)
{
	struct wordlist wl = list("spam", "profit", "42", NULL);

	/* Full-width letters and digits. */
	cr_assert_str_eq(match(&wl,
	                     "\xef\xbd\x93\xef\xbd\x90\xef\xbd\x81"
	                     "\xef\xbd\x8d"),
	    "spam");
	cr_assert_str_eq(match(&wl,
	                     "\xef\xbc\xb3\xef\xbc\xb0\xef\xbc\xa1"
	                     "\xef\xbc\xad!"),
	    "spam");
	cr_assert_str_eq(match(&wl, "\xef\xbc\x94\xef\xbc\x92"), "42");
	/* Mathematical bold capitals: NFKC makes them capitals, and only
	 * then do they fold. */
	cr_assert_str_eq(match(&wl,
	                     "\xf0\x9d\x90\x92\xf0\x9d\x90\x8f"
	                     "\xf0\x9d\x90\x80\xf0\x9d\x90\x8c"),
	    "spam");
	/* Circled letters, and the fi ligature. */
	cr_assert_str_eq(match(&wl,
	                     "\xe2\x93\xa2\xe2\x93\x9f\xe2\x93\x90"
	                     "\xe2\x93\x9c"),
	    "spam");
	cr_assert_str_eq(match(&wl, "pro\xef\xac\x81t"), "profit");
	/* A no-break space is a space. */
	cr_assert_null(match(&wl,
	    "4\xc2\xa0"
	    "2"));
	cr_assert_str_eq(match(&wl,
	                     "x\xc2\xa0"
	                     "42"),
	    "42");
	wordlist_free(&wl);
}

Test(wordlist, entries_normalised_like_texts)
{
	struct wordlist wl;

	/* An entry typed full-width, or with a soft hyphen, is the plain
	 * word: it matches plain text, and the plain word is a duplicate. */
	wl = list("\xef\xbd\x93\xef\xbd\x90\xef\xbd\x81\xef\xbd\x8d", NULL);
	cr_assert_str_eq(match(&wl, "cheap spam"),
	    "\xef\xbd\x93\xef\xbd\x90\xef\xbd\x81\xef\xbd\x8d");
	add(&wl, "SPAM");
	cr_assert_eq(wl.n, 1);
	add(&wl,
	    "sp\xc2\xad"
	    "am");
	cr_assert_eq(wl.n, 1);
	wordlist_free(&wl);

	/* An entry of nothing but format characters is blank. */
	wl = list("\xe2\x80\x8b\xc2\xad", NULL);
	cr_assert_eq(wl.n, 0);
	wordlist_free(&wl);
}

/*
 * libFuzzer harness for app/wordlist.c. The input is entries, one a line,
 * up to a line "--", then the text. Any bytes build a list and match; a
 * match is one of the list's own entries; and for short valid UTF-8 the
 * answer is the one a brute-force reading of wordlist.h's definition
 * gives (every entry tried at every character of the normalised text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "wordlist.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ENTRIES_MAX	16
#define REF_TEXT_MAX	256

/* Format characters removed, NFKC, case folded (NFKC). Never NULL. */
static uint8_t *
ref_fold(const uint8_t *s, size_t n, size_t *m)
{
	uint8_t	*visible, *nfkc, *r;
	size_t	 i, v = 0, len = 0;
	ucs4_t	 c;
	int	 k;

	if ((visible = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i += k) {
		k = u8_mbtouc(&c, s + i, n - i);
		if (!uc_is_general_category(c, UC_CATEGORY_Cf)) {
			memcpy(visible + v, s + i, k);
			v += k;
		}
	}
	nfkc = u8_normalize(UNINORM_NFKC, visible, v, NULL, &len);
	r = u8_casefold(nfkc, len, NULL, UNINORM_NFKC, NULL, m);
	if (r == NULL)
		abort();
	free(nfkc);
	free(visible);
	return (r);
}

/* 1: part of a word; 2: a mark, continuing what precedes; 0: other. */
static int
ref_class(const uint8_t *p, size_t n, size_t *k)
{
	ucs4_t	c;

	*k = u8_mbtouc(&c, p, n);
	if (c == '_' || c == '\'' || uc_is_alnum(c))
		return (1);
	if (uc_is_general_category(c, UC_CATEGORY_M))
		return (2);
	return (0);
}

static const char *
ref_match(const struct wordlist *wl, const uint8_t *text, size_t n)
{
	uint8_t		*f, *e;
	int		*word, *before, prev = 0, c;
	size_t		 m, i, k, x, el, blen = 0;
	const char	*best = NULL;

	f = ref_fold(text, n, &m);
	word = calloc(m + 1, sizeof(int));
	before = calloc(m + 1, sizeof(int));
	if (word == NULL || before == NULL)
		abort();
	for (i = 0; i < m; i += k) {
		c = ref_class(f + i, m - i, &k);
		before[i] = prev;
		word[i] = prev = c == 2 ? prev : c;
	}
	for (i = 0; i < m && best == NULL; i += k) {
		ref_class(f + i, m - i, &k);
		for (x = 0; x < wl->n; x++) {
			e = ref_fold((const uint8_t *)wl->entries[x],
			    strlen(wl->entries[x]), &el);
			if (el > 0 && el <= m - i &&
			    memcmp(f + i, e, el) == 0 && !before[i] &&
			    (i + el == m || !word[i + el]) &&
			    (best == NULL || el > blen)) {
				best = wl->entries[x];
				blen = el;
			}
			free(e);
		}
	}
	free(word);
	free(before);
	free(f);
	return (best);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wordlist	 wl;
	const uint8_t	*p = data, *end = data + size, *nl, *text;
	const char	*got, *want;
	size_t		 i, n = 0, tlen;

	wordlist_init(&wl);
	text = end;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl - p == 2 && p[0] == '-' && p[1] == '-') {
			text = nl < end ? nl + 1 : end;
			break;
		}
		if (n++ < ENTRIES_MAX)
			wordlist_add(&wl, (const char *)p, (size_t)(nl - p));
		p = nl + 1;
	}
	tlen = (size_t)(end - text);

	got = wordlist_match(&wl, (const char *)text, tlen);
	if (got != NULL) {
		for (i = 0; i < wl.n && wl.entries[i] != got; i++)
			;
		if (i == wl.n)
			abort();
	}
	if (tlen <= REF_TEXT_MAX && u8_check(text, tlen) == NULL &&
	    memchr(text, '\0', tlen) == NULL) {
		want = ref_match(&wl, text, tlen);
		if (got != want)
			abort();
	}
	wordlist_free(&wl);
	return (0);
}

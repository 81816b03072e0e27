/*
 * A brute-force reference for app/wordlist.c, shared by its unit test and
 * its fuzz harness: every entry tried at every character of the
 * normalised text, with the definition of wordlist.h spelled out (format
 * characters removed, then NFKC and case folding of the whole text; marks
 * take the class of the character before them). The earliest start wins,
 * then the longest entry. Slow on purpose: nothing here is clever.
 * Header-only (static functions): each test program includes it once.
 */
#ifndef PARLEY_TESTS_WORDLIST_REF_H
#define PARLEY_TESTS_WORDLIST_REF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "wordlist.h"

/* Format characters removed, NFKC, case folded (NFKC). Never NULL. */
static uint8_t *
ref_fold(const uint8_t *s, size_t n, size_t *m)
{
	uint8_t *visible, *nfkc, *r;
	size_t   i, v = 0, len;
	ucs4_t   c;
	int      k;

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
	if ((r = u8_casefold(nfkc, len, NULL, UNINORM_NFKC, NULL, m)) == NULL)
		abort();
	free(nfkc);
	free(visible);
	return (r);
}

/* 1: part of a word; 2: a mark, continuing what precedes; 0: other. */
static int
ref_class(const uint8_t *p, size_t n, size_t *k)
{
	ucs4_t c;

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
	uint8_t    *f, *e;
	int        *word, *before, prev = 0, c;
	size_t      m, i, k, x, el, blen = 0;
	const char *best = NULL;

	f = ref_fold(text, n, &m);
	/* word[i]: the character at i is part of a word; before[i]: the
	 * one before it is. */
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

#endif

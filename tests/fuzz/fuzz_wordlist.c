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

#include "wordlist.h"
#include "../wordlist_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ENTRIES_MAX  16
#define REF_TEXT_MAX 256

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wordlist wl;
	const uint8_t  *p = data, *end = data + size, *nl, *text;
	const char     *got, *want;
	size_t          i, n = 0, tlen;

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

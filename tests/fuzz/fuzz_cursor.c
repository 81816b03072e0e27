/*
 * libFuzzer harness for app/cursor.c: any text decodes or is refused for
 * each sort, and what decodes encodes to a cursor that decodes the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum thread_sort sorts[] = { SORT_OLDEST, SORT_NEWEST,
		SORT_TOP };
	struct cursor                 c, again;
	enum thread_sort              s;
	char                         *text, out[CURSOR_MAX];
	size_t                        i;

	/* Cursors come from query strings: C strings. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	(void)cursor_sort_parse(text, &s);
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		if (cursor_decode(text, sorts[i], &c) == -1)
			continue;
		if (c.sort != sorts[i])
			abort();
		cursor_encode(&c, out);
		if (strlen(out) >= CURSOR_MAX ||
		    cursor_decode(out, sorts[i], &again) == -1 ||
		    again.sort != c.sort || again.score != c.score ||
		    again.created_us != c.created_us || again.id != c.id)
			abort();
	}
	free(text);
	return (0);
}

/*
 * libFuzzer harness for app/query.c: any query string iterates to its end
 * or to a malformed pair, names and values are NUL-free where decoded,
 * and query_get agrees with the iterator on the first value of a name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_iter it;
	char             *text, *first = NULL, *got;
	int               r, bad, malformed = 0;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	query_iter_init(&it, text);
	while ((r = query_iter_next(&it)) == 1) {
		if (it.name == NULL || it.value == NULL ||
		    strlen(it.value) != it.value_len)
			abort();
		if (first == NULL && strcmp(it.name, "post") == 0 &&
		    (first = strdup(it.value)) == NULL)
			abort();
	}
	if (r == -1)
		malformed = 1;
	query_iter_free(&it);

	got = query_get(text, "post", &bad);
	/* Before the first malformed pair, both see the same value. */
	if (!malformed && !bad &&
	    ((got == NULL) != (first == NULL) ||
	        (got != NULL && strcmp(got, first) != 0)))
		abort();
	free(got);
	free(first);
	free(text);
	return (0);
}

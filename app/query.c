#include <stdlib.h>
#include <string.h>

#include "query.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Decodes n bytes of s into a new string; NULL if malformed. */
static char *
decode(const char *s, size_t n, size_t *outlen)
{
	char  *out;
	size_t i, o;
	int    hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		abort();
	for (i = 0, o = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				goto bad;
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				goto bad;
			out[o] = (char)(hi << 4 | lo);
			/* A NUL would silently cut the value short later. */
			if (out[o] == '\0')
				goto bad;
			o++;
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return (out);
bad:
	free(out);
	return (NULL);
}

void
query_iter_init(struct query_iter *it, const char *qs)
{
	it->p = (qs != NULL && *qs != '\0') ? qs : NULL;
	it->name = NULL;
	it->value = NULL;
	it->value_len = 0;
}

void
query_iter_free(struct query_iter *it)
{
	free(it->name);
	free(it->value);
	it->name = NULL;
	it->value = NULL;
}

int
query_iter_next(struct query_iter *it)
{
	const char *end, *eq;
	size_t      n;

	query_iter_free(it);
	for (;;) {
		if (it->p == NULL)
			return (0);
		end = strchr(it->p, '&');
		n = end != NULL ? (size_t)(end - it->p) : strlen(it->p);
		if (n == 0) { /* "a=1&&b=2": skip empty pairs */
			it->p = end != NULL ? end + 1 : NULL;
			continue;
		}
		eq = memchr(it->p, '=', n);
		if (eq != NULL) {
			it->name = decode(it->p, (size_t)(eq - it->p), NULL);
			it->value = decode(eq + 1, n - (size_t)(eq - it->p) - 1,
			    &it->value_len);
		} else {
			it->name = decode(it->p, n, NULL);
			it->value = decode("", 0, &it->value_len);
		}
		it->p = end != NULL ? end + 1 : NULL;
		if (it->name == NULL || it->value == NULL) {
			query_iter_free(it);
			it->p = NULL;
			return (-1);
		}
		return (1);
	}
}

char *
query_get(const char *qs, const char *name, int *bad)
{
	struct query_iter it;
	char             *v;
	int               r;

	*bad = 0;
	v = NULL;
	query_iter_init(&it, qs);
	while ((r = query_iter_next(&it)) == 1) {
		if (strcmp(it.name, name) == 0) {
			v = it.value;
			it.value = NULL;
			break;
		}
	}
	if (r == -1)
		*bad = 1;
	query_iter_free(&it);
	return (v);
}

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cursor.h"

static const char sort_tag[] = { 'o', 'n', 't' };

int
cursor_sort_parse(const char *s, enum thread_sort *sort)
{
	if (s == NULL || strcmp(s, "oldest") == 0)
		*sort = SORT_OLDEST;
	else if (strcmp(s, "newest") == 0)
		*sort = SORT_NEWEST;
	else if (strcmp(s, "top") == 0)
		*sort = SORT_TOP;
	else
		return (-1);
	return (0);
}

void
cursor_encode(const struct cursor *c, char out[CURSOR_MAX])
{
	char plain[80];
	int  n;

	n = snprintf(plain, sizeof(plain),
	    "%c.%" PRId64 ".%" PRId64 ".%" PRId64, sort_tag[c->sort], c->score,
	    c->created_us, c->id);
	sodium_bin2base64(out, CURSOR_MAX, (const unsigned char *)plain,
	    (size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Strict decimal int64: digits with an optional '-', nothing else. */
static int
parse_i64(const char *s, const char *end, int64_t *out)
{
	char      tmp[24];
	char     *ep;
	long long v;
	size_t    n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(tmp))
		return (-1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[0] != '-' && (tmp[0] < '0' || tmp[0] > '9'))
		return (-1);
	errno = 0;
	v = strtoll(tmp, &ep, 10);
	if (errno != 0 || *ep != '\0')
		return (-1);
	*out = v;
	return (0);
}

int
cursor_decode(const char *text, enum thread_sort sort, struct cursor *c)
{
	unsigned char plain[80];
	size_t        n;
	const char   *p, *dot1, *dot2, *end;

	if (text == NULL || strlen(text) >= CURSOR_MAX)
		return (-1);
	if (sodium_base642bin(plain, sizeof(plain) - 1, text, strlen(text),
	        NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return (-1);
	plain[n] = '\0';
	if (memchr(plain, '\0', n) != NULL)
		return (-1);
	p = (const char *)plain;
	end = p + n;
	if (n < 2 || p[0] != sort_tag[sort] || p[1] != '.')
		return (-1);
	p += 2;
	if ((dot1 = memchr(p, '.', (size_t)(end - p))) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1))) == NULL)
		return (-1);
	c->sort = sort;
	if (parse_i64(p, dot1, &c->score) == -1 ||
	    parse_i64(dot1 + 1, dot2, &c->created_us) == -1 ||
	    parse_i64(dot2 + 1, end, &c->id) == -1 || c->id <= 0)
		return (-1);
	return (0);
}

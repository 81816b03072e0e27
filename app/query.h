/*
 * URL query strings (application/x-www-form-urlencoded): iterate over
 * name=value pairs, percent-decoded, repeated names kept in order.
 */
#ifndef PARLEY_QUERY_H
#define PARLEY_QUERY_H

#include <stddef.h>

struct query_iter {
	const char *p; /* next unread byte, NULL at the end */
	char       *name; /* decoded, owned by the iterator */
	char       *value;
	size_t      value_len;
};

void query_iter_init(struct query_iter *, const char *);
/* Advances to the next pair: 1 if there is one, 0 at the end, -1 if a pair
 * is malformed (bad %-escape or a NUL byte after decoding). */
int  query_iter_next(struct query_iter *);
void query_iter_free(struct query_iter *);

/* First value of name, decoded and newly allocated; NULL if absent.
 * *bad is set when the query string is malformed. */
char *query_get(const char *, const char *, int *bad);

#endif

/*
 * Opaque paging cursors for a thread's top-level comments. A cursor names
 * the last comment of a page by its sort key, so the next page starts right
 * after it whatever was posted meanwhile.
 */
#ifndef PARLEY_CURSOR_H
#define PARLEY_CURSOR_H

#include <stddef.h>
#include <stdint.h>

enum thread_sort { SORT_OLDEST, SORT_NEWEST, SORT_TOP };

struct cursor {
	enum thread_sort sort;
	int64_t          score;
	int64_t          created_us;
	int64_t          id;
};

#define CURSOR_MAX 96 /* encoded length bound, NUL included */

/* Parses "oldest" | "newest" | "top"; -1 if none of them. */
int  cursor_sort_parse(const char *, enum thread_sort *);
void cursor_encode(const struct cursor *, char out[CURSOR_MAX]);
/* 0 on success; -1 if the text is not a cursor made for this sort. */
int cursor_decode(const char *, enum thread_sort, struct cursor *);

#endif

/*
 * A growable byte buffer for building responses and rendered HTML.
 * Pure C over libc: no Kore types, so unit tests link it directly.
 *
 * Allocation failure aborts: a worker that cannot allocate a few
 * kilobytes cannot answer anyway, and Kore restarts it.
 */
#ifndef PARLEY_BUF_H
#define PARLEY_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char  *data; /* always NUL-terminated when len > 0 or cap > 0 */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *);
void buf_free(struct buf *);
void buf_reset(struct buf *);
void buf_reserve(struct buf *, size_t);
void buf_puts(struct buf *, const char *);
/* The growing path of buf_append (and buf_putc). */
void buf_append_grow(struct buf *, const void *, size_t);

/* Inline: renderers and the importer append a byte or a few at a time,
 * millions of times an import; a call and a capacity check each was a
 * fifth of the importer's time. */
static inline void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n > 0 && n < b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else
		buf_append_grow(b, p, n);
}

static inline void
buf_putc(struct buf *b, char c)
{
	if (b->cap - b->len > 1) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
	} else
		buf_append_grow(b, &c, 1);
}
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the bytes to the caller (who frees them) and empties the buffer. */
char *buf_release(struct buf *, size_t *);

/* A copy of a string (the caller frees it), for code that keeps one;
 * like a buf's growth, aborts when memory runs out. */
char *xstrdup(const char *);

#endif

/*
 * Markdown to allowlisted HTML for comment bodies.
 * Pure C over libc and md4c: no Kore types, so unit tests link it directly.
 *
 * The output only ever contains the tags p br em strong code pre
 * blockquote ul ol li a, and the only attributes are href and rel on <a>.
 * Everything else in the source is degraded to escaped text.
 */
#ifndef PARLEY_MARKDOWN_H
#define PARLEY_MARKDOWN_H

#include <stddef.h>

struct buf;

/*
 * Quotes and lists nest at most this deep, counted together ("> - > x" is
 * three levels): a deeper one is rendered flat, its content at the
 * deepest level allowed, so 9,990 '>' make eight <blockquote>s, not
 * 9,990.
 */
#define MARKDOWN_NEST_MAX 8

/*
 * The bound on the output: markdown_render appends at most
 * MARKDOWN_OUT_MAX(len) bytes (and the NUL) for len bytes of source.
 * Text costs at most MARKDOWN_TEXT_FACTOR bytes a source byte ('"' is
 * written "&quot;"); markup (tags, link targets, the line breaks standing
 * in for dropped blocks) at most MARKDOWN_MARKUP_FACTOR a source byte
 * plus MARKDOWN_MARKUP_SLACK, so a short comment may hold a few links.
 * Markup past that budget is left out and its text stays: a thousand
 * uses of one long reference link become plain text after the first
 * few.
 */
#define MARKDOWN_TEXT_FACTOR   6
#define MARKDOWN_MARKUP_FACTOR 2
#define MARKDOWN_MARKUP_SLACK  1024
#define MARKDOWN_OUT_MAX(len)                                                  \
	((size_t)(len) * (MARKDOWN_TEXT_FACTOR + MARKDOWN_MARKUP_FACTOR) +     \
	    MARKDOWN_MARKUP_SLACK)

/* Renders Markdown source (UTF-8, len bytes) as allowlisted HTML appended
 * to out; out->data is NUL-terminated afterwards, even if nothing was
 * appended. At most MARKDOWN_OUT_MAX(len) bytes are appended. Returns 0
 * on success, -1 if md4c fails (out may then hold partial output; caller
 * resets). */
int markdown_render(struct buf *out, const char *src, size_t len);

/*
 * The text a reader sees in what markdown_render makes of the same
 * source, for word filters: no tags, nothing escaped, a newline where a
 * block ends or a line breaks, NUL bytes as U+FFFD, and after the text
 * the targets of its links, one a line (a link hides its target, not
 * from the filters). Appended to out, NUL-terminated. 0, or -1 if md4c
 * fails.
 */
int markdown_text(struct buf *out, const char *src, size_t len);

#endif

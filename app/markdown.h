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

/* Renders Markdown source (UTF-8, len bytes) as allowlisted HTML appended
 * to out; out->data is NUL-terminated afterwards, even if nothing was
 * appended. Returns 0 on success, -1 if md4c fails (out may then hold
 * partial output; caller resets). */
int	markdown_render(struct buf *out, const char *src, size_t len);

#endif

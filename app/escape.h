/*
 * Escapers for the two output languages Parley writes: HTML and JSON.
 * Every user-supplied string goes through one of these on its way out.
 */
#ifndef PARLEY_ESCAPE_H
#define PARLEY_ESCAPE_H

#include <stddef.h>

struct buf;

/* Escapes & < > " ' so the text is safe in element content and in
 * double- or single-quoted attribute values. */
void	escape_html(struct buf *, const char *, size_t);

/* Appends a JSON string literal, quotes included. Control characters,
 * quote and backslash are escaped; so are '<', '>', '&' and U+2028/9, so the
 * output is also safe inside an HTML <script> block. Invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON. */
void	escape_json(struct buf *, const char *, size_t);
void	escape_json_cstr(struct buf *, const char *);	/* NULL -> null */

#endif

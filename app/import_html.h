/*
 * Imported comment bodies (HTML from WordPress and Disqus exports) to
 * Markdown source for markdown_render, so an imported comment looks,
 * escapes and edits like one typed into Parley.
 * Pure C over libc and libxml2: no Kore types, so unit tests link it.
 *
 * The allowlisted elements (p br em/i strong/b code pre blockquote ul ol
 * li, and a to http, https and mailto) become their Markdown; everything
 * else becomes its text, escaped so that it renders as that text. The
 * contents of script, style, iframe, object and the like are dropped.
 * Quotes and lists nest at most MARKDOWN_NEST_MAX deep, counted together
 * as markdown.c counts them; deeper ones are flattened into the deepest.
 */
#ifndef PARLEY_IMPORT_HTML_H
#define PARLEY_IMPORT_HTML_H

#include <stddef.h>

struct buf;

/* WordPress: the content has no <p>; a blank line separates paragraphs
 * and a single newline is a line break, as wpautop shows it. */
#define IMPORT_HTML_BARE_LINES 0x01

/*
 * The bound on the output: import_html_to_markdown appends at most
 * IMPORT_HTML_OUT_MAX(len) bytes for len bytes of HTML. Text costs at
 * most 2 bytes a byte of input (a backslash before '*'); markup (line
 * prefixes, delimiters, link targets, fences) is paid from a budget of
 * 2 bytes a byte plus 64 and, past it, is left out with its text kept.
 */
#define IMPORT_HTML_OUT_MAX(len) ((size_t)(len)*4 + 64)

/*
 * 0 when in (len bytes) can be a body for import_html_to_markdown, or -1
 * when it cannot (a NUL byte, invalid UTF-8, too long), with the reason
 * in the static string *why: what that function refuses, found without
 * converting.
 */
int import_html_check(const char *in, size_t len, const char **why);

/*
 * Converts an imported comment body (HTML, len bytes) to Markdown source
 * for markdown_render, appended to out (NUL-terminated afterwards).
 * flags: IMPORT_HTML_BARE_LINES or 0. Returns 0 (an empty or blank body
 * appends nothing: the caller decides), or -1 when in is not a body at
 * all (a NUL byte, invalid UTF-8), with the reason in the static string
 * *why and nothing appended.
 */
int import_html_to_markdown(const char *in, size_t len, int flags,
    struct buf *out, const char **why);

#endif

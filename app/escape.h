/*
 * Escapers for the two output languages Parley writes, HTML and JSON,
 * and the cleaner for plain text (moderators' reasons, log lines, header
 * values, receivers' answers). Every user-supplied string goes through
 * one of these on its way out.
 */
#ifndef PARLEY_ESCAPE_H
#define PARLEY_ESCAPE_H

#include <stddef.h>

struct buf;

/* Escapes & < > " ' so the text is safe in element content and in
 * double- or single-quoted attribute values. */
void escape_html(struct buf *, const char *, size_t);

/* Appends a JSON string literal, quotes included. Control characters,
 * quote and backslash are escaped; so are '<', '>', '&' and U+2028/9, so the
 * output is also safe inside an HTML <script> block. Invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON. */
void escape_json(struct buf *, const char *, size_t);
void escape_json_cstr(struct buf *, const char *); /* NULL -> null */

/* escape_text_clean's flags. */
#define ESCAPE_TEXT_ASCII   0x01 /* keep nothing outside ASCII */
#define ESCAPE_TEXT_LINES   0x02 /* keep tab, CR and LF */
#define ESCAPE_TEXT_SQUEEZE 0x04 /* a run of what goes: one space */

/*
 * Appends untrusted text (n bytes of s) as text fit to show or to log,
 * at most max bytes of it (SIZE_MAX: no limit), cut before the first
 * character that does not fit, never inside one. Valid UTF-8 characters
 * stay, except control characters (C0, DEL and C1; tab, CR and LF stay
 * with ESCAPE_TEXT_LINES) and, with ESCAPE_TEXT_ASCII, every character
 * outside ASCII. What goes is replaced: each such character, and each
 * byte that is not UTF-8 (a character cut at the end too), becomes
 * '?'; with ESCAPE_TEXT_SQUEEZE instead a run of them becomes one space,
 * and a run at the end nothing. The output is valid UTF-8 (ASCII with
 * ESCAPE_TEXT_ASCII) without NUL, and without line breaks unless
 * ESCAPE_TEXT_LINES.
 */
void escape_text_clean(struct buf *, const char *, size_t n, size_t max,
    int flags);

#endif

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include <unistr.h>

void
escape_html(struct buf *b, const char *s, size_t n)
{
	size_t      i, start;
	const char *rep;

	start = 0;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, n - start);
}

void
escape_json(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t    *p = (const uint8_t *)s;
	size_t            i, clen;
	ucs4_t            cp;
	int               r;

	buf_reserve(b, n + 2);
	buf_putc(b, '"');
	for (i = 0; i < n; i += clen) {
		r = u8_mbtoucr(&cp, p + i, n - i);
		clen = r > 0 ? (size_t)r : 0;
		if (clen == 0) {
			/* Invalid byte: replace it and move on by one. */
			buf_puts(b, "\\ufffd");
			clen = 1;
			continue;
		}
		switch (cp) {
		case '"':
			buf_puts(b, "\\\"");
			continue;
		case '\\':
			buf_puts(b, "\\\\");
			continue;
		case '\n':
			buf_puts(b, "\\n");
			continue;
		case '\r':
			buf_puts(b, "\\r");
			continue;
		case '\t':
			buf_puts(b, "\\t");
			continue;
		case '<':
		case '>':
		case '&':
		case 0x2028:
		case 0x2029:
			break;
		default:
			if (cp >= 0x20 && cp != 0x7f) {
				buf_append(b, s + i, clen);
				continue;
			}
			break;
		}
		buf_puts(b, "\\u");
		buf_putc(b, hex[(cp >> 12) & 0xf]);
		buf_putc(b, hex[(cp >> 8) & 0xf]);
		buf_putc(b, hex[(cp >> 4) & 0xf]);
		buf_putc(b, hex[cp & 0xf]);
	}
	buf_putc(b, '"');
}

void
escape_json_cstr(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_puts(b, "null");
	else
		escape_json(b, s, strlen(s));
}

/* Whether escape_text_clean keeps the character c. */
static int
text_keeps(ucs4_t c, int flags)
{
	if (c == '\t' || c == '\n' || c == '\r')
		return ((flags & ESCAPE_TEXT_LINES) != 0);
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return (0);
	if (flags & ESCAPE_TEXT_ASCII)
		return (c < 0x7f);
	return (1);
}

void
escape_text_clean(struct buf *b, const char *s, size_t n, size_t max, int flags)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t         i, k, used;
	ucs4_t         c;
	int            r, run;

	used = 0;
	run = 0;
	for (i = 0; i < n; i += k) {
		r = u8_mbtoucr(&c, p + i, n - i);
		k = r > 0 ? (size_t)r : 1;
		if (r <= 0 || !text_keeps(c, flags)) {
			if (flags & ESCAPE_TEXT_SQUEEZE) {
				/* Written only if a character follows. */
				run = 1;
				continue;
			}
			if (used == max)
				break;
			buf_putc(b, '?');
			used++;
			continue;
		}
		if (k + (size_t)run > max - used)
			break;
		if (run)
			buf_putc(b, ' ');
		buf_append(b, s + i, k);
		used += k + (size_t)run;
		run = 0;
	}
}

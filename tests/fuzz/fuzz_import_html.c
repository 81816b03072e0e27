/*
 * libFuzzer harness for app/import_html.c. Any bytes, read both as
 * Disqus HTML and as WordPress content (IMPORT_HTML_BARE_LINES): a NUL
 * byte or invalid UTF-8 is refused with a reason and nothing written;
 * anything else converts, within IMPORT_HTML_OUT_MAX, to valid UTF-8
 * that markdown_render takes. What a reader sees is the text of the
 * HTML, character for character but for whitespace: no Markdown
 * punctuation in it turned into markup or vanished, nothing added. And
 * text alone (no markup, no entity, nothing md4c would link) renders as
 * one paragraph of exactly that text, its whitespace collapsed as a
 * browser shows it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <unistr.h>

#include "buf.h"
#include "escape.h"
#include "import_html.h"
#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What import_html.c drops, contents and all. */
static const char *const skipped[] = {
	"applet",
	"audio",
	"canvas",
	"embed",
	"frame",
	"frameset",
	"head",
	"iframe",
	"math",
	"noembed",
	"noframes",
	"noscript",
	"object",
	"script",
	"select",
	"style",
	"svg",
	"template",
	"textarea",
	"title",
	"video",
};

static int
is_space(uint8_t c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/* Appends s without whitespace (HTML's, and the form feed). */
static void
put_dense(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_space((uint8_t)s[i]) && s[i] != '\f')
			buf_putc(b, s[i]);
	}
}

/* The text of the tree, as a browser shows it, less whitespace. The
 * parser nests at most 256 deep: recursion is fine here. */
static void
tree_text(struct buf *b, xmlNode *n)
{
	xmlChar *alt;
	size_t   i;

	for (; n != NULL; n = n->next) {
		if ((n->type == XML_TEXT_NODE ||
		        n->type == XML_CDATA_SECTION_NODE) &&
		    n->content != NULL)
			put_dense(b, (const char *)n->content,
			    strlen((const char *)n->content));
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
			if (strcmp((const char *)n->name, skipped[i]) == 0)
				break;
		}
		if (i < sizeof(skipped) / sizeof(skipped[0]))
			continue;
		if (strcmp((const char *)n->name, "img") == 0 &&
		    (alt = xmlGetProp(n, BAD_CAST "alt")) != NULL) {
			put_dense(b, (const char *)alt,
			    strlen((const char *)alt));
			xmlFree(alt);
		}
		tree_text(b, n->children);
	}
}

/* The text of markdown_render's HTML, less whitespace: its tags out, its
 * five entities decoded. */
static void
html_text(struct buf *b, const char *p)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;",
		"&#39;" };
	size_t                   k;

	while (*p != '\0') {
		if (*p == '<') {
			p = strchr(p, '>') + 1;
			continue;
		}
		for (k = 0; *p == '&' && k < 5; k++) {
			if (strncmp(p, ents[k], strlen(ents[k])) == 0)
				break;
		}
		if (*p == '&' && k < 5) {
			buf_putc(b, "&<>\"'"[k]);
			p += strlen(ents[k]);
			continue;
		}
		put_dense(b, p, 1);
		p++;
	}
}

/* What the reader sees is the HTML's text. */
static void
check_text(const uint8_t *data, size_t size, const char *html)
{
	struct buf want, got;
	htmlDocPtr doc;

	doc = htmlReadMemory((const char *)data, (int)size, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	buf_init(&want);
	buf_append(&want, "", 0);
	if (doc != NULL)
		tree_text(&want, doc->children);
	xmlFreeDoc(doc);
	buf_init(&got);
	buf_append(&got, "", 0);
	html_text(&got, html);
	if (strcmp(want.data, got.data) != 0)
		abort();
	buf_free(&want);
	buf_free(&got);
}

/*
 * Whether the input is plain text to the HTML parser and to md4c: no
 * '<' or '&', no control character the parser drops (it keeps tab, LF
 * and CR), no BOM or noncharacter it drops, and no ':', '@' or "ww"
 * that could make an autolink.
 */
static int
is_plain_text(const uint8_t *p, size_t n)
{
	size_t i;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (p[i] == '<' || p[i] == '&' || p[i] == ':' || p[i] == '@' ||
		    (p[i] < 0x20 && !is_space(p[i])))
			return (0);
		if ((p[i] | 0x20) == 'w' && i + 1 < n &&
		    (p[i + 1] | 0x20) == 'w')
			return (0);
		if (p[i] == 0xef && i + 2 < n && p[i + 1] == 0xbf &&
		    (p[i + 2] == 0xbe || p[i + 2] == 0xbf))
			return (0);
	}
	return (1);
}

/* The paragraph a browser shows for plain text. */
static void
plain_html(struct buf *want, const uint8_t *p, size_t n)
{
	struct buf text;
	size_t     i;
	int        space = 0;

	buf_init(&text);
	for (i = 0; i < n; i++) {
		if (is_space(p[i])) {
			space = text.len > 0;
			continue;
		}
		if (space)
			buf_putc(&text, ' ');
		space = 0;
		buf_putc(&text, (char)p[i]);
	}
	buf_append(want, "", 0);
	if (text.len > 0) {
		buf_puts(want, "<p>");
		escape_html(want, text.data, text.len);
		buf_puts(want, "</p>\n");
	}
	buf_free(&text);
}

static void
check(const uint8_t *data, size_t size, int flags)
{
	struct buf  md, html, want;
	const char *why = NULL;
	int         rc, valid;

	valid =
	    memchr(data, '\0', size) == NULL && u8_check(data, size) == NULL;
	buf_init(&md);
	rc =
	    import_html_to_markdown((const char *)data, size, flags, &md, &why);
	if (!valid) {
		if (rc != -1 || why == NULL || md.len != 0)
			abort();
		buf_free(&md);
		return;
	}
	if (rc != 0 || md.data == NULL || md.len > IMPORT_HTML_OUT_MAX(size) ||
	    strlen(md.data) != md.len ||
	    u8_check((const uint8_t *)md.data, md.len) != NULL)
		abort();

	buf_init(&html);
	if (markdown_render(&html, md.data, md.len) != 0)
		abort();
	check_text(data, size, html.data);
	if (flags == 0 && is_plain_text(data, size)) {
		buf_init(&want);
		plain_html(&want, data, size);
		if (strcmp(html.data, want.data) != 0)
			abort();
		buf_free(&want);
	}
	buf_free(&html);
	buf_free(&md);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, 0);
	check(data, size, IMPORT_HTML_BARE_LINES);
	return (0);
}

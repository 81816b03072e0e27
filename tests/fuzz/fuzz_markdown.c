/*
 * libFuzzer harness for app/markdown.c: any bytes render, within the
 * bound of markdown.h, to HTML of the allowlist only (every tag checked,
 * properly nested, quotes and lists at most MARKDOWN_NEST_MAX deep, links
 * only to http, https and mailto), and markdown_text never fails where
 * markdown_render did not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REL "\" rel=\"nofollow ugc noopener\">"

static const char *const tags[] = {
	"p",
	"br",
	"em",
	"strong",
	"code",
	"pre",
	"blockquote",
	"ul",
	"ol",
	"li",
	"a",
};
static const char *const entities[] = {
	"&amp;",
	"&lt;",
	"&gt;",
	"&quot;",
	"&#39;",
};

#define NTAGS     (sizeof(tags) / sizeof(tags[0]))
#define NENTITIES (sizeof(entities) / sizeof(entities[0]))

static int
is_container(const char *tag)
{
	return (strcmp(tag, "blockquote") == 0 || strcmp(tag, "ul") == 0 ||
	    strcmp(tag, "ol") == 0);
}

/* The length of the entity at p, or 0 if there is none. */
static size_t
entity_at(const char *p)
{
	size_t i;

	for (i = 0; i < NENTITIES; i++) {
		if (strncmp(p, entities[i], strlen(entities[i])) == 0)
			return (strlen(entities[i]));
	}
	return (0);
}

/* An href: no space, control or quote, escapes only, an allowed scheme. */
static const char *
href_end(const char *p)
{
	const char *v = p;
	size_t      e;

	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0 &&
	    strncasecmp(v, "http://", 7) != 0 &&
	    strncasecmp(v, "https://", 8) != 0 &&
	    strncasecmp(v, "mailto:", 7) != 0)
		abort();
	for (; *p != '"'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == '\'')
			abort();
		if (*p == '&') {
			if ((e = entity_at(p)) == 0)
				abort();
			p += e - 1;
		}
	}
	return (p);
}

static void
check_html(const char *html)
{
	const char **stack = NULL;
	const char  *p, *name;
	size_t       depth = 0, cap = 0, containers = 0, i, n, e;
	int          closing;

	for (p = html; *p != '\0';) {
		if (*p == '>' || *p == '"' || *p == '\'')
			abort();
		if (*p == '&') {
			if ((e = entity_at(p)) == 0)
				abort();
			p += e;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		closing = *++p == '/';
		if (closing)
			p++;
		for (n = 0; p[n] >= 'a' && p[n] <= 'z'; n++)
			;
		for (i = 0; i < NTAGS; i++) {
			if (strlen(tags[i]) == n && strncmp(tags[i], p, n) == 0)
				break;
		}
		if (i == NTAGS)
			abort();
		name = tags[i];
		p += n;
		if (closing) {
			if (*p++ != '>' || depth == 0 ||
			    stack[depth - 1] != name)
				abort();
			if (is_container(name))
				containers--;
			depth--;
			continue;
		}
		if (strcmp(name, "a") == 0) {
			for (i = 0; i < depth; i++) {
				if (strcmp(stack[i], "a") == 0)
					abort();
			}
			if (strncmp(p, " href=\"", 7) != 0)
				abort();
			p = href_end(p + 7);
			if (strncmp(p, REL, strlen(REL)) != 0)
				abort();
			p += strlen(REL);
		} else if (*p++ != '>')
			abort();
		if (strcmp(name, "br") == 0)
			continue;
		if (is_container(name) && ++containers > MARKDOWN_NEST_MAX)
			abort();
		if (depth == cap) {
			cap = cap ? cap * 2 : 64;
			if ((stack = realloc(stack, cap * sizeof(*stack))) ==
			    NULL)
				abort();
		}
		stack[depth++] = name;
	}
	if (depth != 0)
		abort();
	free(stack);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf html, text;
	int        rc;

	buf_init(&html);
	rc = markdown_render(&html, (const char *)data, size);
	if (rc == 0) {
		if (html.len > MARKDOWN_OUT_MAX(size) ||
		    strlen(html.data) != html.len)
			abort();
		check_html(html.data);
	}
	buf_free(&html);

	buf_init(&text);
	if (markdown_text(&text, (const char *)data, size) != rc)
		abort();
	buf_free(&text);
	return (0);
}

/*
 * Unit tests for app/import_html.c: the Markdown written for each
 * element, then round trips through markdown_render (an imported comment
 * must look, escape and edit like a native one), hostile text, bad input,
 * nesting and size bombs, and seeded fuzz runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "escape.h"
#include "import_html.h"
#include "markdown.h"

#define REL "\" rel=\"nofollow ugc noopener\">"
#define WP  IMPORT_HTML_BARE_LINES

static char    *convert_n(const char *, size_t, int);
static char    *convert(const char *, int);
static char    *render_md(const char *);
static void     expect_md(const char *, int, const char *);
static void     expect_html(const char *, int, const char *);
static void     expect_both(const char *, int, const char *, const char *);
static char    *repeat(const char *, const char *, size_t, const char *);
static size_t   count(const char *, const char *);
static size_t   container_depth(const char *);
static double   now(void);
static uint32_t rnd(uint32_t *);

/* Converts len bytes of HTML, checks the bound and the C string, and
 * returns the Markdown; never NULL. */
static char *
convert_n(const char *in, size_t len, int flags)
{
	struct buf  b;
	const char *why = NULL;
	char       *s;
	size_t      n;

	buf_init(&b);
	cr_assert_eq(import_html_to_markdown(in, len, flags, &b, &why), 0,
	    "failed (%s) on \"%.200s\"", why ? why : "?", in);
	s = buf_release(&b, &n);
	cr_assert_not_null(s);
	cr_assert_eq(strlen(s), n, "NUL byte in output for \"%.200s\"", in);
	cr_assert_leq(n, IMPORT_HTML_OUT_MAX(len),
	    "%zu bytes of Markdown for %zu of HTML", n, len);
	return (s);
}

static char *
convert(const char *in, int flags)
{
	return (convert_n(in, strlen(in), flags));
}

static char *
render_md(const char *md)
{
	struct buf b;
	size_t     n;

	buf_init(&b);
	cr_assert_eq(markdown_render(&b, md, strlen(md)), 0);
	return (buf_release(&b, &n));
}

static void
expect_md(const char *in, int flags, const char *want)
{
	char *got;

	got = convert(in, flags);
	cr_expect_str_eq(got, want, "input: \"%s\"", in);
	free(got);
}

/* The round trip: what markdown_render makes of the Markdown. */
static void
expect_html(const char *in, int flags, const char *want)
{
	char *md, *html;

	md = convert(in, flags);
	html = render_md(md);
	cr_expect_str_eq(html, want, "input: \"%s\"\nmarkdown: \"%s\"", in, md);
	free(html);
	free(md);
}

static void
expect_both(const char *in, int flags, const char *md, const char *html)
{
	expect_md(in, flags, md);
	expect_html(in, flags, html);
}

/* head, unit n times, tail. */
static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	struct buf b;
	size_t     len;

	buf_init(&b);
	buf_puts(&b, head);
	while (n-- > 0)
		buf_puts(&b, unit);
	buf_puts(&b, tail);
	return (buf_release(&b, &len));
}

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return (n);
}

/* The deepest nesting of blockquote, ul and ol together in HTML. */
static size_t
container_depth(const char *html)
{
	size_t      d = 0, max = 0;
	const char *p;

	for (p = html; (p = strchr(p, '<')) != NULL; p++) {
		if (strncmp(p, "<blockquote>", 12) == 0 ||
		    strncmp(p, "<ul>", 4) == 0 || strncmp(p, "<ol>", 4) == 0) {
			if (++d > max)
				max = d;
		} else if (strncmp(p, "</blockquote>", 13) == 0 ||
		    strncmp(p, "</ul>", 5) == 0 || strncmp(p, "</ol>", 5) == 0)
			d--;
	}
	return (max);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* xorshift32: the same runs every time. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/*
 * The interface.
 */

Test(import_html, empty_and_blank)
{
	struct buf  b;
	const char *why = NULL;

	buf_init(&b);
	cr_assert_eq(import_html_to_markdown("", 0, 0, &b, &why), 0);
	cr_assert_not_null(b.data);
	cr_assert_str_eq(b.data, "");
	cr_assert_eq(import_html_to_markdown(" \n\t\r\n ", 6, WP, &b, &why), 0);
	cr_assert_eq(b.len, 0);
	buf_free(&b);

	/* Nothing to show is nothing, too. */
	expect_md("<p></p><p> </p>", 0, "");
	expect_md("<ul><li></li></ul><blockquote> </blockquote>", 0, "");
	expect_md("<script>x</script><!-- c --><img src=x>", 0, "");
	expect_md("<pre>\n</pre><code> </code>", 0, "");
}

Test(import_html, appends)
{
	struct buf  b;
	const char *why = NULL;

	buf_init(&b);
	buf_puts(&b, "X");
	cr_assert_eq(import_html_to_markdown("<p>a</p>", 8, 0, &b, &why), 0);
	cr_assert_str_eq(b.data, "Xa");
	/* Escaping decisions look at this call's output only. */
	cr_assert_eq(import_html_to_markdown("<em>b</em>", 10, 0, &b, &why), 0);
	cr_assert_str_eq(b.data, "Xa*b*");
	buf_free(&b);
}

Test(import_html, not_a_body)
{
	static const struct {
		const char *in;
		size_t      len;
		const char *why;
	} bad[] = {
		{ "a\0b", 3, "NUL byte" }, { "<p>\0</p>", 8, "NUL byte" },
		{ "caf\xe9", 4, "invalid UTF-8" },
		{ "\xc0\xaf", 2, "invalid UTF-8" }, /* overlong '/' */
		{ "\xed\xa0\x80", 3, "invalid UTF-8" }, /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, "invalid UTF-8" }, /* > U+10FFFF */
		{ "<p>\xe2\x82</p>", 9, "invalid UTF-8" }, /* cut short */
	};
	struct buf  b;
	const char *why;
	size_t      i;

	buf_init(&b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_expect_eq(import_html_to_markdown(bad[i].in, bad[i].len, 0,
		                 &b, &why),
		    -1, "case %zu", i);
		cr_expect_str_eq(why, bad[i].why, "case %zu", i);
		cr_expect_eq(b.len, 0, "case %zu appended", i);
	}
	buf_free(&b);
}

/*
 * Each element.
 */

Test(import_html, paragraphs)
{
	expect_both("<p>one</p><p>two</p>", 0, "one\n\ntwo",
	    "<p>one</p>\n<p>two</p>\n");
	expect_md("plain", 0, "plain");
	/* Whitespace collapses as HTML shows it. */
	expect_md("<p>  a \n\t b  </p>\n\n  <p>\nc\n</p>", 0, "a b\n\nc");
	expect_md("a<div>b</div>c", 0, "a\n\nb\n\nc");
}

Test(import_html, line_breaks)
{
	expect_both("a<br>b<br/>c", 0, "a\\\nb\\\nc", "<p>a<br>b<br>c</p>\n");
	expect_html("a<br><br>b", 0, "<p>a<br><br>b</p>\n");
	/* A break at either end of a paragraph shows nothing. */
	expect_md("<p><br>a<br></p><p>b</p>", 0, "a\n\nb");
	expect_md("a <br> b", 0, "a\\\nb");
}

Test(import_html, emphasis)
{
	expect_both("<em>a</em> <i>b</i>", 0, "*a* *b*",
	    "<p><em>a</em> <em>b</em></p>\n");
	expect_both("<strong>a</strong> <b>b</b>", 0, "**a** **b**",
	    "<p><strong>a</strong> <strong>b</strong></p>\n");
	expect_html("<b><i>both</i></b>", 0,
	    "<p><em><strong>both</strong></em></p>\n");
	expect_html("<em>a <strong>b</strong> c</em>", 0,
	    "<p><em>a <strong>b</strong> c</em></p>\n");
	/* Spaces at the ends go outside the delimiters. */
	expect_md("x<em> a </em>y", 0, "x *a* y");
	/* Inside a word. */
	expect_both("un<em>believ</em>able", 0, "un*believ*able",
	    "<p>un<em>believ</em>able</p>\n");
	/* Nested twice is once; empty is nothing. */
	expect_md("<em><i>a</i></em><em></em><b> </b>", 0, "*a*");
	/* One after another of a kind is one; of another kind, text (a
	 * run of '*' closing one and opening the other could pair with
	 * an emphasis around them instead). */
	expect_both("<em>a</em><em>b</em> <b>c</b><b>d</b>", 0, "*ab* **cd**",
	    "<p><em>ab</em> <strong>cd</strong></p>\n");
	expect_both("<em>a</em><strong>b</strong>", 0, "*a*b",
	    "<p><em>a</em>b</p>\n");
	expect_html("<em>end.</em>", 0, "<p><em>end.</em></p>\n");
	expect_html("(<em>&quot;q&quot;</em>)", 0,
	    "<p>(<em>&quot;q&quot;</em>)</p>\n");
}

/* Where CommonMark would not read '*' as emphasis, the text stays plain
 * rather than showing stray asterisks. */
Test(import_html, emphasis_needs_flanking)
{
	expect_both("a<em>\"b\"</em>c", 0, "a\"b\"c",
	    "<p>a&quot;b&quot;c</p>\n");
	expect_both("x<em>a!</em>b", 0, "xa!b", "<p>xa!b</p>\n");
	expect_both("x<strong>a!</strong>b <em>c</em>", 0, "xa!b *c*",
	    "<p>xa!b <em>c</em></p>\n");
	expect_html("<em>\xe2\x80\x9cq\xe2\x80\x9d</em> x", 0,
	    "<p><em>\xe2\x80\x9cq\xe2\x80\x9d</em> x</p>\n");
}

/* A paragraph ends an emphasis or a link; it opens again after. */
Test(import_html, inline_across_blocks)
{
	expect_both("<em>a<p>b</p>c</em>", 0, "*a*\n\n*b*\n\n*c*",
	    "<p><em>a</em></p>\n<p><em>b</em></p>\n<p><em>c</em></p>\n");
	expect_both("<a href=\"http://x\"><p>one</p><p>two</p></a>", 0,
	    "[one](http://x)\n\n[two](http://x)",
	    "<p><a href=\"http://x" REL "one</a></p>\n"
	    "<p><a href=\"http://x" REL "two</a></p>\n");
	expect_md("<em>q<blockquote>r</blockquote></em>", 0, "*q*\n\n> *r*");
}

Test(import_html, code_span)
{
	expect_both("<code>a < b && c</code>", 0, "`a < b && c`",
	    "<p><code>a &lt; b &amp;&amp; c</code></p>\n");
	expect_both("<code>a`b</code>", 0, "``a`b``",
	    "<p><code>a`b</code></p>\n");
	expect_both("<code>`x`</code>", 0, "`` `x` ``",
	    "<p><code>`x`</code></p>\n");
	expect_both("<code>*not* [em](x)</code>", 0, "`*not* [em](x)`",
	    "<p><code>*not* [em](x)</code></p>\n");
	/* Whitespace collapses, its ends go outside. */
	expect_md("x<code> a \n b </code>y", 0, "x `a b` y");
	/* Two in a row would share their backticks: the second is text. */
	expect_both("<code>a</code><code>b</code>", 0, "`a`b",
	    "<p><code>a</code>b</p>\n");
	expect_md("<code>a<b>b</b><br>c</code>", 0, "`ab c`");
}

Test(import_html, code_block)
{
	expect_both("<pre>int x = a < b;\n  y();</pre>", 0,
	    "```\nint x = a < b;\n  y();\n```",
	    "<pre><code>int x = a &lt; b;\n  y();\n</code></pre>\n");
	/* pre>code, the newline after <pre> dropped, backticks inside. */
	expect_both("<pre><code>\n``` not a fence\n````\n</code></pre>", 0,
	    "`````\n``` not a fence\n````\n`````",
	    "<pre><code>``` not a fence\n````\n</code></pre>\n");
	expect_both("<pre>*a* &lt;b&gt; &amp; \\</pre>", 0,
	    "```\n*a* <b> & \\\n```",
	    "<pre><code>*a* &lt;b&gt; &amp; \\\n</code></pre>\n");
	expect_md("<pre>a<br>b<b>c</b>\r\nd\re</pre>", 0,
	    "```\na\nbc\nd\ne\n```");
	expect_both("<p>before</p><pre>x\n\ny</pre><p>after</p>", 0,
	    "before\n\n```\nx\n\ny\n```\n\nafter",
	    "<p>before</p>\n<pre><code>x\n\ny\n</code></pre>\n"
	    "<p>after</p>\n");
	expect_both("<blockquote><pre>a\n\nb</pre></blockquote>", 0,
	    "> ```\n> a\n>\n> b\n> ```",
	    "<blockquote>\n<pre><code>a\n\nb\n</code></pre>\n"
	    "</blockquote>\n");
}

Test(import_html, blockquote)
{
	expect_both("<blockquote>q</blockquote>", 0, "> q",
	    "<blockquote>\n<p>q</p>\n</blockquote>\n");
	expect_both("<blockquote><p>a</p><p>b</p></blockquote>c", 0,
	    "> a\n>\n> b\n\nc",
	    "<blockquote>\n<p>a</p>\n<p>b</p>\n</blockquote>\n<p>c</p>\n");
	expect_both("<blockquote>a<blockquote>b</blockquote>c</blockquote>", 0,
	    "> a\n>\n> > b\n>\n> c",
	    "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n"
	    "</blockquote>\n<p>c</p>\n</blockquote>\n");
	/* Two quotes in a row stay two. */
	expect_both("<blockquote>a</blockquote><blockquote>b</blockquote>", 0,
	    "> a\n\n> b",
	    "<blockquote>\n<p>a</p>\n</blockquote>\n<blockquote>\n<p>b</p>\n"
	    "</blockquote>\n");
	expect_both("<blockquote>a<br>b</blockquote>", 0, "> a\\\n> b",
	    "<blockquote>\n<p>a<br>b</p>\n</blockquote>\n");
}

Test(import_html, lists)
{
	expect_both("<ul><li>a</li><li>b</li></ul>", 0, "- a\n- b",
	    "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	expect_both("<ol><li>a</li><li>b</li></ol>", 0, "1. a\n2. b",
	    "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
	/* Empty items vanish and are not counted. */
	expect_md("<ol><li></li><li>a</li><li> </li><li>b</li></ol>", 0,
	    "1. a\n2. b");
	/* Two lists in a row stay two. */
	expect_both("<ul><li>a</li></ul><ul><li>b</li></ul>", 0, "- a\n\n+ b",
	    "<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n</ul>\n");
	expect_both("<ol><li>a</li></ol><ol><li>b</li></ol>", 0, "1. a\n\n1) b",
	    "<ol>\n<li>a</li>\n</ol>\n<ol>\n<li>b</li>\n</ol>\n");
	expect_both("<p>x</p><ul><li>a</li></ul><p>y</p>", 0, "x\n\n- a\n\ny",
	    "<p>x</p>\n<ul>\n<li>a</li>\n</ul>\n<p>y</p>\n");
	/* Paragraphs in items: a loose list. */
	expect_both("<ul><li><p>a</p><p>b</p></li><li>c</li></ul>", 0,
	    "- a\n\n  b\n- c",
	    "<ul>\n<li><p>a</p>\n<p>b</p>\n</li>\n<li><p>c</p>\n</li>\n"
	    "</ul>\n");
	/* Ten items: the markers widen, the indentation follows. */
	expect_html("<ol><li>1</li><li>2</li><li>3</li><li>4</li><li>5</li>"
	            "<li>6</li><li>7</li><li>8</li><li>9</li>"
	            "<li>ten<br>more</li></ol>",
	    0,
	    "<ol>\n<li>1</li>\n<li>2</li>\n<li>3</li>\n<li>4</li>\n"
	    "<li>5</li>\n<li>6</li>\n<li>7</li>\n<li>8</li>\n<li>9</li>\n"
	    "<li>ten<br>more</li>\n</ol>\n");
	/* An item outside a list is a paragraph. */
	expect_md("<li>stray</li>", 0, "stray");
}

Test(import_html, nested_lists)
{
	expect_both("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li>"
	            "<li>d</li></ul>",
	    0, "- a\n  - b\n    1. c\n- d",
	    "<ul>\n<li>a<ul>\n<li>b<ol>\n<li>c</li>\n</ol>\n</li>\n</ul>\n"
	    "</li>\n<li>d</li>\n</ul>\n");
	/* A list right inside a list hangs under the item before. */
	expect_both("<ul><li>a</li><ul><li>b</li></ul><li>c</li></ul>", 0,
	    "- a\n  - b\n- c",
	    "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>\n");
	expect_both("<ol><li>a<pre>x</pre></li><li>b<blockquote>q</blockquote>"
	            "</li></ol>",
	    0, "1. a\n   ```\n   x\n   ```\n2. b\n   > q",
	    "<ol>\n<li>a<pre><code>x\n</code></pre>\n</li>\n"
	    "<li>b<blockquote>\n<p>q</p>\n</blockquote>\n</li>\n</ol>\n");
	expect_both("<blockquote><ul><li>a<blockquote>b</blockquote></li>"
	            "</ul></blockquote>",
	    0, "> - a\n>   > b",
	    "<blockquote>\n<ul>\n<li>a<blockquote>\n<p>b</p>\n"
	    "</blockquote>\n</li>\n</ul>\n</blockquote>\n");
}

Test(import_html, links)
{
	expect_both("<a href=\"http://example.com/\">text</a>", 0,
	    "[text](http://example.com/)",
	    "<p><a href=\"http://example.com/" REL "text</a></p>\n");
	expect_both("<a href=\"HTTPS://x.com\">s</a> "
	            "<a href=\"mailto:a@b.c\">m</a>",
	    0, "[s](HTTPS://x.com) [m](mailto:a@b.c)",
	    "<p><a href=\"HTTPS://x.com" REL "s</a> <a href=\"mailto:a@b.c" REL
	    "m</a></p>\n");
	/* ')' '(' spaces and '<' '>' cannot break out of the target. */
	expect_both("<a href=\"http://x.com/a b)(c\">l</a>", 0,
	    "[l](http://x.com/a%20b\\)\\(c)",
	    "<p><a href=\"http://x.com/a%20b)(c" REL "l</a></p>\n");
	expect_both("<a href=\"http://x/<i>\\`\">l</a>", 0,
	    "[l](http://x/\\<i\\>\\\\\\`)",
	    "<p><a href=\"http://x/&lt;i&gt;\\`" REL "l</a></p>\n");
	expect_html("<a href=\"http://x/)[y](javascript:alert(1)\">l</a>", 0,
	    "<p><a href=\"http://x/)[y](javascript:alert(1)" REL "l</a></p>\n");
	/* Entities are decoded once, by the parser; one that would be
	 * decoded again is escaped. */
	expect_both("<a href=\"http://x/?a=1&amp;b=2&amp;copy;\">q</a>", 0,
	    "[q](http://x/?a=1&b=2\\&copy;)",
	    "<p><a href=\"http://x/?a=1&amp;b=2&amp;copy;" REL "q</a></p>\n");
	/* Browsers trim the spaces around a URL and drop its newlines. */
	expect_md("<a href=\"  http://x/a\nb  \">t</a>", 0, "[t](http://x/ab)");
	/* Markup in the text; links in links are text. */
	expect_both("<a href=\"http://x\"><em>a</em> [b] <code>c</code></a>", 0,
	    "[*a* \\[b\\] `c`](http://x)",
	    "<p><a href=\"http://x" REL
	    "<em>a</em> [b] <code>c</code></a></p>\n");
	/* The parser ends a link where the next one starts. */
	expect_both("<a href=\"http://x\">a <a href=\"http://y\">b</a></a>", 0,
	    "[a](http://x) [b](http://y)",
	    "<p><a href=\"http://x" REL "a</a> <a href=\"http://y" REL
	    "b</a></p>\n");
	expect_html("<a href=\"http://x.com/a_b\">http://x.com/a_b</a>", 0,
	    "<p><a href=\"http://x.com/a_b" REL "http://x.com/a_b</a></p>\n");
	/* No text, no link. */
	expect_md("<a href=\"http://x\"></a><a href=\"http://y\"> </a>", 0, "");
	expect_md("a <a href=\"http://x\"> b </a> c", 0, "a [b](http://x) c");
}

Test(import_html, links_not_allowed)
{
	expect_both("<a href=\"javascript:alert(1)\">js</a>", 0, "js",
	    "<p>js</p>\n");
	expect_md("<a href=\" JavaScript:alert(1)\">a</a> "
	          "<a href=\"java&#x09;script:x\">b</a> "
	          "<a href=\"data:text/html,x\">c</a> "
	          "<a href=\"/relative\">d</a> <a href=\"//x.com\">e</a> "
	          "<a href=\"ftp://x\">f</a> <a>g</a> <a name=\"n\">h</a> "
	          "<a href=\"\">i</a> <a href=\"http:x\">j</a>",
	    0, "a b c d e f g h i j");
}

Test(import_html, other_elements)
{
	/* Images are their alt text, as markdown.c shows images. */
	expect_both("a <img src=\"x.png\" alt=\"*smile*\"> b <img src=y>", 0,
	    "a \\*smile\\* b", "<p>a *smile* b</p>\n");
	/* Nothing of scripts, styles, frames, objects, forms' fields. */
	expect_md("a<script>alert(1)</script>b<style>p{}</style>c"
	          "<iframe src=\"http://x\">no</iframe>d<object>o</object>e"
	          "<noscript>n</noscript>f<textarea>t</textarea>g"
	          "<select><option>o</option></select>h<svg><text>s</text>"
	          "</svg>i",
	    0, "abcdefghi");
	expect_md("<title>t</title><style>x</style><p>body</p>", 0, "body");
	/* Tables: a row is a paragraph, cells words of it. */
	expect_both("<table><tr><th>a</th><th>b</th></tr>"
	            "<tr><td>1</td><td>2</td></tr></table>",
	    0, "a b\n\n1 2", "<p>a b</p>\n<p>1 2</p>\n");
	/* Blocks are paragraphs, inline elements text. */
	expect_both("<div>d</div><h1>Title</h1><span>s</span><u>u</u>"
	            "<font color=red>f</font><hr>x",
	    0, "d\n\nTitle\n\nsuf\n\nx",
	    "<p>d</p>\n<p>Title</p>\n<p>suf</p>\n<p>x</p>\n");
	expect_md("a<!-- comment -->b<?pi x?>c", 0, "abc");
}

Test(import_html, entities)
{
	expect_both("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; "
	            "&copy; &#x263A; &eacute;",
	    0, "a & b \\<c> \"d\" 'e' \xc2\xa9 \xe2\x98\xba \xc3\xa9",
	    "<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; \xc2\xa9 "
	    "\xe2\x98\xba \xc3\xa9</p>\n");
	/* &nbsp; is U+00A0 and does not collapse. */
	expect_both("a&nbsp;&nbsp;b", 0,
	    "a\xc2\xa0\xc2\xa0"
	    "b",
	    "<p>a\xc2\xa0\xc2\xa0"
	    "b</p>\n");
	/* Text that reads as an entity stays text. */
	expect_both("&amp;copy; &amp;#42; AT&amp;T &amp;", 0,
	    "\\&copy; \\&#42; AT&T &",
	    "<p>&amp;copy; &amp;#42; AT&amp;T &amp;</p>\n");
	expect_both("&#42;not emphasis&#42;", 0, "\\*not emphasis\\*",
	    "<p>*not emphasis*</p>\n");
}

/* Content given as it stood inside a WXR file's CDATA section: no CDATA
 * of its own, and a stray marker is text. */
Test(import_html, cdata_free)
{
	expect_html("<p>x ]]&gt; y</p>", 0, "<p>x ]]&gt; y</p>\n");
	expect_html("a <![CDATA[b]]> c", 0, "<p>a &lt;![CDATA[b]]&gt; c</p>\n");
}

Test(import_html, escapes_text)
{
	expect_both("*a* _b_ `c` [d](e) &lt;f&gt; \\g", 0,
	    "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f> \\\\g",
	    "<p>*a* _b_ `c` [d](e) &lt;f&gt; \\g</p>\n");
	/* '_' inside a word is left alone. */
	expect_both("snake_case_name __init__", 0,
	    "snake_case_name \\_\\_init\\_\\_",
	    "<p>snake_case_name __init__</p>\n");
	expect_html("a ** b __ c", 0, "<p>a ** b __ c</p>\n");
	expect_html("[x]: http://example.com", 0,
	    "<p>[x]: <a href=\"http://example.com" REL
	    "http://example.com</a></p>\n");
}

Test(import_html, escapes_line_starts)
{
	static const char *const lines[] = {
		"# not a heading",
		"###### six",
		"1. not a list",
		"2) nor this",
		"- not an item",
		"+ nor this",
		"* nor this",
		"> not a quote",
		"---",
		"***",
		"___",
		"- - -",
		"===",
		"```",
		"~~~",
		"[x]: http://example.com",
	};
	struct buf e;
	char       in[128], *md, *html;
	size_t     i;

	/* At the start, after a break, in a quote, in an item. */
	expect_html("<p># not a heading</p><p>1. not a list</p>"
	            "<p>- not an item</p><p>&gt; not a quote</p>",
	    0,
	    "<p># not a heading</p>\n<p>1. not a list</p>\n"
	    "<p>- not an item</p>\n<p>&gt; not a quote</p>\n");
	expect_html("a<br>---<br>===<br>+ b<br>3) c<br>~~~<br>#", 0,
	    "<p>a<br>---<br>===<br>+ b<br>3) c<br>~~~<br>#</p>\n");
	expect_html("<blockquote># h<br>- i</blockquote>"
	            "<ul><li>1. x</li><li>&gt; y</li></ul>",
	    0,
	    "<blockquote>\n<p># h<br>- i</p>\n</blockquote>\n<ul>\n"
	    "<li>1. x</li>\n<li>&gt; y</li>\n</ul>\n");
	/* Only what would be markup: words that merely start so stay. */
	expect_md("<p>#tag</p><p>-5 degrees</p><p>+1</p><p>1.5 m</p>"
	          "<p>2024 was</p>",
	    0, "#tag\n\n-5 degrees\n\n+1\n\n1.5 m\n\n2024 was");
	expect_md("<p>1. a</p><p>a 1. b</p><p>a - b # c</p>", 0,
	    "1\\. a\n\na 1. b\n\na - b # c");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(in, sizeof(in), "x<br>%s", lines[i]);
		buf_init(&e);
		buf_puts(&e, "<p>x<br>");
		escape_html(&e, lines[i], strlen(lines[i]));
		buf_puts(&e, "</p>\n");
		md = convert(in, 0);
		html = render_md(md);
		/* The URL in the last one is linked, as typed it would be. */
		if (strchr(lines[i], ':') == NULL)
			cr_expect_str_eq(html, e.data,
			    "line: \"%s\" md: \"%s\"", lines[i], md);
		else
			cr_expect_neq(strstr(html, "<p>x<br>[x]: <a href="),
			    NULL, "%s", html);
		free(html);
		free(md);
		buf_free(&e);
	}
}

/*
 * A URL in the text stays as typed and md4c links it as it would in a
 * native comment, except where md4c 0.4.8 would misread it: a '_' that
 * could be emphasis is escaped there too (md4c pairs those even inside
 * a URL: "http://e.com/_a_" loses its last '_'), which ends md4c's link
 * at the backslash; the text is the same.
 */
Test(import_html, urls_in_text)
{
	expect_both("see http://x.com/a_b?q=1&amp;r=2 and www.y.com/z.", 0,
	    "see http://x.com/a_b?q=1&r=2 and www.y.com/z.",
	    "<p>see <a href=\"http://x.com/a_b?q=1&amp;r=2" REL
	    "http://x.com/a_b?q=1&amp;r=2</a> and <a "
	    "href=\"http://www.y.com/z" REL "www.y.com/z</a>.</p>\n");
	expect_both("http://x.com/_a_ www.y.com/__init__.py", 0,
	    "http://x.com/\\_a\\_ www.y.com/\\_\\_init\\_\\_.py",
	    "<p><a href=\"http://x.com/" REL "http://x.com/</a>_a_ <a "
	    "href=\"http://www.y.com/" REL "www.y.com/</a>__init__.py</p>\n");
	/* Right after "http://" md4c takes a backslash as text and what it
	 * escapes as markup: the colon is escaped instead. */
	expect_both("http://`x` https://*y* ftp://_z_", 0,
	    "http\\://\\`x\\` https\\://\\*y\\* ftp\\://\\_z\\_",
	    "<p>http://`x` https://*y* ftp://_z_</p>\n");
	/* md4c's link of a URL would take in a '*' next to it: an
	 * emphasis that starts or ends there stays text. */
	expect_both("<em>http://x.com/a</em>b <em>see http://x.com</em> "
	            "<em>x</em>",
	    0, "http://x.com/ab see http://x.com *x*",
	    "<p><a href=\"http://x.com/ab" REL "http://x.com/ab</a> see "
	    "<a href=\"http://x.com" REL "http://x.com</a> <em>x</em></p>\n");
}

/* What md4c 0.4.8 would misread, found by fuzzing. */
Test(import_html, md4c_quirks)
{
	/* "!" then a link would be an image. */
	expect_both("See!<a href=\"http://x\">l</a>", 0, "See\\![l](http://x)",
	    "<p>See!<a href=\"http://x" REL "l</a></p>\n");
	/* An ordered item's marker across text nodes. */
	expect_both("4<b></b>. x<br>12<i></i>) y", 0, "4\\. x\\\n12\\) y",
	    "<p>4. x<br>12) y</p>\n");
	/* md4c takes no run of more than 32 backticks for a code span. */
	expect_html("<code>a````````````````````````````````b</code>", 0,
	    "<p>a````````````````````````````````b</p>\n");
	expect_html("<code>a```````````````````````````````b</code>", 0,
	    "<p><code>a```````````````````````````````b</code></p>\n");
	/* '*' and '_' in a target would pair with emphasis around. */
	expect_both("<em><a href=\"http://x/y*z_\">a</a></em>", 0,
	    "*[a](http://x/y\\*z\\_)*",
	    "<p><em><a href=\"http://x/y*z_" REL "a</a></em></p>\n");
	/* md4c's link of the URL in a target would take in a '*' right
	 * after it: an emphasis opening there stays text. */
	expect_both("<a href=\"http://x.com/a\">p1</a><em>p2</em> <em>p3</em>",
	    0, "[p1](http://x.com/a)p2 *p3*",
	    "<p><a href=\"http://x.com/a" REL "p1</a>p2 <em>p3</em></p>\n");
	/* ...and so would it one further on, up to the next space. */
	expect_both("<a href=\"http://x.o\">p</a>e<i>i</i>e <i>b</i>", 0,
	    "[p](http://x.o)eie *b*",
	    "<p><a href=\"http://x.o" REL "p</a>eie <em>b</em></p>\n");
	/* A backslash right after "ftp://" is text to md4c, even when the
	 * scheme came from an earlier text node: the colon is escaped. */
	expect_both("ftp:/<span>/_", 0, "ftp\\://\\_", "<p>ftp://_</p>\n");
	/* A backslash right after "http://" in a target is text to md4c:
	 * what would need one is percent-encoded there. */
	expect_both("<a href=\"http://`x`\">l</a>", 0, "[l](http://%60x\\`)",
	    "<p><a href=\"http://%60x`" REL "l</a></p>\n");
	/* Text in a list outside its items would end the list and make
	 * the next items a list numbered on: it hangs under the item
	 * before, as deep as that item's text. */
	expect_both("<ol><li>a</li>stray<li>b</li></ol>", 0,
	    "1. a\n   stray\n2. b",
	    "<ol>\n<li>a\nstray</li>\n<li>b</li>\n</ol>\n");
	expect_md("<ol><li>1</li><li>2</li><li>3</li><li>4</li><li>5</li>"
	          "<li>6</li><li>7</li><li>8</li><li>9</li><li>10</li>"
	          "<blockquote>q</blockquote><li>11</li></ol>",
	    0,
	    "1. 1\n2. 2\n3. 3\n4. 4\n5. 5\n6. 6\n7. 7\n8. 8\n9. 9\n"
	    "10. 10\n    > q\n11. 11");
}

Test(import_html, wordpress_bare_lines)
{
	/* A blank line is a paragraph, a newline a line break. */
	expect_both("First line\nsecond line\n\nNew paragraph", WP,
	    "First line\\\nsecond line\n\nNew paragraph",
	    "<p>First line<br>second line</p>\n<p>New paragraph</p>\n");
	expect_md("a\r\nb\r\n\r\nc\n \t\n\nd", WP, "a\\\nb\n\nc\n\nd");
	/* Without the flag, newlines are spaces. */
	expect_md("a\nb\n\nc", 0, "a b c");
	/* Inline tags and some blocks in it. */
	expect_both("Hi <strong>you\nthere</strong>\n\n<blockquote>quoted\n\n"
	            "more</blockquote>\nafter <a href=\"http://x\">l</a>",
	    WP,
	    "Hi **you\\\nthere**\n\n> quoted\n>\n> more\n\nafter [l](http://x)",
	    "<p>Hi <strong>you<br>there</strong></p>\n<blockquote>\n"
	    "<p>quoted</p>\n<p>more</p>\n</blockquote>\n<p>after <a "
	    "href=\"http://x" REL "l</a></p>\n");
	/* An emphasis across a blank line ends and starts again. */
	expect_md("<em>a\n\nb</em>", WP, "*a*\n\n*b*");
	/* Newlines next to block tags are not breaks (wpautop's rule);
	 * <br /> and its newline are one break. */
	expect_md("<p>a</p>\n<p>b<br />\nc</p>\n", WP, "a\n\nb\\\nc");
	expect_md("<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n", WP, "- a\n- b");
	/* Preformatted text keeps its newlines as they are. */
	expect_md("x\n<pre>a\n\nb</pre>\ny", WP, "x\n\n```\na\n\nb\n```\n\ny");
	expect_md("<p>p1</p>\n\n<p>p2\nline</p>", WP, "p1\n\np2\\\nline");
}

Test(import_html, disqus_messages)
{
	expect_html(
	    "<p>Great post! See <a "
	    "href=\"https://disq.us/url?url=https%3A%2F%2Fx.com%2F:abc\" "
	    "rel=\"nofollow noopener\" title=\"x.com\">x.com</a></p>"
	    "<p>Second paragraph<br>with a break.</p>",
	    0,
	    "<p>Great post! See <a "
	    "href=\"https://disq.us/url?url=https%3A%2F%2Fx.com%2F:abc" REL
	    "x.com</a></p>\n<p>Second paragraph<br>with a break.</p>\n");
	expect_html("<blockquote>quoted</blockquote><p>reply "
	            "<code>x_y</code></p>",
	    0,
	    "<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>reply "
	    "<code>x_y</code></p>\n");
}

/*
 * Round trips: each input's Markdown, rendered, is the HTML a native
 * comment with the same look would have.
 */
static const struct {
	const char *in;
	int         flags;
	const char *html;
} round_trips[] = {
	{ "<p>Hello <em>world</em>, <strong>bold</strong> and "
	  "<code>code()</code>.</p>",
	    0,
	    "<p>Hello <em>world</em>, <strong>bold</strong> and "
	    "<code>code()</code>.</p>\n" },
	{ "<p>a<br>b</p><blockquote><p>q <em>e</em></p></blockquote>", 0,
	    "<p>a<br>b</p>\n<blockquote>\n<p>q <em>e</em></p>\n"
	    "</blockquote>\n" },
	{ "<ul><li>one</li><li>two <a href=\"https://x.org/p?q=1\">link</a>"
	  "</li></ul>",
	    0,
	    "<ul>\n<li>one</li>\n<li>two <a href=\"https://x.org/p?q=1" REL
	    "link</a></li>\n</ul>\n" },
	{ "<pre><code>if (a < b &amp;&amp; *p) {\n\treturn;\n}</code></pre>", 0,
	    /* md4c writes tabs in code as spaces, in native comments too. */
	    "<pre><code>if (a &lt; b &amp;&amp; *p) {\n    return;\n}\n"
	    "</code></pre>\n" },
	{ "Line one\nLine two\n\n<em>Para</em> two", WP,
	    "<p>Line one<br>Line two</p>\n<p><em>Para</em> two</p>\n" },
	/* Hostile text: shown as the same text, never as markup. */
	{ "&#42;not emphasis&#42;", 0, "<p>*not emphasis*</p>\n" },
	{ "&lt;script&gt;alert(1)&lt;/script&gt;", 0,
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n" },
	{ "[x](javascript:alert(1))", 0, "<p>[x](javascript:alert(1))</p>\n" },
	{ "[x](http://evil.example)", 0,
	    "<p>[x](<a href=\"http://evil.example" REL
	    "http://evil.example</a>)</p>\n" },
	{ "&lt;http://x.com&gt; &lt;a href=x&gt;", 0,
	    "<p>&lt;http://x.com&gt; &lt;a href=x&gt;</p>\n" },
	/* A bare URL is linked, as typed it would be. */
	{ "![img](http://x.com/i.png) `tick` ~~s~~ | t |", 0,
	    "<p>![img](<a href=\"http://x.com/i.png" REL
	    "http://x.com/i.png</a>) `tick` ~~s~~ | t |</p>\n" },
	{ "&amp;lt;b&amp;gt; &amp;#60; \\*", 0,
	    "<p>&amp;lt;b&amp;gt; &amp;#60; \\*</p>\n" },
	{ "<script>alert(1)</script><img src=x onerror=alert(1)>", 0, "" },
	{ "<a href=\"javascript:alert(1)\" onclick=\"x\">click</a>", 0,
	    "<p>click</p>\n" },
	{ "<p onclick=\"x\" class=\"c\" style=\"s\">attrs dropped</p>", 0,
	    "<p>attrs dropped</p>\n" },
	{ "<a href=\"http://x\">[y](javascript:alert(1))</a>", 0,
	    "<p><a href=\"http://x" REL "[y](javascript:alert(1))</a></p>\n" },
	{ "<a href=\"http://x&quot; onclick=&quot;alert(1)\">q</a>", 0,
	    "<p><a href=\"http://x&quot;%20onclick=&quot;alert(1)" REL
	    "q</a></p>\n" },
	{ "<code>&lt;/code&gt;&lt;script&gt;</code>", 0,
	    "<p><code>&lt;/code&gt;&lt;script&gt;</code></p>\n" },
	{ "<pre>&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;</pre>", 0,
	    "<pre><code>&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n"
	    "</code></pre>\n" },
	{ "<blockquote>&gt; &gt; deeper?</blockquote>", 0,
	    "<blockquote>\n<p>&gt; &gt; deeper?</p>\n</blockquote>\n" },
	{ "<ul><li>- 1. &gt; # x</li></ul>", 0,
	    "<ul>\n<li>- 1. &gt; # x</li>\n</ul>\n" },
	{ "a\\<br>b", 0, "<p>a\\<br>b</p>\n" },
	{ "trailing\\", 0, "<p>trailing\\</p>\n" },
	{ "x\n# y\n1. z\n&gt; q\n---\n===", WP,
	    "<p>x<br># y<br>1. z<br>&gt; q<br>---<br>===</p>\n" },
};

Test(import_html, round_trip)
{
	size_t i;

	for (i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++)
		expect_html(round_trips[i].in, round_trips[i].flags,
		    round_trips[i].html);
}

/*
 * Bombs.
 */

Test(import_html, deep_nesting)
{
	static const char *const units[] = {
		"<blockquote>",
		"<ul>",
		"<ol><li>",
		"<li>",
		"<em>",
		"<a href=\"http://x\">",
		"<div>",
		"<blockquote>x",
		"<ul><li>x",
		"<b><i>x",
	};
	char  *in, *md, *html;
	double t;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		in = repeat("", units[i], 10000, "end");
		t = now();
		md = convert(in, 0);
		cr_expect_lt(now() - t, 2.0, "%s: slow", units[i]);
		html = render_md(md);
		cr_expect_leq(container_depth(html), MARKDOWN_NEST_MAX, "%s",
		    units[i]);
		free(html);
		free(md);
		free(in);
	}
}

Test(import_html, nesting_capped)
{
	struct buf text;
	char      *in, *md, *html;

	/* Eight levels are kept; the text of deeper ones stays at the
	 * eighth, as markdown.c would show it. */
	in = repeat("", "<blockquote>q", 12, "");
	md = convert(in, 0);
	html = render_md(md);
	cr_expect_eq(container_depth(html), MARKDOWN_NEST_MAX, "%s", md);
	cr_expect_eq(count(html, "<p>q</p>"), 12, "%s", html);
	free(html);
	free(md);
	free(in);

	in = repeat("", "<ul><li>i", 12, "");
	md = convert(in, 0);
	html = render_md(md);
	cr_expect_eq(container_depth(html), MARKDOWN_NEST_MAX, "%s", md);
	buf_init(&text);
	cr_assert_eq(markdown_text(&text, md, strlen(md)), 0);
	cr_expect_eq(count(text.data, "i"), 12, "%s", text.data);
	buf_free(&text);
	free(html);
	free(md);
	free(in);

	/* Quotes and lists count together. */
	in = repeat("", "<blockquote><ol><li>", 6, "x");
	md = convert(in, 0);
	html = render_md(md);
	cr_expect_eq(container_depth(html), MARKDOWN_NEST_MAX, "%s", md);
	cr_expect_neq(strstr(html, "x"), NULL);
	free(html);
	free(md);
	free(in);
}

/* The worst inputs found stay within IMPORT_HTML_OUT_MAX (convert_n
 * checks) and finish fast; 1 MB of text too. */
static const struct {
	const char *head;
	const char *unit;
	const char *tail;
	int         flags;
} bombs[] = {
	{ "", "hello world *x* ", "", 0 },
	{ "", "*", "", 0 },
	{ "", "&amp;#1;", "", 0 },
	{ "", "_a", "", 0 },
	{ "", "<p>x", "", 0 },
	{ "", "<br>", "x", 0 },
	{ "", "<td>x", "", 0 },
	{ "", "<code>`</code>", "", 0 },
	{ "", "<em>a</em>", "", 0 },
	{ "", "<em>\"</em>a", "", 0 },
	{ "<blockquote><blockquote><blockquote><blockquote><blockquote>"
	  "<blockquote><blockquote><blockquote>",
	    "<br>x", "", 0 },
	{ "<ol><li><ol><li><ol><li><ol><li><ol><li><ol><li><ol><li><ol><li>",
	    "<br>x", "", 0 },
	{ "<ol><li><ol><li><ol><li><ol><li><ol><li><ol><li><ol><li><ol>",
	    "<li>x", "", 0 },
	{ "<blockquote><blockquote><blockquote><blockquote><blockquote>"
	  "<blockquote><blockquote><blockquote>",
	    "<pre>a\n\n\n\n\n\n\n</pre>", "", 0 },
	{ "<a href=\"http://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">",
	    "<p>x", "", 0 },
	{ "<a href=\"http://x/                                        \">",
	    "<p>x", "", 0 },
	{ "<em><strong>", "<p>x", "", 0 },
	{ "<blockquote><blockquote><blockquote><blockquote><blockquote>"
	  "<blockquote><blockquote><blockquote>",
	    "x\n", "", WP },
	{ "<ol><li><ol><li><ol><li><ol><li><ol><li><ol><li><ol><li><ol><li>",
	    "x\n\n", "", WP },
	{ "", "\n\n", "x", WP },
};

Test(import_html, output_bounded)
{
	char  *in, *md;
	double t;
	size_t i, len, n;

	for (i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		/* About 128 KB of input. */
		n = ((size_t)1 << 17) / strlen(bombs[i].unit);
		in = repeat(bombs[i].head, bombs[i].unit, n, bombs[i].tail);
		len = strlen(in);
		t = now();
		md = convert_n(in, len, bombs[i].flags);
		cr_expect_lt(now() - t, 5.0, "bomb %zu slow", i);
		free(md);
		free(in);
	}
}

/* 1 MB of text, plain and WordPress's, in a second or two even under
 * the sanitizers. */
Test(import_html, large_text)
{
	char  *in, *md;
	double t;

	in = repeat("<p>", "Hello *world*, see http://x.com/a_b &amp; more. ",
	    (size_t)1 << 20 >> 6, "</p>");
	t = now();
	md = convert(in, 0);
	cr_expect_lt(now() - t, 2.0, "slow");
	cr_expect_gt(strlen(md), strlen(in) / 2);
	free(md);
	free(in);

	in = repeat("", "a line\nanother\n\n", (size_t)1 << 20 >> 4, "");
	t = now();
	md = convert(in, WP);
	cr_expect_lt(now() - t, 2.0, "slow");
	free(md);
	free(in);
}

/* Ordinary comments are far from the budget: nothing is left out. */
Test(import_html, budget_spares_ordinary_comments)
{
	expect_html("<blockquote><blockquote><ul><li><a href=\"http://a.com/"
	            "x\">a</a></li></ul></blockquote></blockquote>",
	    0,
	    "<blockquote>\n<blockquote>\n<ul>\n<li><a href=\"http://a.com/x" REL
	    "a</a></li>\n</ul>\n</blockquote>\n</blockquote>\n");
	expect_html("<b>b</b> <i>i</i> <code>c</code><br>"
	            "<a href=\"http://x.y\">l</a>",
	    0,
	    "<p><strong>b</strong> <em>i</em> <code>c</code><br>"
	    "<a href=\"http://x.y" REL "l</a></p>\n");
}

/*
 * Seeded fuzz runs.
 */

/*
 * Text alone, with Markdown's punctuation: whatever it holds, it renders
 * as one paragraph of exactly that text, whitespace collapsed. No ':',
 * '@' or 'w', so nothing in it is a URL md4c would link.
 */
Test(import_html, text_fuzz)
{
	static const char *const tokens[] = {
		"a",
		"b",
		"1",
		"9",
		" ",
		"\n",
		"*",
		"_",
		"`",
		"[",
		"]",
		"(",
		")",
		"&lt;",
		"&gt;",
		"&amp;",
		"#",
		"-",
		"+",
		"=",
		"~",
		".",
		"!",
		"\\",
		"|",
		";",
		"&quot;",
		"'",
		"\xc2\xa0",
		"\xc3\xa9",
		"\xe2\x80\x9c",
		"&nbsp;",
	};
	struct buf in, text, want;
	char      *md, *html;
	uint32_t   seed = 0x2545f491;
	size_t     i, k, n;
	int        iter, space;

	for (iter = 0; iter < 4000; iter++) {
		buf_init(&in);
		buf_init(&text);
		n = 1 + rnd(&seed) % 24;
		for (i = 0; i < n; i++) {
			k = rnd(&seed) % (sizeof(tokens) / sizeof(tokens[0]));
			buf_puts(&in, tokens[k]);
		}
		/* The text a browser shows: entities decoded, whitespace
		 * collapsed and trimmed. */
		space = 0;
		for (i = 0; i < in.len; i++) {
			static const char *const ents[] = { "&lt;", "&gt;",
				"&amp;", "&quot;", "&nbsp;" };
			static const char *const chars[] = { "<", ">", "&",
				"\"", "\xc2\xa0" };

			if (in.data[i] == ' ' || in.data[i] == '\n') {
				space = text.len > 0;
				continue;
			}
			if (space)
				buf_putc(&text, ' ');
			space = 0;
			for (k = 0; k < 5; k++) {
				if (strncmp(in.data + i, ents[k],
				        strlen(ents[k])) == 0)
					break;
			}
			if (k < 5) {
				buf_puts(&text, chars[k]);
				i += strlen(ents[k]) - 1;
			} else
				buf_putc(&text, in.data[i]);
		}
		buf_init(&want);
		if (text.len > 0) {
			buf_puts(&want, "<p>");
			escape_html(&want, text.data, text.len);
			buf_puts(&want, "</p>\n");
		}
		md = convert_n(in.data, in.len, 0);
		html = render_md(md);
		cr_assert_str_eq(html, want.data ? want.data : "",
		    "input: \"%s\"\nmarkdown: \"%s\"", in.data, md);
		free(html);
		free(md);
		buf_free(&want);
		buf_free(&text);
		buf_free(&in);
	}
}

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

/* Appends s less its whitespace. */
static void
put_dense(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(" \t\n\r\f", s[i]) == NULL)
			buf_putc(b, s[i]);
	}
}

/* The text of the parsed HTML a browser shows, less whitespace. */
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

/* The text of markdown_render's HTML, less whitespace. */
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

/*
 * Tag soup: never fails on valid UTF-8, stays within the bound,
 * markdown_render takes what it writes, and what a reader sees is the
 * HTML's text, character for character but for whitespace: no Markdown
 * punctuation in it turned into markup or lost.
 */
Test(import_html, fuzz)
{
	static const char *const tokens[] = {
		"<p>",
		"</p>",
		"<br>",
		"<em>",
		"</em>",
		"<i>",
		"</i>",
		"<strong>",
		"</strong>",
		"<b>",
		"</b>",
		"<code>",
		"</code>",
		"<pre>",
		"</pre>",
		"<blockquote>",
		"</blockquote>",
		"<ul>",
		"</ul>",
		"<ol>",
		"</ol>",
		"<li>",
		"</li>",
		"<a href=\"http://x/(a)\">",
		"<a href=\"javascript:x\">",
		"</a>",
		"<div>",
		"</div>",
		"<table><tr><td>",
		"<img alt=\"*\">",
		"<script>",
		"</script>",
		"a",
		"b",
		" ",
		"\n",
		"\n\n",
		"*",
		"_",
		"`",
		"``",
		"[",
		"]",
		"#",
		"-",
		"1.",
		">",
		"&gt;",
		"&lt;",
		"&amp;",
		"\\",
		"\"",
		"!",
		"\xe2\x80\x9c",
		"http://x.com/_a",
		"www.y.com/b_c",
		"12",
		")",
		"<svg>",
		"<textarea>",
		"<img alt=\"_\">",
		"<a href=\"http://x/*_`\">",
	};
	struct buf in, want, got;
	htmlDocPtr doc;
	char      *md, *html;
	uint32_t   seed = 0x9e3779b9;
	size_t     i, n, k;
	int        iter;

	for (iter = 0; iter < 2000; iter++) {
		buf_init(&in);
		n = 1 + rnd(&seed) % 40;
		for (i = 0; i < n; i++) {
			k = rnd(&seed) % (sizeof(tokens) / sizeof(tokens[0]));
			buf_puts(&in, tokens[k]);
		}
		md = convert_n(in.data, in.len, iter % 2 ? WP : 0);
		html = render_md(md);
		cr_expect_leq(container_depth(html), MARKDOWN_NEST_MAX);

		doc = htmlReadMemory(in.data, (int)in.len, NULL, "UTF-8",
		    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		        HTML_PARSE_NOWARNING);
		buf_init(&want);
		buf_init(&got);
		buf_append(&want, "", 0);
		buf_append(&got, "", 0);
		if (doc != NULL)
			tree_text(&want, doc->children);
		xmlFreeDoc(doc);
		html_text(&got, html);
		cr_expect_str_eq(got.data, want.data,
		    "input: \"%s\"\nmarkdown: \"%s\"", in.data, md);
		buf_free(&want);
		buf_free(&got);
		free(html);
		free(md);
		buf_free(&in);
	}
}

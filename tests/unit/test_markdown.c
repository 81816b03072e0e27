/*
 * Unit tests for app/markdown.c: expected output for ordinary Markdown,
 * then an XSS suite and a seeded fuzz run, all held to an allowlist
 * checker that reads the HTML the way a browser's tokenizer would.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "markdown.h"

#define REL "\" rel=\"nofollow ugc noopener\">"

static char       *render_n(const char *, size_t);
static char       *render(const char *);
static void        expect(const char *, const char *);
static int         lower(int);
static int         has_prefix_ci(const char *, size_t, const char *);
static const char *find_ci(const char *, size_t, const char *);
static int         html_check(const char *, char *, size_t);
static void        assert_safe(const char *, size_t, const char *);
static uint32_t    rnd(uint32_t *);

/* Renders len bytes and returns the NUL-terminated HTML; never NULL. */
static char *
render_n(const char *src, size_t len)
{
	struct buf b;
	char      *s;
	size_t     n;

	buf_init(&b);
	cr_assert_eq(markdown_render(&b, src, len), 0,
	    "markdown_render failed on \"%s\"", src);
	s = buf_release(&b, &n);
	cr_assert_not_null(s);
	cr_assert_eq(strlen(s), n, "NUL byte in output for \"%s\"", src);
	return (s);
}

static char *
render(const char *src)
{
	return (render_n(src, strlen(src)));
}

static void
expect(const char *src, const char *want)
{
	char *got;

	got = render(src);
	cr_expect_str_eq(got, want, "input: \"%s\"", src);
	assert_safe(got, strlen(got), src);
	free(got);
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

static int
has_prefix_ci(const char *s, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++)
		if (i >= n || lower((unsigned char)s[i]) != prefix[i])
			return (0);
	return (1);
}

/* Case-insensitive search for a lower-case needle in n bytes. */
static const char *
find_ci(const char *s, size_t n, const char *needle)
{
	size_t i, m;

	m = strlen(needle);
	for (i = 0; i + m <= n; i++)
		if (has_prefix_ci(s + i, n - i, needle))
			return (s + i);
	return (NULL);
}

/*
 * The allowlist checker. Every '<' must open or close a tag from the
 * allowlist, with no attributes except exactly href and rel on <a>;
 * tags must nest properly, <a> never inside <a>; outside tags there may
 * be no '>', quote, NUL or '&' other than the five escape_html()
 * entities. An href must decode to an http, https or mailto URL with no
 * whitespace or control characters. Returns 1 if fine, else 0 with a
 * reason in why.
 */
static const char *const allowed_tags[] = {
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
static const char *const html_escapes[] = {
	"&amp;",
	"&lt;",
	"&gt;",
	"&quot;",
	"&#39;",
};

#define NTAGS       (sizeof(allowed_tags) / sizeof(allowed_tags[0]))
#define NESCAPES    (sizeof(html_escapes) / sizeof(html_escapes[0]))
#define CHECK_DEPTH 1024

static int
html_check(const char *html, char *why, size_t whylen)
{
	const char *stack[CHECK_DEPTH];
	const char *p, *name, *v, *tag;
	char        url[16];
	size_t      depth, namelen, i, j, k, ulen;
	int         closing, in_a, ok;

	depth = 0;
	for (p = html; *p != '\0';) {
		if (*p == '>' || *p == '"' || *p == '\'') {
			snprintf(why, whylen, "bare '%c' at offset %zu", *p,
			    (size_t)(p - html));
			return (0);
		}
		if (*p == '&') {
			for (i = 0; i < NESCAPES; i++)
				if (strncmp(p, html_escapes[i],
				        strlen(html_escapes[i])) == 0)
					break;
			if (i == NESCAPES) {
				snprintf(why, whylen, "stray '&' at offset %zu",
				    (size_t)(p - html));
				return (0);
			}
			p += strlen(html_escapes[i]);
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}

		tag = p++;
		closing = *p == '/';
		if (closing)
			p++;
		name = p;
		while (*p >= 'a' && *p <= 'z')
			p++;
		namelen = (size_t)(p - name);
		for (i = 0; i < NTAGS; i++)
			if (strlen(allowed_tags[i]) == namelen &&
			    strncmp(allowed_tags[i], name, namelen) == 0)
				break;
		if (namelen == 0 || i == NTAGS) {
			snprintf(why, whylen, "tag not allowed: %.20s", tag);
			return (0);
		}
		name = allowed_tags[i];

		if (closing) {
			if (*p != '>') {
				snprintf(why, whylen, "junk in end tag: %.20s",
				    tag);
				return (0);
			}
			p++;
			if (depth == 0 || stack[depth - 1] != name) {
				snprintf(why, whylen, "unbalanced </%s>", name);
				return (0);
			}
			depth--;
			continue;
		}

		if (strcmp(name, "a") == 0) {
			in_a = 0;
			for (k = 0; k < depth; k++)
				if (strcmp(stack[k], "a") == 0)
					in_a = 1;
			if (in_a) {
				snprintf(why, whylen, "<a> inside <a>");
				return (0);
			}
			if (strncmp(p, " href=\"", 7) != 0) {
				snprintf(why, whylen, "<a> without href: %.40s",
				    tag);
				return (0);
			}
			p += 7;
			v = p;
			while (*p != '\0' && *p != '"' && *p != '<' &&
			    *p != '>' && *p != '\'')
				p++;
			if (strncmp(p, REL, strlen(REL)) != 0) {
				snprintf(why, whylen,
				    "bad <a> attributes: "
				    "%.80s",
				    tag);
				return (0);
			}

			for (j = 0; v + j < p; j++) {
				if ((unsigned char)v[j] <= 0x20 ||
				    v[j] == 0x7f) {
					snprintf(why, whylen,
					    "space or control in href: %.80s",
					    tag);
					return (0);
				}
			}

			/* Decode the escapes in the first few bytes, then
			 * judge the scheme. */
			ulen = 0;
			for (j = 0; v + j < p && ulen < sizeof(url);) {
				ok = 0;
				if (v[j] == '&') {
					for (k = 0; k < NESCAPES; k++) {
						if (strncmp(v + j,
						        html_escapes[k],
						        strlen(
						            html_escapes[k])))
							continue;
						url[ulen++] = "&<>\"'"[k];
						j += strlen(html_escapes[k]);
						ok = 1;
						break;
					}
					if (!ok) {
						snprintf(why, whylen,
						    "raw '&' in href: %.80s",
						    tag);
						return (0);
					}
					continue;
				}
				url[ulen++] = v[j++];
			}
			if (!has_prefix_ci(url, ulen, "http://") &&
			    !has_prefix_ci(url, ulen, "https://") &&
			    !has_prefix_ci(url, ulen, "mailto:")) {
				snprintf(why, whylen, "href scheme: %.80s",
				    tag);
				return (0);
			}
			p += strlen(REL);
		} else {
			if (*p != '>') {
				snprintf(why, whylen,
				    "attributes on <%s>: "
				    "%.40s",
				    name, tag);
				return (0);
			}
			p++;
			/* <br> is void: nothing to close. */
			if (strcmp(name, "br") == 0)
				continue;
		}
		if (depth == CHECK_DEPTH) {
			snprintf(why, whylen, "nesting too deep for checker");
			return (0);
		}
		stack[depth++] = name;
	}
	if (depth != 0) {
		snprintf(why, whylen, "<%s> left open", stack[depth - 1]);
		return (0);
	}
	return (1);
}

static void
assert_safe(const char *html, size_t len, const char *src)
{
	char why[256];

	cr_assert_eq(strlen(html), len, "NUL byte in output for \"%s\"", src);
	cr_assert(html_check(html, why, sizeof(why)),
	    "unsafe output: %s\ninput: \"%s\"\noutput: \"%s\"", why, src, html);
}

/*
 * Ordinary Markdown.
 */

Test(markdown, empty)
{
	struct buf b;

	/* Even with nothing to write, data is an empty C string. */
	buf_init(&b);
	cr_assert_eq(markdown_render(&b, "", 0), 0);
	cr_assert_eq(b.len, 0);
	cr_assert_not_null(b.data);
	cr_assert_str_eq(b.data, "");
	cr_assert_eq(markdown_render(&b, NULL, 0), 0);
	cr_assert_eq(b.len, 0);
	buf_free(&b);

	buf_init(&b);
	cr_assert_eq(markdown_render(&b, "---", 3), 0);
	cr_assert_not_null(b.data);
	cr_assert_str_eq(b.data, "");
	buf_free(&b);
}

Test(markdown, appends)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "X");
	cr_assert_eq(markdown_render(&b, "a", 1), 0);
	cr_assert_str_eq(b.data, "X<p>a</p>\n");
	buf_free(&b);
}

Test(markdown, whitespace_only)
{
	expect("   \n\n\t\n", "");
}

Test(markdown, paragraphs)
{
	expect("hello", "<p>hello</p>\n");
	expect("one\n\ntwo", "<p>one</p>\n<p>two</p>\n");
	expect("soft\nbreak", "<p>soft\nbreak</p>\n");
}

Test(markdown, emphasis)
{
	expect("*em* _em_", "<p><em>em</em> <em>em</em></p>\n");
	expect("**strong** __strong__",
	    "<p><strong>strong</strong> <strong>strong</strong></p>\n");
	expect("***both***", "<p><em><strong>both</strong></em></p>\n");
}

Test(markdown, code_span)
{
	expect("`a<b>&\"c'`",
	    "<p><code>a&lt;b&gt;&amp;&quot;c&#39;</code></p>\n");
	expect("`` `tick` ``", "<p><code>`tick`</code></p>\n");
}

Test(markdown, fenced_code)
{
	expect("```\nint x = a < b;\n```\n",
	    "<pre><code>int x = a &lt; b;\n</code></pre>\n");
	/* The info string is dropped: no class attribute. */
	expect("```c\" onclick=\"x\n<script>\n```",
	    "<pre><code>&lt;script&gt;\n</code></pre>\n");
	expect("~~~\n*not em*\n~~~", "<pre><code>*not em*\n</code></pre>\n");
}

Test(markdown, indented_code_disabled)
{
	expect("    not code", "<p>not code</p>\n");
}

Test(markdown, blockquote)
{
	expect("> quoted\n> more",
	    "<blockquote>\n<p>quoted\nmore</p>\n</blockquote>\n");
	expect("> > nested",
	    "<blockquote>\n<blockquote>\n<p>nested</p>\n</blockquote>\n"
	    "</blockquote>\n");
}

Test(markdown, lists)
{
	expect("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	expect("* a\n\n* b",
	    "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n");
	/* The start number is dropped with the attribute. */
	expect("3. a\n4. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
	expect("- a\n  - b",
	    "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n");
}

Test(markdown, hard_break)
{
	expect("a  \nb", "<p>a<br>b</p>\n");
	expect("a\\\nb", "<p>a<br>b</p>\n");
}

Test(markdown, headings_degraded)
{
	expect("# Title", "<p>Title</p>\n");
	expect("###### *six*", "<p><em>six</em></p>\n");
	expect("Setext\n===", "<p>Setext</p>\n");
}

Test(markdown, hr_dropped)
{
	expect("---", "");
	expect("a\n\n***\n\nb", "<p>a</p>\n<p>b</p>\n");
}

Test(markdown, images_degraded)
{
	expect("![a cat](http://x/cat.png)", "<p>a cat</p>\n");
	expect("![*a* `b` [c](http://d)](http://x \"t\")", "<p>a b c</p>\n");
	expect("![a  \nb](http://x)", "<p>a b</p>\n");
	expect("![a\nb](http://x)", "<p>a\nb</p>\n");
	expect("[![alt](http://i)](http://l)",
	    "<p><a href=\"http://l" REL "alt</a></p>\n");
}

Test(markdown, raw_html_is_text)
{
	expect("<b>x</b>", "<p>&lt;b&gt;x&lt;/b&gt;</p>\n");
	expect("<div>\nblock\n</div>",
	    "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n");
	expect("<!-- c -->", "<p>&lt;!-- c --&gt;</p>\n");
}

Test(markdown, entities_shown_as_typed)
{
	expect("&amp; &copy; &#60; &#x3c; &bogus;",
	    "<p>&amp;amp; &amp;copy; &amp;#60; &amp;#x3c; &amp;bogus;</p>\n");
	expect("AT&T", "<p>AT&amp;T</p>\n");
}

Test(markdown, backslash_escapes)
{
	expect("\\*not em\\* \\<b\\>", "<p>*not em* &lt;b&gt;</p>\n");
}

Test(markdown, nul_becomes_replacement)
{
	char *got;

	got = render_n("a\0b", 3);
	cr_expect_str_eq(got,
	    "<p>a\xef\xbf\xbd"
	    "b</p>\n");
	free(got);
	got = render_n("```\nx\0y\n```", 11);
	cr_expect_str_eq(got, "<pre><code>x\xef\xbf\xbdy\n</code></pre>\n");
	free(got);
	got = render_n("```\n\0\0y\0\n```", 12);
	cr_expect_str_eq(got,
	    "<pre><code>\xef\xbf\xbd\xef\xbf\xbdy"
	    "\xef\xbf\xbd\n</code></pre>\n");
	free(got);
	got = render_n("`\0`", 3);
	cr_expect_str_eq(got, "<p><code>\xef\xbf\xbd</code></p>\n");
	free(got);
}

Test(markdown, utf8_passes_through)
{
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "<p>caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80</p>\n");
}

Test(markdown, bare_url_autolink)
{
	expect("see http://example.com/a?b=1&c=2 now",
	    "<p>see <a href=\"http://example.com/a?b=1&amp;c=2" REL
	    "http://example.com/a?b=1&amp;c=2</a> now</p>\n");
	expect("https://example.com.",
	    "<p><a href=\"https://example.com" REL
	    "https://example.com</a>.</p>\n");
}

Test(markdown, www_autolink)
{
	expect("go to www.example.com",
	    "<p>go to <a href=\"http://www.example.com" REL
	    "www.example.com</a></p>\n");
}

Test(markdown, email_autolink)
{
	expect("mail a.b@example.com",
	    "<p>mail <a href=\"mailto:a.b@example.com" REL
	    "a.b@example.com</a></p>\n");
	expect("<a@example.com>",
	    "<p><a href=\"mailto:a@example.com" REL "a@example.com</a></p>\n");
}

Test(markdown, angle_autolink)
{
	expect("<https://example.com/x>",
	    "<p><a href=\"https://example.com/x" REL
	    "https://example.com/x</a></p>\n");
	/* Any other scheme keeps its text and loses the link. */
	expect("<ftp://example.com/x>", "<p>ftp://example.com/x</p>\n");
}

Test(markdown, explicit_link)
{
	expect("[text](http://example.com)",
	    "<p><a href=\"http://example.com" REL "text</a></p>\n");
	expect("[*em* text](HTTPS://EXAMPLE.COM \"title dropped\")",
	    "<p><a href=\"HTTPS://EXAMPLE.COM" REL
	    "<em>em</em> text</a></p>\n");
	expect("[mail](mailto:a@b.c)",
	    "<p><a href=\"mailto:a@b.c" REL "mail</a></p>\n");
	expect("[ref][r]\n\n[r]: http://example.com/r",
	    "<p><a href=\"http://example.com/r" REL "ref</a></p>\n");
	expect("[q](http://x/?a=\"b\")",
	    "<p><a href=\"http://x/?a=&quot;b&quot;" REL "q</a></p>\n");
}

Test(markdown, link_without_allowed_scheme_is_text)
{
	expect("[rel](/path)", "<p>rel</p>\n");
	expect("[proto](//evil.example)", "<p>proto</p>\n");
	expect("[ftp](ftp://x)", "<p>ftp</p>\n");
	expect("[*em*](foo)", "<p><em>em</em></p>\n");
	expect("[httpx](http:/x)", "<p>httpx</p>\n");
	expect("[empty]()", "<p>empty</p>\n");
	expect("[s](https:x)", "<p>s</p>\n");
	expect("[m](mailto)", "<p>m</p>\n");
	/* Entities in an href drop the link, even after a good scheme. */
	expect("[e](http://a.com/?a=1&amp;b=2)", "<p>e</p>\n");
	expect("[e](http://a.com/&#34;onclick=x)", "<p>e</p>\n");
}

/* Behaviour of md4c 0.4.8 that markdown.c has to work around. */
Test(markdown, md4c_quirks)
{
	static const char overread[] = "[a](b)";
	char             *got;

	/* md4c reads the byte after the input; here it is ')' and must
	 * not complete the link (nor send md4c off past the buffer). */
	got = render_n(overread, 5);
	cr_expect_str_eq(got, "<p>[a](b</p>\n");
	free(got);

	/* md4c leaves an emphasis span it never entered. */
	expect("[](*)*", "<p></p>\n");
	expect("**[](*)**", "<p><em><em></em>*</em></p>\n");
	expect("*a [b](*)*", "<p><em>a b*</em></p>\n");
}

/*
 * XSS payloads. Each output must pass the allowlist checker and the
 * explicit substring checks below; some also have an exact expectation.
 */

#define NUL_IN_HREF "[x](java\0script:alert(1))"

struct xss_case {
	const char *src;
	size_t      len; /* 0: strlen(src) */
	const char *want; /* NULL: no exact expectation */
};

static const struct xss_case xss_cases[] = {
	{ "<script>alert(1)</script>", 0,
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n" },
	{ "<img src=x onerror=alert(1)>", 0,
	    "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n" },
	{ "[x](javascript:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](JaVaScRiPt:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](java\tscript:alert(1))", 0, NULL },
	{ "[x](java\nscript:alert(1))", 0, NULL },
	{ "[x](java\rscript:alert(1))", 0, NULL },
	{ "[x]( javascript:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](\tjavascript:alert(1))", 0, NULL },
	{ "[x](<java\tscript:alert(1)>)", 0, NULL },
	{ "[x](<\x01javascript:alert(1)>)", 0, NULL },
	{ "[x](<http://a\x01>)", 0, NULL },
	{ "[x](javascript&#58;alert(1))", 0, "<p>x</p>\n" },
	{ "[x](javascript&colon;alert(1))", 0, "<p>x</p>\n" },
	{ "[x](&#106;avascript:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](&#x6A;avascript:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](java&#x09;script:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](h&#116;tp://a.com)", 0, "<p>x</p>\n" },
	{ "[x](%6Aavascript:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](\\javascript:alert(1))", 0, "<p>x</p>\n" },
	{ "[x](java\\script:alert(1))", 0, NULL },
	{ NUL_IN_HREF, sizeof(NUL_IN_HREF) - 1, NULL },
	{ "[x](data:text/html;base64,PHNjcmlwdD4=)", 0, "<p>x</p>\n" },
	{ "[x](DATA:text/html,<script>alert(1)</script>)", 0, NULL },
	{ "[x](vbscript:msgbox)", 0, "<p>x</p>\n" },
	{ "[x](file:///etc/passwd)", 0, "<p>x</p>\n" },
	{ "[x][r]\n\n[r]: javascript:alert(1)", 0, "<p>x</p>\n" },
	{ "[x][r]\n\n[r]: <javascript:alert(1)> \"t\"", 0, "<p>x</p>\n" },
	{ "<a href=\"javascript:alert(1)\">x</a>", 0,
	    "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;"
	    "</p>\n" },
	{ "[x](http://a.com\" onclick=\"alert(1))", 0, NULL },
	{ "[x](<http://a.com\" onmouseover=\"alert(1)>)", 0, "<p>x</p>\n" },
	{ "[x](http://a.com \"\\\" onclick=alert(1) x=\\\"\")", 0,
	    "<p><a href=\"http://a.com" REL "x</a></p>\n" },
	{ "[x](http://a.com/\"onclick=\"alert(1))", 0,
	    "<p><a href=\"http://a.com/&quot;onclick=&quot;alert(1)" REL
	    "x</a></p>\n" },
	{ "\"><script>alert(1)</script>", 0,
	    "<p>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>\n" },
	{ "<<script>script>alert(1)<</script>/script>", 0, NULL },
	{ "<scr<script>ipt>", 0, "<p>&lt;scr&lt;script&gt;ipt&gt;</p>\n" },
	{ "![x](javascript:alert(1))", 0, "<p>x</p>\n" },
	{ "![x\" onerror=\"alert(1)](http://x)", 0,
	    "<p>x&quot; onerror=&quot;alert(1)</p>\n" },
	{ "[![x](http://i)](javascript:alert(1))", 0, "<p>x</p>\n" },
	{ "![[x](javascript:alert(1))](http://i)", 0, "<p>x</p>\n" },
	{ "[[x](javascript:alert(1))](http://b)", 0, NULL },
	{ "[<img src=x onerror=alert(1)>](http://x)", 0,
	    "<p><a href=\"http://x" REL
	    "&lt;img src=x onerror=alert(1)&gt;</a></p>\n" },
	{ "<svg/onload=alert(1)>", 0, "<p>&lt;svg/onload=alert(1)&gt;</p>\n" },
	{ "<iframe src=\"javascript:alert(1)\"></iframe>", 0, NULL },
	{ "<style>*{x:expression(alert(1))}</style>", 0, NULL },
	{ "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", 0,
	    NULL },
	{ "[a](http://x)<b onmouseover=alert(1)>", 0,
	    "<p><a href=\"http://x" REL
	    "a</a>&lt;b onmouseover=alert(1)&gt;</p>\n" },
	{ "<javascript:alert(1)>", 0, "<p>javascript:alert(1)</p>\n" },
	{ "<JAVASCRIPT:alert(1)>", 0, "<p>JAVASCRIPT:alert(1)</p>\n" },
	{ "<data:text/html,x>", 0, "<p>data:text/html,x</p>\n" },
	{ "http://a.com/\"onmouseover=\"alert(1)", 0,
	    "<p><a href=\"http://a.com/&quot;onmouseover=&quot;alert(1)" REL
	    "http://a.com/&quot;onmouseover=&quot;alert(1)</a></p>\n" },
	{ "www.a.com/'onmouseover='alert(1)", 0, NULL },
	{ "a@b.com\"onclick=alert(1)", 0, NULL },
	{ "javascript:alert(1)", 0, "<p>javascript:alert(1)</p>\n" },
	{ "`<script>alert(1)</script>`", 0,
	    "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n" },
	{ "```\n</code></pre><script>alert(1)</script>\n```", 0, NULL },
	{ "```\"><script>alert(1)</script>\nx\n```", 0,
	    "<pre><code>x\n</code></pre>\n" },
	{ "# <script>alert(1)</script>", 0, NULL },
	{ "&lt;script&gt;alert(1)&lt;/script&gt;", 0,
	    "<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;</p>\n" },
	{ "<div onclick=\"alert(1)\">\n\nx\n\n</div>", 0, NULL },
	{ "<!--<script>alert(1)</script>-->", 0, NULL },
	{ "<![CDATA[<script>alert(1)</script>]]>", 0, NULL },
	{ "<?php echo 1 ?>", 0, NULL },
	{ "- [x](javascript:alert(1))\n> [y](vbscript:z)", 0,
	    "<ul>\n<li>x</li>\n</ul>\n<blockquote>\n<p>y</p>\n"
	    "</blockquote>\n" },
};

Test(markdown, xss)
{
	const struct xss_case *c;
	const char            *p, *tag, *end, *href;
	char                  *got;
	size_t                 i, len;

	for (i = 0; i < sizeof(xss_cases) / sizeof(xss_cases[0]); i++) {
		c = &xss_cases[i];
		len = c->len ? c->len : strlen(c->src);
		got = render_n(c->src, len);
		assert_safe(got, strlen(got), c->src);
		if (c->want != NULL)
			cr_expect_str_eq(got, c->want, "input: \"%s\"", c->src);

		/* Belt and braces on top of the checker. */
		cr_expect_null(find_ci(got, strlen(got), "<script"), "%s", got);
		cr_expect_null(find_ci(got, strlen(got), "<img"), "%s", got);
		cr_expect_null(find_ci(got, strlen(got), "<iframe"), "%s", got);
		cr_expect_null(find_ci(got, strlen(got), "<svg"), "%s", got);
		cr_expect_null(find_ci(got, strlen(got), "<style"), "%s", got);
		for (p = got; (tag = strchr(p, '<')) != NULL; p = end + 1) {
			end = strchr(tag, '>');
			cr_assert_not_null(end, "unterminated tag: %s", got);
			len = (size_t)(end - tag);
			cr_expect_null(find_ci(tag, len, " on"),
			    "event handler in tag: %s", got);
			if ((href = find_ci(tag, len, "href=\"")) == NULL)
				continue;
			href += 6;
			len = (size_t)(end - href);
			cr_expect_null(find_ci(href, len, "javascript:"), "%s",
			    got);
			cr_expect_null(find_ci(href, len, "vbscript:"), "%s",
			    got);
			cr_expect(!has_prefix_ci(href, len, "data:"), "%s",
			    got);
		}
		free(got);
	}
}

/* The checker itself must reject what it exists to catch. */
Test(markdown, checker_rejects)
{
	static const char *const bad[] = {
		"<script>",
		"<p onclick=\"x\">a</p>",
		"<p class=\"x\">a</p>",
		"<img src=x>",
		"<a href=\"javascript:x\" rel=\"nofollow ugc noopener\">a</a>",
		"<a href=\" http://x\" rel=\"nofollow ugc noopener\">a</a>",
		"<a href=\"http://x\">a</a>",
		"<a href=\"http://x\" rel=\"nofollow ugc noopener\" x>a</a>",
		"<a href=\"http://x\" rel=\"nofollow ugc noopener\">"
		"<a href=\"http://y\" rel=\"nofollow ugc noopener\">"
		"a</a></a>",
		"<p>a",
		"<p><em>a</p></em>",
		"</p>",
		"a > b",
		"a \" b",
		"&#106;",
		"<P>a</P>",
		"< p>",
	};
	char   why[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(!html_check(bad[i], why, sizeof(why)),
		    "checker accepted \"%s\"", bad[i]);
	cr_expect(html_check("<p><a href=\"mailto:a@b" REL "a</a><br>"
	                     "&amp;&lt;&gt;&quot;&#39;</p>\n",
	              why, sizeof(why)),
	    "%s", why);
}

/*
 * Seeded fuzz: strings of Markdown-ish tokens and random bytes, each
 * rendered and held to the checker. Deterministic, so a failure repeats.
 */

static uint32_t
rnd(uint32_t *s)
{
	/* xorshift32: small, fixed, good enough to shuffle tokens. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

static const char *const fuzz_tokens[] = {
	"<",
	">",
	"[",
	"]",
	"(",
	")",
	"!",
	"*",
	"_",
	"`",
	"```",
	"~~~",
	"\n",
	"\n\n",
	" ",
	"  ",
	"\t",
	"\\",
	"&",
	";",
	"#",
	"&#58;",
	"&#106;",
	"&amp;",
	"\"",
	"'",
	"=",
	"/",
	":",
	"-",
	"1.",
	"> ",
	"- ",
	"    ",
	"http://",
	"https://",
	"www.",
	"mailto:",
	"javascript:",
	"data:",
	"vbscript:",
	"a.com",
	"@",
	"x",
	"script",
	"img",
	"onerror",
	"a",
	"href",
	"<a href=\"",
	"\0",
	"\x01",
	"\x7f",
	"\xc3\xa9",
	"\xff",
	"\xe2\x80\xa8",
	"[x]: ",
	"](",
	"<http://",
	"%6A",
	"|",
	"---",
	"===",
};

Test(markdown, fuzz)
{
	char        src[512];
	char       *got;
	const char *t;
	uint32_t    seed = 0x9e3779b9;
	size_t      i, n, tl, ntok;
	int         iter;

	ntok = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);
	for (iter = 0; iter < 3000; iter++) {
		n = 0;
		while (n < sizeof(src) - 16 && rnd(&seed) % 40 != 0) {
			if (iter % 4 == 3) {
				/* Raw bytes every fourth round. */
				src[n++] = (char)(rnd(&seed) & 0xff);
				continue;
			}
			i = rnd(&seed) % ntok;
			t = fuzz_tokens[i];
			/* The NUL token has length one, not zero. */
			tl = t[0] == '\0' ? 1 : strlen(t);
			memcpy(src + n, t, tl);
			n += tl;
		}
		got = render_n(src, n);
		assert_safe(got, strlen(got), "(fuzz)");
		cr_assert_leq(strlen(got), MARKDOWN_OUT_MAX(n), "(fuzz)");
		free(got);
	}
}

/*
 * Nesting bombs (issue #12): quotes and lists nest at most
 * MARKDOWN_NEST_MAX deep, and the worst inputs found stay within
 * MARKDOWN_OUT_MAX of markdown.h.
 */

/* head, then unit repeated while the whole stays under max bytes, then
 * tail. Units may hold NUL bytes: ulen says how long one is. */
static char *
bomb(const char *head, const char *unit, size_t ulen, const char *tail,
    size_t max, size_t *len)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, head);
	while (b.len + ulen + strlen(tail) <= max)
		buf_append(&b, unit, ulen);
	buf_puts(&b, tail);
	return (buf_release(&b, len));
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

/* The deepest nesting of blockquote, ul and ol together. */
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

Test(markdown, quote_nesting_capped)
{
	char  *src, *got;
	size_t len;

	/* The review's bomb: 9,990 '>' made 9,990 nested quotes. */
	src = bomb("", ">", 1, "", 9990, &len);
	got = render_n(src, len);
	cr_expect_eq(count(got, "<blockquote>"), MARKDOWN_NEST_MAX);
	cr_expect_eq(container_depth(got), MARKDOWN_NEST_MAX);
	assert_safe(got, strlen(got), "9990 >");
	free(got);
	free(src);

	/* Eight levels are kept whole; the ninth is flat, its text kept. */
	expect(">>>>>>>> eight",
	    "<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n"
	    "<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n"
	    "<p>eight</p>\n"
	    "</blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n"
	    "</blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n");
	got = render(">>>>>>>>>>>> twelve\n>>>>>>>>>>>>\n>>>>>>>>>>>> more");
	cr_expect_eq(container_depth(got), MARKDOWN_NEST_MAX, "%s", got);
	cr_expect_neq(strstr(got, "<p>twelve</p>"), NULL, "%s", got);
	cr_expect_neq(strstr(got, "<p>more</p>"), NULL, "%s", got);
	assert_safe(got, strlen(got), "twelve");
	free(got);
}

Test(markdown, list_nesting_capped)
{
	struct buf src;
	char      *got, item[16];
	size_t     len, i;
	char      *s;

	/* "- " 4,990 times and a letter made 4,990 nested lists (without
	 * the letter, it is a thematic break). */
	s = bomb("", "- ", 2, "x", 9981, &len);
	got = render_n(s, len);
	cr_expect_eq(count(got, "<ul>"), MARKDOWN_NEST_MAX);
	cr_expect_eq(container_depth(got), MARKDOWN_NEST_MAX);
	assert_safe(got, strlen(got), "- x 4990");
	free(got);
	free(s);

	/* Twelve levels of items, each with its text: all the text stays,
	 * the levels past eight lose their list. */
	buf_init(&src);
	for (i = 1; i <= 12; i++)
		buf_printf(&src, "%*s- item%zu\n", (int)(2 * (i - 1)), "", i);
	got = render_n(src.data, src.len);
	cr_expect_eq(container_depth(got), MARKDOWN_NEST_MAX, "%s", got);
	for (i = 1; i <= 12; i++) {
		snprintf(item, sizeof(item), "item%zu", i);
		cr_expect_neq(strstr(got, item), NULL, "%s in %s", item, got);
	}
	/* Flat items do not run together. */
	cr_expect_eq(strstr(got, "item9item10"), NULL, "%s", got);
	assert_safe(got, strlen(got), src.data);
	free(got);
	buf_free(&src);

	/* Quotes and lists count together. */
	s = bomb("", "> - 1. ", 7, "x", 9990, &len);
	got = render_n(s, len);
	cr_expect_eq(container_depth(got), MARKDOWN_NEST_MAX, "%.300s", got);
	assert_safe(got, strlen(got), "> - 1.");
	free(got);
	free(s);
}

/* The worst inputs found: each must stay within the bound of markdown.h. */
static const struct {
	const char *what;
	const char *head;
	const char *unit;
	size_t      ulen; /* 0: strlen(unit) */
	const char *tail;
} bombs[] = {
	{ "quotes", "", ">", 0, "" },
	{ "spaced quotes", "", "> ", 0, "x" },
	{ "lists", "", "- ", 0, "x" },
	{ "ordered lists", "", "1. ", 0, "x" },
	{ "quotes and lists", "", "> * ", 0, "x" },
	{ "empty items", "", "-\n", 0, "" },
	{ "empty quotes", "", ">\n\n", 0, "" },
	{ "short quotes", "", "> a\n\n", 0, "" },
	{ "short paragraphs", "", "a\n\n", 0, "" },
	{ "short items", "", "- a\n", 0, "" },
	{ "deep emphasis", "", "*", 0, "a" },
	{ "emphasis runs", "", "*a", 0, "*" },
	{ "strong runs", "", "**a", 0, "**" },
	{ "emphasis spans", "", "*a* ", 0, "" },
	{ "strong em spans", "", "***a*** ", 0, "" },
	{ "code spans", "", "`a`", 0, "" },
	{ "hard breaks", "", "a\\\n", 0, "a" },
	{ "reference links",
	    "[a]: http://example.com/"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\n\n",
	    "[a]", 0, "" },
	{ "reference images in links",
	    "[a]: http://example.com/&&&&&&&&&&"
	    "&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&\n\n",
	    "[![a][a]][a]", 0, "" },
	{ "inline links", "", "[a](http://x) ", 0, "" },
	{ "e-mail autolinks", "", "a@b.co ", 0, "" },
	{ "www autolinks", "", "www.a.co ", 0, "" },
	{ "autolinks of ampersands", "", "www.a.co/&&&&&&&&&&&&&&&& ", 0, "" },
	{ "angle autolinks", "", "<http://a> ", 0, "" },
	{ "quotes escaped", "", "\"", 0, "" },
	{ "ampersands escaped", "", "&", 0, "" },
	{ "angles escaped", "", "<", 0, "" },
	{ "NUL bytes", "", "\0", 1, "" },
	{ "fenced code of NULs", "```\n", "\0\n", 2, "```" },
	{ "quoted code", "", "> ```\n", 0, "" },
	{ "items of links", "", "- [a](http://x)\n", 0, "" },
	{ "nested items of links", "", "- [a](http://x)\n  ", 0, "" },
	{ "quotes of emphasis", "", "> *a* `b` **c**\n>\n", 0, "" },
};

Test(markdown, output_bounded)
{
	struct buf b;
	char      *src;
	size_t     i, len, ulen;

	for (i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		ulen = bombs[i].ulen ? bombs[i].ulen : strlen(bombs[i].unit);
		src = bomb(bombs[i].head, bombs[i].unit, ulen, bombs[i].tail,
		    9990, &len);
		buf_init(&b);
		cr_assert_eq(markdown_render(&b, src, len), 0, "%s",
		    bombs[i].what);
		cr_expect_leq(b.len, MARKDOWN_OUT_MAX(len),
		    "%s: %zu bytes of HTML for %zu of source (bound %zu)",
		    bombs[i].what, b.len, len, MARKDOWN_OUT_MAX(len));
		assert_safe(b.data, b.len, bombs[i].what);
		buf_free(&b);
		free(src);
	}
}

/* Short comments keep every link and every tag: the bound bites only on
 * what no person writes. */
Test(markdown, budget_spares_ordinary_comments)
{
	char *got;

	got = render(
	    "See [the talks](https://example.com/2018/03/talks), "
	    "<https://example.org/a>, www.example.net and a@example.com.\n\n"
	    "> *quoted* **text** with `code`\n\n- one\n- two\n  - three\n");
	cr_expect_eq(count(got, "<a href="), 4, "%s", got);
	cr_expect_eq(count(got, "<em>"), 1, "%s", got);
	cr_expect_eq(count(got, "<li>"), 3, "%s", got);
	free(got);
}

/* The text the word filters read. */
static void
expect_text(const char *src, const char *want)
{
	struct buf b;

	buf_init(&b);
	cr_assert_eq(markdown_text(&b, src, strlen(src)), 0);
	cr_expect_str_eq(b.data, want, "input: \"%s\"", src);
	buf_free(&b);
}

Test(markdown, text_as_read)
{
	struct buf b;

	expect_text("sp*a*m and sp**a**m and sp`a`m",
	    "spam and spam and spam\n");
	expect_text("a & <b> \"c\"", "a & <b> \"c\"\n");
	expect_text("one\n\ntwo  \nthree", "one\ntwo\nthree\n");
	expect_text("> quoted\n\n- a\n- b", "\nquoted\n\n\na\nb\n\n");
	expect_text("[click](http://evil.example/&x) here",
	    "click here\n\nhttp://evil.example/&x");
	expect_text("x www.a.example y",
	    "x www.a.example y\n\n"
	    "http://www.a.example");
	/* Only what the HTML would hold: no image targets, no javascript:. */
	expect_text("![alt](http://img.example/x.png) [j](javascript:x)",
	    "alt j\n");
	expect_text("", "");

	buf_init(&b);
	cr_assert_eq(markdown_text(&b, "a\0b", 3), 0);
	cr_expect_str_eq(b.data,
	    "a\xef\xbf\xbd"
	    "b\n");
	buf_free(&b);
}

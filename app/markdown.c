/*
 * Safe Markdown renderer: md4c parses, these callbacks write HTML.
 *
 * md4c-html is not used because it passes through attributes and tags we
 * do not want (class on code blocks, img, raw HTML, any link scheme).
 * Here every tag comes from a fixed table of string literals and every
 * byte of user text goes through escape_html(), so the output can only
 * ever contain the allowlisted tags.
 *
 * Every tag written is pushed on a stack and closed from it, rather than
 * trusting md4c to pair its callbacks: md4c 0.4.8 can be made to leave a
 * span it never entered, which would otherwise print a stray </em>.
 *
 * Output convention: block closing tags and the opening tags of
 * blockquote, ul and ol are followed by "\n"; other tags are not.
 *
 * Bombs: md4c nests as deep as the source asks and links to one reference
 * as often, so both are bounded here (see markdown.h). Quotes and lists
 * past MARKDOWN_NEST_MAX write no tags: their content stays, at the
 * deepest level. Every piece of markup is paid for from a budget of
 * MARKDOWN_MARKUP_FACTOR bytes a source byte (tags with their closing
 * tags when they open, links with their escaped targets) and is left out,
 * its text kept, when the budget is spent. Text costs at most
 * MARKDOWN_TEXT_FACTOR bytes a byte of the source it comes from; should
 * md4c ever hand over more text than that, the whole source is shown as
 * escaped text instead, which always fits.
 */

#include <stddef.h>
#include <string.h>

#include <md4c.h>

#include "buf.h"
#include "escape.h"
#include "markdown.h"

/*
 * Raw HTML is shown as text. Bare URLs, www. names and e-mail addresses
 * become links. Indented code blocks are off: in comments, leading spaces
 * are far more often pasted or accidental than meant as code, and fenced
 * blocks say what they mean.
 */
#define MARKDOWN_FLAGS                                                         \
	(MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEURLAUTOLINKS |                     \
	    MD_FLAG_PERMISSIVEWWWAUTOLINKS |                                   \
	    MD_FLAG_PERMISSIVEEMAILAUTOLINKS | MD_FLAG_NOINDENTEDCODEBLOCKS)

#define LINK_OPEN   "<a href=\""
#define LINK_ATTRS  "\" rel=\"nofollow ugc noopener\">"
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

enum tag {
	TAG_NONE,
	TAG_P,
	TAG_BLOCKQUOTE,
	TAG_UL,
	TAG_OL,
	TAG_LI,
	TAG_PRE,
	TAG_EM,
	TAG_STRONG,
	TAG_CODE,
	TAG_A,
};

/* The only markup this file ever writes. <a> opens in span_enter(). */
static const struct {
	const char *open;
	const char *close;
} tags[] = {
	[TAG_NONE] = { "", "" },
	[TAG_P] = { "<p>", "</p>\n" },
	[TAG_BLOCKQUOTE] = { "<blockquote>\n", "</blockquote>\n" },
	[TAG_UL] = { "<ul>\n", "</ul>\n" },
	[TAG_OL] = { "<ol>\n", "</ol>\n" },
	[TAG_LI] = { "<li>", "</li>\n" },
	[TAG_PRE] = { "<pre><code>", "</code></pre>\n" },
	[TAG_EM] = { "<em>", "</em>" },
	[TAG_STRONG] = { "<strong>", "</strong>" },
	[TAG_CODE] = { "<code>", "</code>" },
	[TAG_A] = { "", "</a>" },
};

/* One md4c block or span we entered, and the tag we wrote for it. */
struct frame {
	int          span; /* 0: MD_BLOCKTYPE, 1: MD_SPANTYPE */
	unsigned int type;
	enum tag     tag;
	int          flat; /* a block that lost its tag: a line break
				 * ends it, so its text does not run on */
};

struct render {
	struct buf  *out;
	struct buf   stack; /* struct frame, innermost last */
	size_t       markup_left; /* bytes of markup still allowed */
	unsigned int containers; /* blockquote, ul, ol on the stack */
	unsigned int in_img; /* image frames on the stack */
	unsigned int in_a; /* <a> frames on the stack, 0 or 1 */
	int          after_nul; /* last callback was MD_TEXT_NULLCHAR */
};

static int           block_enter(MD_BLOCKTYPE, void *, void *);
static int           block_leave(MD_BLOCKTYPE, void *, void *);
static int           span_enter(MD_SPANTYPE, void *, void *);
static int           span_leave(MD_SPANTYPE, void *, void *);
static int           text(MD_TEXTTYPE, const MD_CHAR *, MD_SIZE, void *);
static size_t        depth(const struct render *);
static struct frame *frame_at(struct render *, size_t);
static void          push(struct render *, int, unsigned int, enum tag, int);
static void          pop(struct render *);
static void          close_to(struct render *, int, unsigned int);
static enum tag      block_tag(MD_BLOCKTYPE);
static void          line_break(struct render *);
static int           afford(struct render *, size_t);
static int           afford_tag(struct render *, enum tag);
static int           is_container(enum tag);
static size_t        escaped_len(const char *, size_t);
static int           href_allowed(const MD_ATTRIBUTE *);
static int           has_prefix(const char *, size_t, const char *);
static void          put_text(struct buf *, const char *, size_t);
static void          render_as_text(struct buf *, size_t, const char *, size_t);
static void          html_to_text(struct buf *, const char *, size_t);

static const MD_PARSER parser = {
	.abi_version = 0,
	.flags = MARKDOWN_FLAGS,
	.enter_block = block_enter,
	.leave_block = block_leave,
	.enter_span = span_enter,
	.leave_span = span_leave,
	.text = text,
	.debug_log = NULL,
	.syntax = NULL,
};

int
markdown_render(struct buf *out, const char *src, size_t len)
{
	struct render r;
	struct buf    copy;
	size_t        start;
	int           rc;

	/* Callers store out->data as a C string: make it one even when
	 * nothing is rendered (empty source, a lone "---"). */
	buf_append(out, "", 0);
	if (len == 0)
		return (0);
	/* md4c takes an unsigned int size. */
	if (len > (size_t)(MD_SIZE)-1)
		return (-1);

	start = out->len;
	r.out = out;
	buf_init(&r.stack);
	r.markup_left = len * MARKDOWN_MARKUP_FACTOR + MARKDOWN_MARKUP_SLACK;
	r.containers = 0;
	r.in_img = 0;
	r.in_a = 0;
	r.after_nul = 0;

	/*
	 * md4c 0.4.8 reads the byte just past the input in places: with
	 * "[a](b" at the end and ')' next in memory it takes a link and
	 * then reads far beyond the buffer (fixed upstream by md4c PR
	 * #167). Parse a private copy whose terminating NUL makes that
	 * byte ours and harmless.
	 */
	buf_init(&copy);
	buf_append(&copy, src, len);
	rc = md_parse(copy.data, (MD_SIZE)len, &parser, &r);
	buf_free(&copy);

	/* Close whatever md4c left open, even on failure. */
	while (depth(&r) > 0)
		pop(&r);
	buf_free(&r.stack);
	if (rc != 0)
		return (-1);
	if (out->len - start > MARKDOWN_OUT_MAX(len))
		render_as_text(out, start, src, len);
	return (0);
}

/* The bound holds whatever md4c does: the source as one paragraph of
 * escaped text is at most MARKDOWN_TEXT_FACTOR bytes a byte, plus 8. */
static void
render_as_text(struct buf *out, size_t start, const char *src, size_t len)
{
	out->len = start;
	out->data[start] = '\0';
	buf_puts(out, tags[TAG_P].open);
	put_text(out, src, len);
	buf_puts(out, tags[TAG_P].close);
}

int
markdown_text(struct buf *out, const char *src, size_t len)
{
	struct buf html;
	int        rc;

	/* Read back from the HTML itself: whatever the renderer decides
	 * (a link refused, a quote flattened, a budget spent), the filters
	 * read what readers get. */
	buf_init(&html);
	rc = markdown_render(&html, src, len);
	buf_append(out, "", 0);
	if (rc == 0)
		html_to_text(out, html.data, html.len);
	buf_free(&html);
	return (rc);
}

static int
block_enter(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	enum tag       tag, want;

	(void)detail;
	r->after_nul = 0;

	/* A block never starts inside a span; if md4c says so, end them. */
	while (depth(r) > 0 && frame_at(r, depth(r) - 1)->span)
		pop(r);
	want = block_tag(type);
	tag = want;
	/* Too deep, or an item of a list that lost its tag: flat. */
	if (is_container(tag) && r->containers >= MARKDOWN_NEST_MAX)
		tag = TAG_NONE;
	if (tag == TAG_LI && depth(r) > 0 &&
	    frame_at(r, depth(r) - 1)->tag == TAG_NONE)
		tag = TAG_NONE;
	if (tag != TAG_NONE && !afford_tag(r, tag))
		tag = TAG_NONE;
	buf_puts(r->out, tags[tag].open);
	push(r, 0, type, tag, want != TAG_NONE && tag == TAG_NONE);
	if (frame_at(r, depth(r) - 1)->flat)
		line_break(r);
	return (0);
}

/* The tag a block would have with no limits. */
static enum tag
block_tag(MD_BLOCKTYPE type)
{
	enum tag tag;

	switch (type) {
	case MD_BLOCK_QUOTE:
		tag = TAG_BLOCKQUOTE;
		break;
	case MD_BLOCK_UL:
		tag = TAG_UL;
		break;
	case MD_BLOCK_OL:
		/* The start number would need an attribute: dropped. */
		tag = TAG_OL;
		break;
	case MD_BLOCK_LI:
		tag = TAG_LI;
		break;
	case MD_BLOCK_CODE:
		/* No class="language-x": the info string is dropped. */
		tag = TAG_PRE;
		break;
	case MD_BLOCK_H:
	case MD_BLOCK_HTML:
	case MD_BLOCK_P:
		/* Headings are plain paragraphs in a comment. Raw HTML
		 * blocks cannot occur with MD_FLAG_NOHTML; if one does,
		 * its text is escaped like any other. */
		tag = TAG_P;
		break;
	default:
		/* Document, hr, tables (not enabled) and anything newer
		 * write no tag; their text is still escaped. */
		tag = TAG_NONE;
		break;
	}
	return (tag);
}

static int
block_leave(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render *r = arg;

	(void)detail;
	r->after_nul = 0;
	close_to(r, 0, type);
	return (0);
}

static int
span_enter(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render          *r = arg;
	const MD_SPAN_A_DETAIL *a;
	enum tag                tag;

	r->after_nul = 0;
	tag = TAG_NONE;

	/* Alt text is plain text: no markup inside an image at all. */
	if (r->in_img == 0) {
		switch (type) {
		case MD_SPAN_EM:
			tag = TAG_EM;
			break;
		case MD_SPAN_STRONG:
			tag = TAG_STRONG;
			break;
		case MD_SPAN_CODE:
			tag = TAG_CODE;
			break;
		case MD_SPAN_A:
			a = detail;
			if (r->in_a == 0 && href_allowed(&a->href))
				tag = TAG_A;
			break;
		default:
			/* Images show their alt text only; extensions we
			 * do not enable show their text. */
			break;
		}
	}

	if (tag == TAG_A) {
		a = detail;
		if (!afford(r,
		        strlen(LINK_OPEN) +
		            escaped_len(a->href.text, a->href.size) +
		            strlen(LINK_ATTRS) + strlen(tags[TAG_A].close)))
			tag = TAG_NONE;
	} else if (tag != TAG_NONE && !afford_tag(r, tag))
		tag = TAG_NONE;

	if (tag == TAG_A) {
		buf_puts(r->out, LINK_OPEN);
		escape_html(r->out, a->href.text, a->href.size);
		buf_puts(r->out, LINK_ATTRS);
	} else
		buf_puts(r->out, tags[tag].open);
	push(r, 1, type, tag, 0);
	return (0);
}

static int
span_leave(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render *r = arg;

	(void)detail;
	r->after_nul = 0;
	close_to(r, 1, type);
	return (0);
}

static int
text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *arg)
{
	struct render *r = arg;
	int            skip;

	/*
	 * md4c 0.4.8 reports a NUL in a code block as MD_TEXT_NULLCHAR and
	 * then again as the first byte of the next text: skip that copy.
	 * A NUL in a code span comes only raw; put_text() replaces it.
	 */
	skip = r->after_nul && n > 0 && s[0] == '\0';
	r->after_nul = type == MD_TEXT_NULLCHAR;
	if (skip) {
		s++;
		n--;
	}

	switch (type) {
	case MD_TEXT_NULLCHAR:
		buf_puts(r->out, REPLACEMENT);
		break;
	case MD_TEXT_BR:
		/* Alt text has no markup, so a hard break is a space; past
		 * the budget, a newline, as a soft break. */
		if (r->in_img > 0)
			buf_putc(r->out, ' ');
		else if (afford(r, strlen("<br>")))
			buf_puts(r->out, "<br>");
		else
			buf_putc(r->out, '\n');
		break;
	case MD_TEXT_SOFTBR:
		buf_putc(r->out, '\n');
		break;
	default:
		/* Normal, code, HTML (cannot occur with MD_FLAG_NOHTML)
		 * and entities: always escaped. Entities are not decoded,
		 * so "&copy;" shows as typed: decoding needs the whole
		 * HTML5 entity table and buys little in comments. */
		put_text(r->out, s, n);
		break;
	}
	return (0);
}

static size_t
depth(const struct render *r)
{
	return (r->stack.len / sizeof(struct frame));
}

static struct frame *
frame_at(struct render *r, size_t i)
{
	return ((struct frame *)(void *)r->stack.data + i);
}

static void
push(struct render *r, int span, unsigned int type, enum tag tag, int flat)
{
	struct frame f;

	f.span = span;
	f.type = type;
	f.tag = tag;
	f.flat = flat;
	buf_append(&r->stack, &f, sizeof(f));
	if (is_container(tag))
		r->containers++;
	if (span && type == MD_SPAN_IMG)
		r->in_img++;
	if (tag == TAG_A)
		r->in_a++;
}

/* Writes the closing tag of the innermost frame and drops it. */
static void
pop(struct render *r)
{
	struct frame *f;

	f = frame_at(r, depth(r) - 1);
	buf_puts(r->out, tags[f->tag].close);
	if (f->flat)
		line_break(r);
	if (is_container(f->tag))
		r->containers--;
	if (f->span && f->type == MD_SPAN_IMG)
		r->in_img--;
	if (f->tag == TAG_A)
		r->in_a--;
	r->stack.len -= sizeof(*f);
	r->stack.data[r->stack.len] = '\0';
}

/*
 * Leaves the innermost open block or span of this type, closing anything
 * still open inside it. A leave with no matching enter is ignored; a span
 * is only looked for inside the current block.
 */
static void
close_to(struct render *r, int span, unsigned int type)
{
	struct frame *f;
	size_t        i;

	for (i = depth(r); i > 0; i--) {
		f = frame_at(r, i - 1);
		if (f->span == span && f->type == type)
			break;
		if (span && !f->span)
			return;
	}
	if (i == 0)
		return;
	while (depth(r) >= i)
		pop(r);
}

/*
 * Where a flat block starts or ends, its text must not run into the text
 * around it: a newline, unless one is there. Paid for from the budget.
 */
static void
line_break(struct render *r)
{
	if (r->out->len > 0 && r->out->data[r->out->len - 1] != '\n' &&
	    afford(r, 1))
		buf_putc(r->out, '\n');
}

/* Takes n bytes from the markup budget: 1 if they were there. */
static int
afford(struct render *r, size_t n)
{
	if (n > r->markup_left)
		return (0);
	r->markup_left -= n;
	return (1);
}

/* A tag is paid for whole, closing tag included, when it opens: what is
 * open can always be closed. */
static int
afford_tag(struct render *r, enum tag tag)
{
	return (afford(r, strlen(tags[tag].open) + strlen(tags[tag].close)));
}

static int
is_container(enum tag tag)
{
	return (tag == TAG_BLOCKQUOTE || tag == TAG_UL || tag == TAG_OL);
}

/* What escape_html() makes of n bytes, in bytes. */
static size_t
escaped_len(const char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
		case '\'':
			len += 5;
			break;
		case '<':
		case '>':
			len += 4;
			break;
		case '"':
			len += 6;
			break;
		default:
			len++;
			break;
		}
	}
	return (len);
}

/*
 * A link keeps its <a> only if its href plainly starts with an allowed
 * scheme. The check runs on the bytes md4c hands over, after backslash
 * escapes; entities or NULs in the href reject it outright, since a
 * browser would decode "&#58;" into a scheme colon.
 */
static int
href_allowed(const MD_ATTRIBUTE *href)
{
	const unsigned char *p;
	size_t               i;

	for (i = 0; href->substr_offsets[i] < href->size; i++) {
		if (href->substr_types[i] != MD_TEXT_NORMAL)
			return (0);
	}

	/* Browsers strip or ignore whitespace and control bytes inside
	 * a scheme ("java\tscript:"), so refuse them anywhere. */
	p = (const unsigned char *)href->text;
	for (i = 0; i < href->size; i++) {
		if (p[i] <= 0x20 || p[i] == 0x7f)
			return (0);
	}

	return (has_prefix(href->text, href->size, "http://") ||
	    has_prefix(href->text, href->size, "https://") ||
	    has_prefix(href->text, href->size, "mailto:"));
}

/* ASCII case-insensitive prefix test; strncasecmp() follows the locale. */
static int
has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t i;
	char   c;

	for (i = 0; prefix[i] != '\0'; i++) {
		if (i >= n)
			return (0);
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			return (0);
	}
	return (1);
}

/* escape_html() copies NUL bytes; HTML has no use for them. */
static void
put_text(struct buf *out, const char *s, size_t n)
{
	const char *nul;

	if (n == 0)
		return;
	while ((nul = memchr(s, '\0', n)) != NULL) {
		escape_html(out, s, (size_t)(nul - s));
		buf_puts(out, REPLACEMENT);
		n -= (size_t)(nul - s) + 1;
		s = nul + 1;
	}
	escape_html(out, s, n);
}

/* The five entities escape_html() writes, and what they stand for. */
static const struct {
	const char *entity;
	char        c;
} entities[] = {
	{ "&amp;", '&' },
	{ "&lt;", '<' },
	{ "&gt;", '>' },
	{ "&quot;", '"' },
	{ "&#39;", '\'' },
};

#define NENTITIES (sizeof(entities) / sizeof(entities[0]))

/* Appends n bytes of escaped text, unescaped. */
static void
unescape(struct buf *out, const char *s, size_t n)
{
	const char *amp;
	size_t      k, elen;

	while ((amp = memchr(s, '&', n)) != NULL) {
		buf_append(out, s, (size_t)(amp - s));
		n -= (size_t)(amp - s);
		s = amp;
		for (k = 0; k < NENTITIES; k++) {
			elen = strlen(entities[k].entity);
			if (elen <= n &&
			    memcmp(s, entities[k].entity, elen) == 0)
				break;
		}
		/* escape_html() leaves no other '&': keep one as it is. */
		if (k == NENTITIES) {
			buf_putc(out, '&');
			elen = 1;
		} else
			buf_putc(out, entities[k].c);
		s += elen;
		n -= elen;
	}
	buf_append(out, s, n);
}

/*
 * The text of HTML this file wrote: its grammar is fixed (tags from the
 * table, "<a href=\"...\" rel=...>", text through escape_html), so a tag
 * runs to the next '>' and an href to the next '"'. Tags are dropped
 * (the newline the renderer puts after a block's tags stays), <br> is a
 * newline, and link targets follow the text, each after a newline.
 */
static void
html_to_text(struct buf *out, const char *html, size_t len)
{
	struct buf  hrefs;
	const char *p, *end, *lt, *gt, *href, *q;

	buf_init(&hrefs);
	p = html;
	end = html + len;
	while (p < end) {
		if ((lt = memchr(p, '<', (size_t)(end - p))) == NULL)
			lt = end;
		unescape(out, p, (size_t)(lt - p));
		if (lt == end)
			break;
		if ((gt = memchr(lt, '>', (size_t)(end - lt))) == NULL)
			break;
		if (has_prefix(lt, (size_t)(gt - lt), "<br"))
			buf_putc(out, '\n');
		else if (has_prefix(lt, (size_t)(end - lt), LINK_OPEN)) {
			href = lt + strlen(LINK_OPEN);
			if ((q = memchr(href, '"', (size_t)(end - href))) ==
			        NULL ||
			    (size_t)(end - q) < strlen(LINK_ATTRS))
				break;
			buf_putc(&hrefs, '\n');
			unescape(&hrefs, href, (size_t)(q - href));
			/* The tag ends with LINK_ATTRS' own '>'. */
			gt = q + strlen(LINK_ATTRS) - 1;
		}
		p = gt + 1;
	}
	if (hrefs.len > 0)
		buf_append(out, hrefs.data, hrefs.len);
	buf_free(&hrefs);
}

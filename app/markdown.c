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
#define MARKDOWN_FLAGS	(MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEURLAUTOLINKS | \
			    MD_FLAG_PERMISSIVEWWWAUTOLINKS | \
			    MD_FLAG_PERMISSIVEEMAILAUTOLINKS | \
			    MD_FLAG_NOINDENTEDCODEBLOCKS)

#define LINK_OPEN	"<a href=\""
#define LINK_ATTRS	"\" rel=\"nofollow ugc noopener\">"
#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

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
	const char	*open;
	const char	*close;
} tags[] = {
	[TAG_NONE] =		{ "", "" },
	[TAG_P] =		{ "<p>", "</p>\n" },
	[TAG_BLOCKQUOTE] =	{ "<blockquote>\n", "</blockquote>\n" },
	[TAG_UL] =		{ "<ul>\n", "</ul>\n" },
	[TAG_OL] =		{ "<ol>\n", "</ol>\n" },
	[TAG_LI] =		{ "<li>", "</li>\n" },
	[TAG_PRE] =		{ "<pre><code>", "</code></pre>\n" },
	[TAG_EM] =		{ "<em>", "</em>" },
	[TAG_STRONG] =		{ "<strong>", "</strong>" },
	[TAG_CODE] =		{ "<code>", "</code>" },
	[TAG_A] =		{ "", "</a>" },
};

/* One md4c block or span we entered, and the tag we wrote for it. */
struct frame {
	int		span;	/* 0: MD_BLOCKTYPE, 1: MD_SPANTYPE */
	unsigned int	type;
	enum tag	tag;
};

struct render {
	struct buf	*out;
	struct buf	 stack;		/* struct frame, innermost last */
	unsigned int	 in_img;	/* image frames on the stack */
	unsigned int	 in_a;		/* <a> frames on the stack, 0 or 1 */
	int		 after_nul;	/* last callback was MD_TEXT_NULLCHAR */
};

static int	 block_enter(MD_BLOCKTYPE, void *, void *);
static int	 block_leave(MD_BLOCKTYPE, void *, void *);
static int	 span_enter(MD_SPANTYPE, void *, void *);
static int	 span_leave(MD_SPANTYPE, void *, void *);
static int	 text(MD_TEXTTYPE, const MD_CHAR *, MD_SIZE, void *);
static size_t	 depth(const struct render *);
static struct frame *frame_at(struct render *, size_t);
static void	 push(struct render *, int, unsigned int, enum tag);
static void	 pop(struct render *);
static void	 close_to(struct render *, int, unsigned int);
static int	 href_allowed(const MD_ATTRIBUTE *);
static int	 has_prefix(const char *, size_t, const char *);
static void	 put_text(struct buf *, const char *, size_t);

static const MD_PARSER	parser = {
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
	struct render	r;
	struct buf	copy;
	int		rc;

	/* Callers store out->data as a C string: make it one even when
	 * nothing is rendered (empty source, a lone "---"). */
	buf_append(out, "", 0);
	if (len == 0)
		return (0);
	/* md4c takes an unsigned int size. */
	if (len > (size_t)(MD_SIZE)-1)
		return (-1);

	r.out = out;
	buf_init(&r.stack);
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
	return (rc == 0 ? 0 : -1);
}

static int
block_enter(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;
	enum tag	 tag;

	(void)detail;
	r->after_nul = 0;

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

	/* A block never starts inside a span; if md4c says so, end them. */
	while (depth(r) > 0 && frame_at(r, depth(r) - 1)->span)
		pop(r);
	buf_puts(r->out, tags[tag].open);
	push(r, 0, type, tag);
	return (0);
}

static int
block_leave(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;

	(void)detail;
	r->after_nul = 0;
	close_to(r, 0, type);
	return (0);
}

static int
span_enter(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render		*r = arg;
	const MD_SPAN_A_DETAIL	*a;
	enum tag		 tag;

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
		buf_puts(r->out, LINK_OPEN);
		escape_html(r->out, a->href.text, a->href.size);
		buf_puts(r->out, LINK_ATTRS);
	} else
		buf_puts(r->out, tags[tag].open);
	push(r, 1, type, tag);
	return (0);
}

static int
span_leave(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render	*r = arg;

	(void)detail;
	r->after_nul = 0;
	close_to(r, 1, type);
	return (0);
}

static int
text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *arg)
{
	struct render	*r = arg;
	int		 skip;

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
		/* Alt text has no markup, so a hard break is a space. */
		buf_puts(r->out, r->in_img > 0 ? " " : "<br>");
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
push(struct render *r, int span, unsigned int type, enum tag tag)
{
	struct frame	f;

	f.span = span;
	f.type = type;
	f.tag = tag;
	buf_append(&r->stack, &f, sizeof(f));
	if (span && type == MD_SPAN_IMG)
		r->in_img++;
	if (tag == TAG_A)
		r->in_a++;
}

/* Writes the closing tag of the innermost frame and drops it. */
static void
pop(struct render *r)
{
	struct frame	*f;

	f = frame_at(r, depth(r) - 1);
	buf_puts(r->out, tags[f->tag].close);
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
	struct frame	*f;
	size_t		 i;

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
 * A link keeps its <a> only if its href plainly starts with an allowed
 * scheme. The check runs on the bytes md4c hands over, after backslash
 * escapes; entities or NULs in the href reject it outright, since a
 * browser would decode "&#58;" into a scheme colon.
 */
static int
href_allowed(const MD_ATTRIBUTE *href)
{
	const unsigned char	*p;
	size_t			 i;

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
	size_t	i;
	char	c;

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
	const char	*nul;

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

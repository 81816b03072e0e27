/*
 * Imported comment bodies, HTML, to Markdown source (see import_html.h).
 *
 * libxml2's HTML parser builds a tree as forgiving as a browser's; this
 * file walks it without recursion (by parent pointers) and writes
 * Markdown as it goes. The writer keeps:
 *
 * - containers: the quotes, lists and list items open here, each adding
 *   to every line's prefix ("> ", an item's marker on its first line and
 *   its indentation after). A container writes nothing until content
 *   arrives in it, so empty ones vanish; what separates it from what came
 *   before it (a newline, a blank line) depends on what that was, so
 *   that tight lists stay tight and two quotes in a row stay two.
 * - inline frames: em, strong and a. An opening delimiter waits for the
 *   first content inside ("<em> x</em>" puts the space outside), a
 *   closing one for the next byte written: CommonMark reads '*' as
 *   emphasis only from the characters on both sides, so a pair that
 *   would not be read as one is taken out again, leaving its text.
 * - a gap: the space or line break pending between two pieces of inline
 *   content, so whitespace collapses as HTML shows it and none is left
 *   at the end of a line or a paragraph.
 *
 * Text is escaped where Markdown would read it as markup: always before
 * \ ` * [ ] <, before _ unless inside a word, before & that starts an
 * entity, and before what would open a block at the start of a line
 * (# - + = ~ >, "1." and "1)").
 *
 * What is written must read back the same in md4c 0.4.8, markdown.c's
 * parser, which has its own ways; fuzzing against it (the text a reader
 * sees must be the HTML's) found these, each handled where it arises:
 * a backslash right after "http://" is text to it; its links of bare
 * URLs take in a '*' or '[' next to them and pair a '_' even inside
 * them; it takes '*' and '_' in a link's target for emphasis; and no
 * code span has more than 32 backticks. Where a construct cannot be
 * written so that it reads back, its text is written plain.
 *
 * Bombs: text costs at most 2 bytes a byte of input; everything else is
 * markup, paid from a budget (import_html.h) and left out when it is
 * spent: from there on the output is flat (no prefixes, its blocks run
 * on after a space), so it stays within IMPORT_HTML_OUT_MAX and its text
 * reads back whole.
 */

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <unistr.h>

#include "buf.h"
#include "import_html.h"
#include "markdown.h"

/*
 * Never the network, no errors on stderr. Not HTML_PARSE_NOIMPLIED: in
 * libxml2 2.9 it hangs every later top-level element under the first
 * one ("<em>x</em> y" puts " y" inside the em). Not HTML_PARSE_HUGE:
 * libxml2 stops at 256 levels of nesting, and what lies deeper is lost.
 */
#define PARSE_OPTIONS                                                          \
	(HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING)

/* md4c 0.4.8 reads no longer run of backticks as a code span's. */
#define CODE_SPAN_FENCE_MAX 32

/* prefix_put()'s flag. */
#define PREFIX_BLANK 0x01

#define MARKUP_FACTOR 2
#define MARKUP_SLACK  64

/* The root, then quotes and lists (MARKDOWN_NEST_MAX at most) and at
 * most one item in each list. */
#define CONTAINERS_MAX (1 + 2 * MARKDOWN_NEST_MAX)
#define INLINES_MAX    3 /* em, strong, a: each at most once */
#define CLOSERS_MAX    4

/* What an element becomes. */
enum el {
	EL_INLINE, /* anything else: its text stays */
	EL_BLOCK, /* its text stays, in a paragraph of its own */
	EL_SKIP, /* nothing of it stays */
	EL_BR,
	EL_EM,
	EL_STRONG,
	EL_CODE,
	EL_PRE,
	EL_QUOTE,
	EL_UL,
	EL_OL,
	EL_LI,
	EL_A,
	EL_IMG,
	EL_CELL,
};

/* Sorted by name, for bsearch(); libxml2 gives HTML names in lower case. */
static const struct element {
	const char *name;
	enum el     el;
} elements[] = {
	{ "a", EL_A },
	{ "address", EL_BLOCK },
	{ "applet", EL_SKIP },
	{ "article", EL_BLOCK },
	{ "aside", EL_BLOCK },
	{ "audio", EL_SKIP },
	{ "b", EL_STRONG },
	{ "blockquote", EL_QUOTE },
	{ "body", EL_BLOCK },
	{ "br", EL_BR },
	{ "canvas", EL_SKIP },
	{ "caption", EL_BLOCK },
	{ "center", EL_BLOCK },
	{ "code", EL_CODE },
	{ "dd", EL_BLOCK },
	{ "details", EL_BLOCK },
	{ "dialog", EL_BLOCK },
	{ "dir", EL_UL },
	{ "div", EL_BLOCK },
	{ "dl", EL_BLOCK },
	{ "dt", EL_BLOCK },
	{ "em", EL_EM },
	{ "embed", EL_SKIP },
	{ "fieldset", EL_BLOCK },
	{ "figcaption", EL_BLOCK },
	{ "figure", EL_BLOCK },
	{ "footer", EL_BLOCK },
	{ "form", EL_BLOCK },
	{ "frame", EL_SKIP },
	{ "frameset", EL_SKIP },
	{ "h1", EL_BLOCK },
	{ "h2", EL_BLOCK },
	{ "h3", EL_BLOCK },
	{ "h4", EL_BLOCK },
	{ "h5", EL_BLOCK },
	{ "h6", EL_BLOCK },
	{ "head", EL_SKIP },
	{ "header", EL_BLOCK },
	{ "hgroup", EL_BLOCK },
	{ "hr", EL_BLOCK },
	{ "html", EL_BLOCK },
	{ "i", EL_EM },
	{ "iframe", EL_SKIP },
	{ "img", EL_IMG },
	{ "legend", EL_BLOCK },
	{ "li", EL_LI },
	{ "listing", EL_PRE },
	{ "main", EL_BLOCK },
	{ "math", EL_SKIP },
	{ "menu", EL_UL },
	{ "nav", EL_BLOCK },
	{ "noembed", EL_SKIP },
	{ "noframes", EL_SKIP },
	{ "noscript", EL_SKIP },
	{ "object", EL_SKIP },
	{ "ol", EL_OL },
	{ "p", EL_BLOCK },
	{ "pre", EL_PRE },
	{ "script", EL_SKIP },
	{ "section", EL_BLOCK },
	{ "select", EL_SKIP },
	{ "strong", EL_STRONG },
	{ "style", EL_SKIP },
	{ "summary", EL_BLOCK },
	{ "svg", EL_SKIP },
	{ "table", EL_BLOCK },
	{ "tbody", EL_BLOCK },
	{ "td", EL_CELL },
	{ "template", EL_SKIP },
	{ "textarea", EL_SKIP },
	{ "tfoot", EL_BLOCK },
	{ "th", EL_CELL },
	{ "thead", EL_BLOCK },
	{ "title", EL_SKIP },
	{ "tr", EL_BLOCK },
	{ "ul", EL_UL },
	{ "video", EL_SKIP },
	{ "xmp", EL_PRE },
};

#define NELEMENTS (sizeof(elements) / sizeof(elements[0]))

/* A character as CommonMark's emphasis rules see it. */
enum cls {
	CL_SPACE,
	CL_PUNCT,
	CL_OTHER,
};

enum kind {
	K_ROOT,
	K_QUOTE,
	K_LIST,
	K_ITEM,
};

/* What a container holds last, which decides what separates the next. */
enum last {
	L_NONE,
	L_PARA,
	L_CODE,
	L_QUOTE,
	L_LIST,
	L_ITEM,
};

enum sep {
	SEP_NONE,
	SEP_LINE,
	SEP_BLANK,
};

/* What goes between content and what came before it. */
enum sepw {
	SEPW_NOTHING,
	SEPW_SPACE,
	SEPW_LINE,
};

enum gap {
	GAP_NONE,
	GAP_SPACE,
	GAP_BREAK,
};

struct container {
	const xmlNode *node; /* the element it stands for */
	enum kind      kind;
	enum last      last;
	int            started; /* has written its first line */
	/* K_LIST */
	int           ordered;
	char          bullet; /* '-' '+', or '.' ')' after the number */
	unsigned long items; /* items started */
	size_t        item_width; /* the last one's marker's */
	/* the bullet of the list that ended last in it */
	char last_bullet;
	/* K_ITEM */
	int    indent_only; /* for what stands in a list outside items */
	char   marker[16]; /* "- ", "12. ", spaces when indent_only */
	size_t width;
};

enum in_kind {
	IN_EM,
	IN_STRONG,
	IN_LINK,
};

enum in_state {
	IN_DUE, /* opens before the next content */
	IN_OPEN, /* opened at .at */
	IN_OFF, /* stays text */
};

struct inline_frame {
	const xmlNode *node;
	enum in_kind   kind;
	enum in_state  state;
	size_t         at;
	int            paid; /* a link's markup, paid for by link_due() */
};

/* An emphasis that ended: its closing delimiter, not yet written. */
struct closer {
	size_t at; /* where its opening one is */
	size_t len;
};

struct conv {
	struct buf         *out;
	size_t              start; /* out->len when we began */
	int                 flags;
	size_t              markup_left;
	struct container    ct[CONTAINERS_MAX]; /* ct[0] is the root */
	size_t              nct;
	size_t              depth; /* quotes and lists in ct */
	struct inline_frame in[INLINES_MAX];
	size_t              nin;
	struct closer       closers[CLOSERS_MAX];
	size_t              ncl;
	struct buf          url; /* the open link's target, as written */
	struct buf          line; /* a separator and a prefix, being built */
	struct buf          text; /* the text of a code span or block */
	int                 para_open; /* inline content may follow */
	enum gap            gap;
	int                 space_free; /* HTML whitespace stands for it */
	int                 line_start; /* next character starts a line */
	unsigned int        breaks; /* line breaks in a GAP_BREAK */
	unsigned int        newlines; /* in a row, IMPORT_HTML_BARE_LINES */
	unsigned int        lead_digits; /* digits the line starts with */
	size_t              code_end; /* where the last code span ended */
	int                 in_url; /* a URL md4c may link runs to here */
	int                 after_url_link; /* no space since a link to one */
	size_t              after_fence; /* paid for a newline after one */
	int                 flat; /* past the budget: no prefixes */
	size_t              closers_end; /* where closing '*' last ended */
	size_t              link_end; /* where a link's "](...)" last ended */
};

static void      walk(struct conv *, xmlNode *);
static int       enter(struct conv *, xmlNode *);
static int       enter_element(struct conv *, xmlNode *);
static void      leave(struct conv *, xmlNode *);
static enum el   element_kind(const xmlNode *);
static int       element_cmp(const void *, const void *);
static void      block_boundary(struct conv *);
static void      push_quote(struct conv *, const xmlNode *);
static void      push_list(struct conv *, const xmlNode *, int);
static void      push_item(struct conv *, const xmlNode *);
static void      push_stray_item(struct conv *);
static void      push_container(struct conv *, const xmlNode *, enum kind);
static void      pop_container(struct conv *);
static void      push_inline(struct conv *, const xmlNode *, enum in_kind);
static void      push_link(struct conv *, xmlNode *);
static int       link_target(struct buf *, const char *);
static void      pop_inline(struct conv *);
static void      link_close(struct conv *);
static void      closer_add(struct conv *, const struct inline_frame *);
static void      closers_resolve(struct conv *, enum cls);
static void      opener_remove(struct conv *, size_t, size_t);
static int       pending(const struct conv *);
static int       can_open(enum cls, enum cls);
static int       can_close(enum cls, enum cls);
static size_t    stars_open(const struct conv *);
static void      closer_splice(struct conv *);
static int       link_due(struct conv *);
static int       has_due(const struct conv *);
static void      flush(struct conv *, enum cls);
static void      open_inlines(struct conv *, enum cls);
static void      line_build(struct conv *, enum last);
static void      line_commit(struct conv *, enum last);
static enum sep  sep_for(const struct container *, enum last);
static void      prefix_put(struct conv *, struct buf *, size_t, int);
static size_t    prefix_len(const struct conv *);
static void      item_marker(struct conv *, size_t);
static void      gap_build(struct conv *);
static enum sepw sep_afford(struct conv *);
static void      sep_write(struct conv *, enum sepw);
static void      put_text(struct conv *, const char *, size_t);
static size_t    put_space(struct conv *, const char *, size_t, size_t);
static int       needs_escape(struct conv *, const char *, size_t, size_t);
static int       line_start_escape(const char *, size_t, size_t);
static int       at_line_start(const struct conv *);
static int       bare_scheme(const char *, size_t, size_t);
static void      out_insert(struct conv *, size_t, char);
static void      positions_shift(struct conv *, size_t, ptrdiff_t);
static void      scheme_unlink(struct conv *);
static int       intraword(const struct conv *, const char *, size_t, size_t);
static int       url_start(const char *, size_t);
static int       entity_like(const char *, size_t);
static void      put_alt(struct conv *, xmlNode *);
static void      code_span(struct conv *, xmlNode *);
static void      code_block(struct conv *, xmlNode *);
static void      code_block_write(struct conv *, const char *, size_t, size_t);
static void      gather(struct buf *, xmlNode *, int);
static size_t    backtick_run(const char *, size_t);
static int       afford(struct conv *, size_t);
static enum cls  prev_class(const struct conv *);
static enum cls  class_at(const char *, size_t, size_t);
static enum cls  class_of(ucs4_t);
static int       is_html_space(char);
static int       is_alnum(char);
static int       has_prefix_ci(const char *, size_t, const char *);

int
import_html_check(const char *in, size_t len, const char **why)
{
	if (memchr(in, '\0', len) != NULL) {
		*why = "NUL byte";
		return (-1);
	}
	if (u8_check((const uint8_t *)in, len) != NULL) {
		*why = "invalid UTF-8";
		return (-1);
	}
	/* libxml2 takes an int size. */
	if (len > INT_MAX) {
		*why = "too long";
		return (-1);
	}
	return (0);
}

int
import_html_to_markdown(const char *in, size_t len, int flags, struct buf *out,
    const char **why)
{
	struct conv c;
	htmlDocPtr  doc;
	size_t      i;

	buf_append(out, "", 0);
	if (len == 0)
		return (0);
	if (import_html_check(in, len, why) == -1)
		return (-1);

	for (i = 0; i < len && is_html_space(in[i]); i++)
		;
	if (i == len)
		return (0);
	/* "UTF-8" named here also makes the parser ignore <meta charset>. */
	doc = htmlReadMemory(in, (int)len, NULL, "UTF-8", PARSE_OPTIONS);
	if (doc == NULL)
		return (0);

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.start = out->len;
	c.flags = flags;
	c.markup_left = len * MARKUP_FACTOR + MARKUP_SLACK;
	c.nct = 1;
	c.ct[0].kind = K_ROOT;
	c.ct[0].started = 1;
	c.line_start = 1;
	c.code_end = SIZE_MAX;
	c.closers_end = SIZE_MAX;
	c.link_end = SIZE_MAX;
	buf_init(&c.url);
	buf_init(&c.line);
	buf_init(&c.text);

	walk(&c, (xmlNode *)doc);
	/* Every element has been left: the last closers end the text. */
	closers_resolve(&c, CL_SPACE);

	buf_free(&c.url);
	buf_free(&c.line);
	buf_free(&c.text);
	xmlFreeDoc(doc);
	return (0);
}

/*
 * Visits the tree in document order without recursion: enter() says
 * whether to go into a node's children, leave() runs once every node
 * entered is done, children and all.
 */
static void
walk(struct conv *c, xmlNode *top)
{
	xmlNode *n;

	n = top->children;
	while (n != NULL) {
		if (enter(c, n) && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL) {
			leave(c, n);
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == top)
				n = NULL;
		}
	}
}

static int
enter(struct conv *c, xmlNode *n)
{
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content != NULL)
			put_text(c, (const char *)n->content,
			    strlen((const char *)n->content));
		return (0);
	case XML_ELEMENT_NODE:
		return (enter_element(c, n));
	default:
		/* Comments, the doctype, processing instructions. */
		return (0);
	}
}

static int
enter_element(struct conv *c, xmlNode *n)
{
	enum el el;

	/* wpautop reads "\n<b>\n" as two breaks, not a paragraph. */
	c->newlines = 0;
	el = element_kind(n);
	switch (el) {
	case EL_SKIP:
		return (0);
	case EL_BLOCK:
		block_boundary(c);
		return (1);
	case EL_BR:
		/* Each shows: "a<br><br>b" has an empty line. */
		if (c->gap != GAP_BREAK)
			c->breaks = 0;
		c->gap = GAP_BREAK;
		c->breaks++;
		/* Void, but libxml2 hangs what follows "<br>x</br>" in it. */
		return (1);
	case EL_CELL:
		/* Cells of a row are words of a line. */
		if (c->gap == GAP_NONE)
			c->gap = GAP_SPACE;
		return (1);
	case EL_EM:
		push_inline(c, n, IN_EM);
		return (1);
	case EL_STRONG:
		push_inline(c, n, IN_STRONG);
		return (1);
	case EL_A:
		push_link(c, n);
		return (1);
	case EL_CODE:
		code_span(c, n);
		return (0);
	case EL_PRE:
		code_block(c, n);
		return (0);
	case EL_QUOTE:
		block_boundary(c);
		push_quote(c, n);
		return (1);
	case EL_UL:
	case EL_OL:
		block_boundary(c);
		push_list(c, n, el == EL_OL);
		return (1);
	case EL_LI:
		block_boundary(c);
		push_item(c, n);
		return (1);
	case EL_IMG:
		put_alt(c, n);
		return (1);
	case EL_INLINE:
	default:
		return (1);
	}
}

static void
leave(struct conv *c, xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	c->newlines = 0;
	if (c->nin > 0 && c->in[c->nin - 1].node == n) {
		pop_inline(c);
		return;
	}
	switch (element_kind(n)) {
	case EL_BLOCK:
	case EL_QUOTE:
	case EL_UL:
	case EL_OL:
	case EL_LI:
		block_boundary(c);
		/* A list's stray item (push_stray_item()) goes with it. */
		while (c->nct > 1 && c->ct[c->nct - 1].node == n)
			pop_container(c);
		break;
	default:
		break;
	}
}

static enum el
element_kind(const xmlNode *n)
{
	const struct element *e;

	if (n->name == NULL)
		return (EL_INLINE);
	e = bsearch(n->name, elements, NELEMENTS, sizeof(elements[0]),
	    element_cmp);
	return (e == NULL ? EL_INLINE : e->el);
}

static int
element_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct element *)elem)->name));
}

/*
 * Where a block starts or ends: the paragraph ends, and so does every
 * open emphasis and link in it; they open again before the next content,
 * so "<em>a<p>b</p></em>" is "*a*" and "*b*".
 */
static void
block_boundary(struct conv *c)
{
	struct inline_frame *f;
	size_t               i;

	for (i = c->nin; i > 0; i--) {
		f = &c->in[i - 1];
		if (f->state != IN_OPEN)
			continue;
		if (f->kind == IN_LINK)
			link_close(c);
		else
			closer_add(c, f);
		f->state = IN_DUE;
	}
	c->para_open = 0;
	c->gap = GAP_NONE;
}

/* Quotes and lists past MARKDOWN_NEST_MAX push nothing: their content
 * stays at the deepest level, as markdown.c would show it. */
static void
push_quote(struct conv *c, const xmlNode *n)
{
	if (c->depth >= MARKDOWN_NEST_MAX)
		return;
	push_stray_item(c);
	push_container(c, n, K_QUOTE);
}

static void
push_list(struct conv *c, const xmlNode *n, int ordered)
{
	struct container *parent;
	char              bullet, other;

	if (c->depth >= MARKDOWN_NEST_MAX)
		return;
	push_stray_item(c);
	parent = &c->ct[c->nct - 1];
	/* Two lists in a row would be read as one unless the second
	 * changes its bullet. */
	bullet = ordered ? '.' : '-';
	other = ordered ? ')' : '+';
	if (parent->last == L_LIST && parent->last_bullet == bullet)
		bullet = other;
	push_container(c, n, K_LIST);
	c->ct[c->nct - 1].ordered = ordered;
	c->ct[c->nct - 1].bullet = bullet;
}

/* An item outside a list (or in one flattened away) is a paragraph. */
static void
push_item(struct conv *c, const xmlNode *n)
{
	if (c->ct[c->nct - 1].kind == K_ITEM && c->ct[c->nct - 1].indent_only)
		pop_container(c);
	if (c->ct[c->nct - 1].kind == K_LIST)
		push_container(c, n, K_ITEM);
}

/*
 * What stands in a list outside its items ("<ul><li>a</li>b<ul>...")
 * would end the list in Markdown, and the next items would start
 * another, numbered on: it goes in an item of its own with no marker,
 * indented under the item before, until the next item or the list's end.
 */
static void
push_stray_item(struct conv *c)
{
	const struct container *top = &c->ct[c->nct - 1];

	if (top->kind != K_LIST)
		return;
	push_container(c, top->node, K_ITEM);
	if (c->ct[c->nct - 1].kind == K_ITEM)
		c->ct[c->nct - 1].indent_only = 1;
}

static void
push_container(struct conv *c, const xmlNode *n, enum kind kind)
{
	struct container *f;

	if (c->nct == CONTAINERS_MAX)
		return;
	f = &c->ct[c->nct++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->kind = kind;
	if (kind == K_QUOTE || kind == K_LIST)
		c->depth++;
}

/* Tells the parent what it now holds last, if anything was written. */
static void
pop_container(struct conv *c)
{
	struct container *f, *parent;

	f = &c->ct[--c->nct];
	parent = &c->ct[c->nct - 1];
	if (f->kind == K_QUOTE || f->kind == K_LIST)
		c->depth--;
	if (!f->started)
		return;
	switch (f->kind) {
	case K_QUOTE:
		parent->last = L_QUOTE;
		break;
	case K_LIST:
		parent->last = L_LIST;
		parent->last_bullet = f->bullet;
		break;
	default:
		parent->last = L_ITEM;
		break;
	}
}

/* "<em><em>x</em></em>" is one emphasis: a frame of a kind already open
 * stays text. */
static void
push_inline(struct conv *c, const xmlNode *n, enum in_kind kind)
{
	struct inline_frame *f;
	size_t               i;

	for (i = 0; i < c->nin; i++) {
		if (c->in[i].kind == kind)
			return;
	}
	if (c->nin == INLINES_MAX)
		return;
	f = &c->in[c->nin++];
	f->node = n;
	f->kind = kind;
	f->state = IN_DUE;
	f->at = 0;
	f->paid = 0;
}

/* A link with a target we keep; any other keeps only its text. */
static void
push_link(struct conv *c, xmlNode *n)
{
	xmlChar *href;
	size_t   i;

	for (i = 0; i < c->nin; i++) {
		if (c->in[i].kind == IN_LINK)
			return;
	}
	if ((href = xmlGetProp(n, BAD_CAST "href")) == NULL)
		return;
	buf_reset(&c->url);
	if (link_target(&c->url, (const char *)href))
		push_inline(c, n, IN_LINK);
	xmlFree(href);
}

/*
 * Writes an href (entities already decoded by the parser) as a Markdown
 * link destination, or returns 0 if its scheme is not http, https or
 * mailto. Browsers drop tabs and newlines from URLs and trim the spaces
 * and controls around them; what is left is kept exactly, except that
 * spaces and controls are percent-encoded and backslash escapes keep
 * ( ) < > \ ` [ ] and an entity's '&' from ending the link or meaning
 * more, and * _ from emphasis: md4c 0.4.8 counts them in a target, and
 * "*[a](http://x/y*z)*" shows a stray star.
 */
static int
link_target(struct buf *b, const char *href)
{
	const unsigned char *p = (const unsigned char *)href;
	size_t               n, i, start, scheme;
	int                  esc;

	n = strlen(href);
	while (n > 0 && p[0] <= 0x20) {
		p++;
		n--;
	}
	while (n > 0 && p[n - 1] <= 0x20)
		n--;
	if (has_prefix_ci((const char *)p, n, "http://"))
		scheme = strlen("http://");
	else if (has_prefix_ci((const char *)p, n, "https://"))
		scheme = strlen("https://");
	else if (has_prefix_ci((const char *)p, n, "mailto:"))
		scheme = strlen("mailto:");
	else
		return (0);
	start = b->len;
	for (i = 0; i < n; i++) {
		if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		esc = strchr("()<>\\`[]*_", p[i]) != NULL ||
		    (p[i] == '&' &&
		        entity_like((const char *)p + i + 1, n - i - 1));
		/* md4c 0.4.8 takes a backslash right after "http://" as
		 * text, and what it escapes as markup. */
		if (p[i] <= 0x20 || p[i] == 0x7f ||
		    (esc && b->len - start == scheme))
			buf_printf(b, "%%%02X", p[i]);
		else if (esc) {
			buf_putc(b, '\\');
			buf_putc(b, (char)p[i]);
		} else
			buf_putc(b, (char)p[i]);
	}
	return (1);
}

static void
pop_inline(struct conv *c)
{
	struct inline_frame *f;

	f = &c->in[--c->nin];
	if (f->state != IN_OPEN)
		return;
	if (f->kind == IN_LINK)
		link_close(c);
	else
		closer_add(c, f);
}

/* "](target)", paid for when "[" was written. */
static void
link_close(struct conv *c)
{
	closers_resolve(c, CL_PUNCT);
	buf_append(c->out, "](", 2);
	buf_append(c->out, c->url.data, c->url.len);
	buf_putc(c->out, ')');
	c->link_end = c->out->len;
	c->in_url = 0;
	/* md4c's link of the URL in the target may run on past the ')'
	 * to the next space and take in a '*' ("[a](http://x.o)e*i*"
	 * shows "e*i"). */
	c->after_url_link = url_start(c->url.data, c->url.len);
}

static void
closer_add(struct conv *c, const struct inline_frame *f)
{
	/* Cannot fill up (em and strong are open once each), but if it
	 * did, the oldest ending would be decided now, conservatively. */
	if (c->ncl == CLOSERS_MAX)
		closers_resolve(c, CL_OTHER);
	c->closers[c->ncl].at = f->at;
	c->closers[c->ncl].len = f->kind == IN_EM ? 1 : 2;
	c->ncl++;
}

/*
 * Writes the closing delimiters waiting, now that the next character
 * is known: next. A run of '*' closes only if "right-flanking": not after
 * a space, and after punctuation only if before a space or punctuation.
 * If these would not close, their opening delimiters are taken out and
 * the text stays plain (the budget gets both back).
 */
static void
closers_resolve(struct conv *c, enum cls next)
{
	enum cls prev;
	size_t   i;
	int      ok;

	if (c->ncl == 0)
		return;
	prev = prev_class(c);
	ok = can_close(prev, next);
	/* md4c's link of a URL may take in a '*' (even before a space,
	 * in a link's text). */
	if (c->in_url)
		ok = 0;
	/* One that could open too (inside a word) might close another
	 * emphasis instead, or pair across the rule of 3: alone only. */
	if (can_open(prev, next) && (c->ncl > 1 || stars_open(c) > 0))
		ok = 0;
	/* Innermost first: taking an opener out moves only those after. */
	for (i = 0; i < c->ncl; i++) {
		if (ok) {
			buf_append(c->out, "**", c->closers[i].len);
			c->closers_end = c->out->len;
			continue;
		}
		opener_remove(c, c->closers[i].at, c->closers[i].len);
		c->markup_left += 2 * c->closers[i].len;
	}
	c->ncl = 0;
}

static void
opener_remove(struct conv *c, size_t at, size_t len)
{
	struct buf *out = c->out;

	memmove(out->data + at, out->data + at + len, out->len - at - len);
	out->len -= len;
	out->data[out->len] = '\0';
	positions_shift(c, at, -(ptrdiff_t)len);
}

/* Inserts one byte into the output at `at`. */
static void
out_insert(struct conv *c, size_t at, char ch)
{
	struct buf *out = c->out;

	buf_putc(out, '\0');
	memmove(out->data + at + 1, out->data + at, out->len - at - 1);
	out->data[at] = ch;
	out->data[out->len] = '\0';
	positions_shift(c, at, 1);
}

/* Moves the remembered output positions past `at` by delta bytes. */
static void
positions_shift(struct conv *c, size_t at, ptrdiff_t delta)
{
	size_t i;

	for (i = 0; i < c->nin; i++) {
		if (c->in[i].state == IN_OPEN && c->in[i].at > at)
			c->in[i].at += delta;
	}
	for (i = 0; i < c->ncl; i++) {
		if (c->closers[i].at > at)
			c->closers[i].at += delta;
	}
	if (c->code_end != SIZE_MAX && c->code_end > at)
		c->code_end += delta;
	if (c->closers_end != SIZE_MAX && c->closers_end > at)
		c->closers_end += delta;
	if (c->link_end != SIZE_MAX && c->link_end > at)
		c->link_end += delta;
}

/* CommonMark's test for a run of '*' between prev and next: it opens if
 * "left-flanking" and closes if "right-flanking". */
static int
can_open(enum cls prev, enum cls next)
{
	return (next != CL_SPACE && (next != CL_PUNCT || prev != CL_OTHER));
}

static int
can_close(enum cls prev, enum cls next)
{
	return (prev != CL_SPACE && (prev != CL_PUNCT || next != CL_OTHER));
}

/* Emphasis and strong emphasis open now. */
static size_t
stars_open(const struct conv *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->nin; i++) {
		if (c->in[i].kind != IN_LINK && c->in[i].state == IN_OPEN)
			n++;
	}
	return (n);
}

/*
 * "<em>a</em><em>b</em>" is "*ab*": an emphasis about to open right
 * where one of its kind ended goes on from that one's opening delimiter
 * (the closing one is paid for already). Anything else opening there
 * stays text (see open_inlines()).
 */
static void
closer_splice(struct conv *c)
{
	struct inline_frame *f = NULL;
	size_t               i;

	if (c->ncl != 1)
		return;
	for (i = 0; i < c->nin; i++) {
		if (c->in[i].state != IN_DUE)
			continue;
		if (f != NULL)
			return;
		f = &c->in[i];
	}
	if (f == NULL || f->kind == IN_LINK ||
	    c->closers[0].len != (f->kind == IN_EM ? 1u : 2u))
		return;
	f->state = IN_OPEN;
	f->at = c->closers[0].at;
	c->ncl = 0;
}

/* Whether anything must be written before the next content. */
static int
pending(const struct conv *c)
{
	return (
	    !c->para_open || c->gap != GAP_NONE || c->ncl > 0 || has_due(c));
}

/* Whether a link opens before the next content: paid for now, so that
 * what comes before can know. */
static int
link_due(struct conv *c)
{
	struct inline_frame *f;
	size_t               i;

	for (i = 0; i < c->nin; i++) {
		f = &c->in[i];
		if (f->kind != IN_LINK || f->state != IN_DUE)
			continue;
		/* Right after a URL, md4c's link of it may take in the
		 * '[' and what follows: the link stays text. */
		if (c->in_url) {
			f->state = IN_OFF;
			return (0);
		}
		if (!f->paid && !afford(c, strlen("\\[]()") + c->url.len)) {
			f->state = IN_OFF;
			return (0);
		}
		f->paid = 1;
		return (1);
	}
	return (0);
}

static int
has_due(const struct conv *c)
{
	size_t i;

	for (i = 0; i < c->nin; i++) {
		if (c->in[i].state == IN_DUE)
			return (1);
	}
	return (0);
}

/*
 * Before content whose first character is of class first: the closers
 * waiting, then what separates the content from what came before (a
 * new paragraph's separator and prefix, or the gap), then the openers
 * waiting. The separator is paid for first: the closers' fate depends
 * on whether a space or a newline follows them.
 */
static void
flush(struct conv *c, enum cls first)
{
	enum sepw how = SEPW_NOTHING;
	int       link;

	if (!c->para_open) {
		push_stray_item(c);
		line_build(c, L_PARA);
		how = sep_afford(c);
	} else if (c->gap != GAP_NONE && !c->line_start) {
		gap_build(c);
		how = sep_afford(c);
	}
	if (how == SEPW_NOTHING)
		closer_splice(c);
	/* After closers, only a link may open ('*' would join their run). */
	link = link_due(c);
	closers_resolve(c,
	    how != SEPW_NOTHING ? CL_SPACE :
	        link            ? CL_PUNCT :
	                          first);
	sep_write(c, how);
	if (!c->para_open)
		line_commit(c, L_PARA);
	c->gap = GAP_NONE;
	open_inlines(c, first);
}

/*
 * Pays for the separator in c->line (a newline and a prefix, or a line
 * break) or, past the budget, for a space instead: a space the input's
 * whitespace stands for costs nothing. At the very start, an empty line
 * is all it takes. Past the budget the output goes flat: the lines the
 * containers did not get would make their prefixes wrong from here on.
 */
static enum sepw
sep_afford(struct conv *c)
{
	size_t fence = c->after_fence;

	c->after_fence = 0;
	if (c->out->len == c->start)
		return (SEPW_LINE);
	if (c->line.len > 0) {
		if (afford(c, c->line.len)) {
			c->markup_left += fence;
			return (SEPW_LINE);
		}
		c->flat = 1;
	}
	/* A closing fence ends its line: the newline was paid for. */
	if (fence > 0) {
		buf_reset(&c->line);
		buf_putc(&c->line, '\n');
		return (SEPW_LINE);
	}
	if (c->space_free || afford(c, 1))
		return (SEPW_SPACE);
	return (SEPW_NOTHING);
}

static void
sep_write(struct conv *c, enum sepw how)
{
	switch (how) {
	case SEPW_LINE:
		buf_append(c->out, c->line.data, c->line.len);
		c->line_start = 1;
		c->in_url = 0;
		c->after_url_link = 0;
		break;
	case SEPW_SPACE:
		buf_putc(c->out, ' ');
		c->line_start = 0;
		c->in_url = 0;
		c->after_url_link = 0;
		break;
	default:
		break;
	}
}

/*
 * Writes the opening delimiters waiting, outermost first. A run of '*'
 * opens only if "left-flanking": not before a space, and before
 * punctuation only if after a space or punctuation; one that would not
 * is left out and its text stays plain.
 */
static void
open_inlines(struct conv *c, enum cls first)
{
	struct inline_frame *f;
	enum cls             prev, next;
	size_t               i, j, len;

	prev = prev_class(c);
	for (i = 0; i < c->nin; i++) {
		f = &c->in[i];
		if (f->state != IN_DUE)
			continue;
		if (f->kind == IN_LINK) {
			if (!f->paid) {
				f->state = IN_OFF;
				continue;
			}
			f->paid = 0;
			/* "!" and "[" would make an image: the '!' is
			 * text's, never escaped yet. */
			if (c->out->len > c->start &&
			    c->out->data[c->out->len - 1] == '!') {
				c->out->data[c->out->len - 1] = '\\';
				buf_putc(c->out, '!');
			}
			f->at = c->out->len;
			f->state = IN_OPEN;
			buf_putc(c->out, '[');
			c->in_url = 0;
			prev = CL_PUNCT;
			continue;
		}
		/* What follows this run of '*': a '[' or the content. */
		next = first;
		for (j = i + 1; j < c->nin; j++) {
			if (c->in[j].state == IN_DUE &&
			    c->in[j].kind == IN_LINK) {
				next = CL_PUNCT;
				break;
			}
		}
		len = f->kind == IN_EM ? 1 : 2;
		/* md4c's link of a URL would take it in, even of the
		 * URL in a link's target right before ("[a](http://x)*b*"
		 * loses both); right after closing ones it would join
		 * their run, and CommonMark would pair them otherwise
		 * ("*a***b un*c*d**"); one that could close too (inside a
		 * word) might close another emphasis open: alone only. */
		if (c->in_url || c->after_url_link ||
		    c->out->len == c->closers_end ||
		    c->out->len == c->link_end || !can_open(prev, next) ||
		    (can_close(prev, next) && stars_open(c) > 0) ||
		    !afford(c, 2 * len)) {
			f->state = IN_OFF;
			continue;
		}
		f->at = c->out->len;
		f->state = IN_OPEN;
		buf_append(c->out, "**", len);
	}
}

/* Builds in c->line the separator and prefix a new block starts with,
 * changing nothing else. */
static void
line_build(struct conv *c, enum last what)
{
	enum sep sep;
	size_t   u, i;

	/* The outermost container not started yet decides the separator,
	 * from what its parent holds last; if all are started, the
	 * innermost does. */
	for (u = 1; u < c->nct && c->ct[u].started; u++)
		;
	for (i = u; i < c->nct; i++) {
		if (c->ct[i].kind == K_ITEM)
			item_marker(c, i);
	}
	if (u < c->nct)
		sep = sep_for(&c->ct[u - 1],
		    c->ct[u].kind == K_QUOTE    ? L_QUOTE :
		        c->ct[u].kind == K_LIST ? L_LIST :
		                                  L_ITEM);
	else
		sep = sep_for(&c->ct[c->nct - 1], what);
	if (c->out->len == c->start)
		sep = SEP_NONE;
	else if (sep == SEP_NONE)
		sep = SEP_LINE;

	buf_reset(&c->line);
	if (sep != SEP_NONE)
		buf_putc(&c->line, '\n');
	if (sep == SEP_BLANK) {
		prefix_put(c, &c->line, u, PREFIX_BLANK);
		buf_putc(&c->line, '\n');
	}
	prefix_put(c, &c->line, c->nct, 0);
}

/* Marks every container started, as the line line_build() made does. */
static void
line_commit(struct conv *c, enum last what)
{
	size_t i;

	for (i = 1; i < c->nct; i++) {
		if (c->ct[i].started)
			continue;
		c->ct[i].started = 1;
		if (c->ct[i].kind == K_ITEM && !c->ct[i].indent_only) {
			c->ct[i - 1].items++;
			c->ct[i - 1].item_width = c->ct[i].width;
		}
	}
	c->ct[c->nct - 1].last = what;
	c->para_open = what == L_PARA;
	c->gap = GAP_NONE;
}

/*
 * What separates a new block (next) from what its container holds last.
 * A paragraph after a paragraph, and anything after a quote or a list
 * (which would take it in), needs a blank line; inside a list item a
 * blank line would make the list loose, so there blocks that may
 * interrupt a paragraph get a newline only, and items follow each
 * other on the next line.
 */
static enum sep
sep_for(const struct container *parent, enum last next)
{
	if (parent->last == L_NONE)
		return (SEP_NONE);
	switch (parent->kind) {
	case K_LIST:
		return (parent->last == L_ITEM && next == L_ITEM ? SEP_LINE :
		                                                   SEP_BLANK);
	case K_ITEM:
		if (parent->last == L_CODE)
			return (SEP_LINE);
		if (parent->last == L_PARA && next != L_PARA)
			return (SEP_LINE);
		return (SEP_BLANK);
	default:
		return (SEP_BLANK);
	}
}

/*
 * The prefix of a line inside containers 1 to upto - 1: "> " for a
 * quote, for an item its marker on its first line and as many spaces
 * after. A blank line's prefix (PREFIX_BLANK) has no trailing spaces.
 * Flat output has none.
 */
static void
prefix_put(struct conv *c, struct buf *b, size_t upto, int flags)
{
	const struct container *f;
	size_t                  i, from;

	from = b->len;
	for (i = 1; i < upto; i++) {
		f = &c->ct[i];
		if (c->flat)
			break;
		if (f->kind == K_QUOTE)
			buf_append(b, "> ", 2);
		else if (f->kind == K_ITEM && !f->started)
			buf_puts(b, f->marker);
		else if (f->kind == K_ITEM)
			buf_printf(b, "%*s", (int)f->width, "");
	}
	if (flags & PREFIX_BLANK) {
		while (b->len > from && b->data[b->len - 1] == ' ')
			b->len--;
		b->data[b->len] = '\0';
	}
}

/* The length of the prefix of a line inside every container started. */
static size_t
prefix_len(const struct conv *c)
{
	size_t i, n = 0;

	for (i = 1; i < c->nct; i++) {
		if (c->flat)
			break;
		if (c->ct[i].kind == K_QUOTE)
			n += 2;
		else if (c->ct[i].kind == K_ITEM)
			n += c->ct[i].width;
	}
	return (n);
}

/* Sets the marker of item i, not started yet: "- ", "3. ", or the
 * indentation of the one before. CommonMark allows up to 9 digits. */
static void
item_marker(struct conv *c, size_t i)
{
	struct container       *f = &c->ct[i];
	const struct container *list = &c->ct[i - 1];
	unsigned long           number;

	/* Continuing the item before, as deep as its text. */
	if (f->indent_only)
		snprintf(f->marker, sizeof(f->marker), "%*s",
		    (int)list->item_width, "");
	else if (list->ordered) {
		number = list->items + 1;
		if (number > 999999999UL)
			number = 999999999UL;
		snprintf(f->marker, sizeof(f->marker), "%lu%c ", number,
		    list->bullet);
	} else
		snprintf(f->marker, sizeof(f->marker), "%c ", list->bullet);
	f->width = strlen(f->marker);
}

/* Builds in c->line the gap's line breaks: each a backslash at the end
 * of the line, then the next line's prefix. A space builds nothing. */
static void
gap_build(struct conv *c)
{
	unsigned int i;

	buf_reset(&c->line);
	if (c->gap != GAP_BREAK)
		return;
	for (i = 0; i < c->breaks; i++) {
		buf_append(&c->line, "\\\n", 2);
		prefix_put(c, &c->line, c->nct, 0);
	}
}

/*
 * Writes the text of a text node: runs of whitespace collapse into the
 * gap, other characters are escaped where Markdown would read markup.
 */
static void
put_text(struct conv *c, const char *s, size_t n)
{
	size_t   i, len;
	ucs4_t   uc;
	int      esc, line_start;
	enum cls first;

	for (i = 0; i < n; i += len) {
		if (is_html_space(s[i])) {
			len = put_space(c, s, i, n) - i;
			continue;
		}
		len = (size_t)u8_mbtouc_unsafe(&uc, (const uint8_t *)s + i,
		    n - i);
		line_start = at_line_start(c);
		esc = needs_escape(c, s, i, n);
		first = esc ? CL_PUNCT : class_of(uc);
		if (pending(c))
			flush(c, first);
		if (url_start(s + i, n - i))
			c->in_url = 1;
		if (esc) {
			scheme_unlink(c);
			/* md4c ends a URL at a backslash. */
			buf_putc(c->out, '\\');
			c->in_url = 0;
		}
		buf_append(c->out, s + i, len);
		/* Digits starting a line, across text nodes ("4<b></b>."). */
		if (s[i] >= '0' && s[i] <= '9' &&
		    (line_start || c->lead_digits > 0))
			c->lead_digits = line_start ? 1 : c->lead_digits + 1;
		else
			c->lead_digits = 0;
		c->line_start = 0;
		c->space_free = 0;
		c->newlines = 0;
	}
}

/*
 * A run of whitespace from s[i]: a space in the gap or, with
 * IMPORT_HTML_BARE_LINES, a line break for one newline and a new
 * paragraph for more. Returns where the run ends.
 */
static size_t
put_space(struct conv *c, const char *s, size_t i, size_t n)
{
	unsigned int newlines = 0;

	for (; i < n && is_html_space(s[i]); i++) {
		if (s[i] == '\n' ||
		    (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
			newlines++;
	}
	c->space_free = 1;
	if ((c->flags & IMPORT_HTML_BARE_LINES) && newlines > 0) {
		c->newlines += newlines;
		if (c->newlines >= 2)
			block_boundary(c);
		else if (c->gap != GAP_BREAK) {
			/* "<br />\n" is one break, as wpautop has it. */
			c->gap = GAP_BREAK;
			c->breaks = 1;
		}
	} else if (c->gap == GAP_NONE)
		c->gap = GAP_SPACE;
	return (i);
}

/* Whether s[i] needs a backslash. */
static int
needs_escape(struct conv *c, const char *s, size_t i, size_t n)
{
	if (at_line_start(c) && line_start_escape(s, i, n))
		return (1);
	/* The '.' or ')' of "12." or "12)" starting a line: an ordered
	 * item, unless more than a space follows here. */
	if ((s[i] == '.' || s[i] == ')') && !at_line_start(c) &&
	    c->gap == GAP_NONE && c->lead_digits > 0 && c->lead_digits <= 9 &&
	    (i + 1 == n || is_html_space(s[i + 1])))
		return (1);
	switch (s[i]) {
	case '\\':
	case '`':
	case '*':
	case '[':
	case ']':
	case '<':
		return (1);
	case '_':
		return (!intraword(c, s, i, n));
	case '&':
		return (entity_like(s + i + 1, n - i - 1));
	case ':':
		return (bare_scheme(s, i, n));
	default:
		return (0);
	}
}

/*
 * md4c 0.4.8 takes a backslash right after "http://", "https://" or
 * "ftp://" as text and what it escapes as markup ("http://\`a\`" shows
 * code). Where no host follows, the colon is escaped instead: md4c does
 * not see a scheme then, and what comes after is escaped as anywhere.
 */
static int
bare_scheme(const char *s, size_t i, size_t n)
{
	if (!((i >= 4 && memcmp(s + i - 4, "http", 4) == 0) ||
	        (i >= 5 && memcmp(s + i - 5, "https", 5) == 0) ||
	        (i >= 3 && memcmp(s + i - 3, "ftp", 3) == 0)))
		return (0);
	if (n - i < 3 || memcmp(s + i, "://", 3) != 0)
		return (0);
	return (n - i == 3 || !is_alnum(s[i + 3]));
}

/*
 * What would open a block at the start of a line: "#" before a space (a
 * heading), "-" "+" "=" "~" not before a letter or digit (an item, a
 * rule, a setext underline, a fence) and ">" (a quote).
 */
static int
line_start_escape(const char *s, size_t i, size_t n)
{
	size_t j;

	switch (s[i]) {
	case '>':
		return (1);
	case '#':
		for (j = i; j < n && s[j] == '#'; j++)
			;
		return (j == n || is_html_space(s[j]));
	case '-':
	case '+':
	case '=':
	case '~':
		return (i + 1 == n || !is_alnum(s[i + 1]));
	default:
		return (0);
	}
}

/* Whether the next character written starts a line: a new block or a
 * line break may come first. */
static int
at_line_start(const struct conv *c)
{
	return (c->line_start || !c->para_open || c->gap == GAP_BREAK);
}

/*
 * A '_' between two letters or digits cannot open or close emphasis.
 * URLs get no exception: md4c 0.4.8 pairs a '_' that could even inside
 * a URL it links ("http://e.com/_a_" loses its last '_'), so there too
 * one is escaped; md4c's link then ends at the backslash, the text
 * stays.
 */
static int
intraword(const struct conv *c, const char *s, size_t i, size_t n)
{
	if (pending(c) || i + 1 >= n)
		return (0);
	return (prev_class(c) == CL_OTHER && class_at(s, i + 1, n) == CL_OTHER);
}

/*
 * A backslash about to follow "http://", "https://" or "ftp://" written
 * from an earlier text node ("ftp:/<span>/_"): as in bare_scheme(), the
 * colon is escaped instead, so md4c sees no scheme.
 */
static void
scheme_unlink(struct conv *c)
{
	static const char *const schemes[] = { "http://", "https://",
		"ftp://" };
	const struct buf        *out = c->out;
	size_t                   k, len;

	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		len = strlen(schemes[k]);
		if (out->len >= len &&
		    memcmp(out->data + out->len - len, schemes[k], len) == 0) {
			out_insert(c, out->len - 3, '\\');
			return;
		}
	}
}

/* Whether s starts what md4c may link, up to the next space. Asked
 * of every character of the text: the first byte rules out most. */
static int
url_start(const char *s, size_t n)
{
	if (n == 0 || (*s != 'h' && *s != 'f' && *s != 'w'))
		return (0);
	return ((n > 7 && memcmp(s, "http://", 7) == 0) ||
	    (n > 8 && memcmp(s, "https://", 8) == 0) ||
	    (n > 6 && memcmp(s, "ftp://", 6) == 0) ||
	    (n > 4 && memcmp(s, "www.", 4) == 0));
}

/* Whether s starts like the rest of an entity: "name;" or "#123;" or
 * "#x1F;". */
static int
entity_like(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '#') {
		i = 1;
		if (i < n && (s[i] == 'x' || s[i] == 'X'))
			i++;
	} else if (n == 0 || !is_alnum(s[0]))
		return (0);
	while (i < n && i < 40 && is_alnum(s[i]))
		i++;
	return (i < n && s[i] == ';');
}

/* An image is its alt text, as markdown.c shows Markdown images. */
static void
put_alt(struct conv *c, xmlNode *n)
{
	xmlChar *alt;

	if ((alt = xmlGetProp(n, BAD_CAST "alt")) == NULL)
		return;
	put_text(c, (const char *)alt, strlen((const char *)alt));
	xmlFree(alt);
}

/*
 * Inline code: its text with whitespace collapsed, between enough
 * backticks (one more than its longest run), with a space inside each
 * end if it starts or ends with a backtick. Its spaces at either end go
 * outside, as the gap.
 */
static void
code_span(struct conv *c, xmlNode *n)
{
	struct buf *t = &c->text;
	size_t      i, j, k, fence, pad;

	gather(t, n, 0);
	/* Collapse in place; the text only shrinks. */
	for (i = j = 0; i < t->len; i++) {
		if (is_html_space(t->data[i])) {
			if (j == 0 || t->data[j - 1] != ' ')
				t->data[j++] = ' ';
		} else
			t->data[j++] = t->data[i];
	}
	t->len = j;
	if (t->len == 0)
		return;
	if (t->data[0] == ' ') {
		put_space(c, " ", 0, 1);
		if (t->len == 1)
			return;
	}
	i = t->data[0] == ' ';
	j = t->len - (t->data[t->len - 1] == ' ');
	fence = backtick_run(t->data + i, j - i) + 1;
	pad = t->data[i] == '`' || t->data[j - 1] == '`';
	/* md4c takes no more than 32 backticks: this one is text then. */
	if (fence > CODE_SPAN_FENCE_MAX || !afford(c, 2 * fence + 2 * pad)) {
		put_text(c, t->data + i, j - i);
		return;
	}
	flush(c, CL_PUNCT);
	/* Right after another code span, with nothing written between,
	 * its backticks would run into that one's ("`a``b`"): text too. */
	if (c->out->len == c->code_end) {
		c->markup_left += 2 * fence + 2 * pad;
		put_text(c, t->data + i, j - i);
		return;
	}
	for (k = 0; k < fence; k++)
		buf_putc(c->out, '`');
	if (pad)
		buf_putc(c->out, ' ');
	buf_append(c->out, t->data + i, j - i);
	if (pad)
		buf_putc(c->out, ' ');
	for (k = 0; k < fence; k++)
		buf_putc(c->out, '`');
	c->code_end = c->out->len;
	c->lead_digits = 0;
	c->in_url = 0;
	c->line_start = 0;
	c->space_free = 0;
	if (j < t->len)
		put_space(c, " ", 0, 1);
}

/*
 * Preformatted text: a fenced code block holding the text exactly (less
 * the newline HTML drops after <pre>), its fence longer than any run of
 * backticks in it. Past the budget its text is a paragraph.
 */
static void
code_block(struct conv *c, xmlNode *n)
{
	struct buf *t = &c->text;
	size_t      i, j, lines, fence, cost;

	gather(t, n, 1);
	/* CR LF and CR are newlines, as in HTML. */
	for (i = j = 0; i < t->len; i++) {
		if (t->data[i] == '\r') {
			t->data[j++] = '\n';
			if (i + 1 < t->len && t->data[i + 1] == '\n')
				i++;
		} else
			t->data[j++] = t->data[i];
	}
	t->len = j;
	i = t->len > 0 && t->data[0] == '\n';
	for (j = i; j < t->len && is_html_space(t->data[j]); j++)
		;
	block_boundary(c);
	if (j == t->len)
		return;

	fence = backtick_run(t->data, t->len) + 1;
	if (fence < 3)
		fence = 3;
	for (lines = 0, j = i; j < t->len; j++) {
		if (t->data[j] == '\n')
			lines++;
	}
	if (t->data[t->len - 1] != '\n')
		lines++;
	push_stray_item(c);
	line_build(c, L_CODE);
	/* Every item's width is known once line_build() made markers. */
	/* And a newline after the closing fence, whatever comes next
	 * (sep_afford()). */
	cost = c->line.len + 2 * (fence + 1) + lines * (prefix_len(c) + 1) +
	    prefix_len(c) + 1;
	if (!afford(c, cost)) {
		put_text(c, t->data + i, t->len - i);
		block_boundary(c);
		return;
	}
	closers_resolve(c, CL_SPACE);
	c->markup_left += c->after_fence;
	c->after_fence = 0;
	buf_append(c->out, c->line.data, c->line.len);
	c->in_url = 0;
	line_commit(c, L_CODE);
	code_block_write(c, t->data + i, t->len - i, fence);
	c->line_start = 0;
	c->after_fence = 1;
}

static void
code_block_write(struct conv *c, const char *s, size_t n, size_t fence)
{
	const char *nl;
	size_t      k, len;

	for (k = 0; k < fence; k++)
		buf_putc(c->out, '`');
	while (n > 0) {
		nl = memchr(s, '\n', n);
		len = nl == NULL ? n : (size_t)(nl - s);
		buf_putc(c->out, '\n');
		prefix_put(c, c->out, c->nct, len == 0 ? PREFIX_BLANK : 0);
		buf_append(c->out, s, len);
		s += len;
		n -= len;
		if (n > 0) {
			s++;
			n--;
		}
	}
	buf_putc(c->out, '\n');
	prefix_put(c, c->out, c->nct, 0);
	for (k = 0; k < fence; k++)
		buf_putc(c->out, '`');
}

/*
 * The text under n, for code: text nodes as they are, <br> a newline in
 * preformatted text and a space elsewhere, images their alt text,
 * nothing of what is skipped.
 */
static void
gather(struct buf *b, xmlNode *root, int pre)
{
	xmlNode *n;
	xmlChar *alt;
	enum el  el;
	int      down;

	buf_reset(b);
	n = root->children;
	while (n != NULL) {
		down = 0;
		if ((n->type == XML_TEXT_NODE ||
		        n->type == XML_CDATA_SECTION_NODE) &&
		    n->content != NULL)
			buf_puts(b, (const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE) {
			el = element_kind(n);
			if (el == EL_BR)
				buf_putc(b, pre ? '\n' : ' ');
			else if (el == EL_IMG &&
			    (alt = xmlGetProp(n, BAD_CAST "alt")) != NULL) {
				buf_puts(b, (const char *)alt);
				xmlFree(alt);
			}
			down = el != EL_SKIP;
		}
		if (down && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == root)
				n = NULL;
		}
		if (n != NULL)
			n = n->next;
	}
}

/* The longest run of backticks in s. */
static size_t
backtick_run(const char *s, size_t n)
{
	size_t i, run = 0, max = 0;

	for (i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	return (max);
}

/* Takes n bytes from the markup budget: 1 if they were there. */
static int
afford(struct conv *c, size_t n)
{
	if (n > c->markup_left)
		return (0);
	c->markup_left -= n;
	return (1);
}

/* The class of the last character written; a line's start is a space. */
static enum cls
prev_class(const struct conv *c)
{
	const char *p;
	size_t      i;
	ucs4_t      uc;

	if (c->out->len == c->start)
		return (CL_SPACE);
	p = c->out->data;
	for (i = c->out->len - 1;
	     i > c->start && ((unsigned char)p[i] & 0xc0) == 0x80; i--)
		;
	u8_mbtouc(&uc, (const uint8_t *)p + i, c->out->len - i);
	return (class_of(uc));
}

static enum cls
class_at(const char *s, size_t i, size_t n)
{
	ucs4_t uc;

	u8_mbtouc(&uc, (const uint8_t *)s + i, n - i);
	return (class_of(uc));
}

/*
 * CommonMark's whitespace (Unicode Zs, tab, newlines) and punctuation
 * (ASCII punctuation, and Unicode's P* where comments use it: Latin-1,
 * General Punctuation, CJK and fullwidth forms).
 */
static enum cls
class_of(ucs4_t uc)
{
	if (uc < 0x80) {
		if (uc == ' ' || (uc >= '\t' && uc <= '\r'))
			return (CL_SPACE);
		if ((uc >= '!' && uc <= '/') || (uc >= ':' && uc <= '@') ||
		    (uc >= '[' && uc <= '`') || (uc >= '{' && uc <= '~'))
			return (CL_PUNCT);
		return (CL_OTHER);
	}
	if (uc == 0xa0 || uc == 0x1680 || (uc >= 0x2000 && uc <= 0x200a) ||
	    uc == 0x202f || uc == 0x205f || uc == 0x3000)
		return (CL_SPACE);
	if (uc == 0xa1 || uc == 0xa7 || uc == 0xab || uc == 0xb6 ||
	    uc == 0xb7 || uc == 0xbb || uc == 0xbf ||
	    (uc >= 0x2010 && uc <= 0x2027) || (uc >= 0x2030 && uc <= 0x205e) ||
	    (uc >= 0x3001 && uc <= 0x3003) || (uc >= 0x3008 && uc <= 0x3011) ||
	    (uc >= 0x3014 && uc <= 0x301f) || (uc >= 0xff01 && uc <= 0xff0f) ||
	    (uc >= 0xff1a && uc <= 0xff20) || (uc >= 0xff3b && uc <= 0xff40) ||
	    (uc >= 0xff5b && uc <= 0xff65))
		return (CL_PUNCT);
	return (CL_OTHER);
}

/* HTML's ASCII whitespace: what collapses into one space. */
static int
is_html_space(char ch)
{
	return (
	    ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f');
}

static int
is_alnum(char ch)
{
	return ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z'));
}

/* ASCII case-insensitive prefix test; strncasecmp() follows the locale. */
static int
has_prefix_ci(const char *s, size_t n, const char *prefix)
{
	size_t i;
	char   ch;

	for (i = 0; prefix[i] != '\0'; i++) {
		if (i >= n)
			return (0);
		ch = s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != prefix[i])
			return (0);
	}
	return (1);
}

/*
 * Unit tests for app/feed.c: the XML escaper's exact output, tag:
 * authorities, then whole feeds parsed back with libxml2 (strict: no
 * recovery), with hostile names, titles, keys, URLs and bodies, and
 * seeded random bytes in every string: the document must always be
 * well-formed Atom, and say what the comments said.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "feed.h"

#define ATOM "http://www.w3.org/2005/Atom"
#define THR  "http://purl.org/syndication/thread/1.0"
#define TAG  "tag:comments.example.org,2026:"
#define BASE "https://comments.example.org"

/* Hostile text: markup, a CDATA end, U+0001, U+FFFE, U+FFFF, a right-
 * to-left override (allowed: it stays), a surrogate and bytes that are
 * not UTF-8. */
#define HOSTILE                                                                \
	"<b>&amp;]]>\x01\xef\xbf\xbe\xef\xbf\xbf\xe2\x80\xae"                  \
	"rtl\xed\xa0\x80\xff\xc3\"'"
/* What is left of it as text. */
#define HOSTILE_TEXT "<b>&amp;]]>\xe2\x80\xaertl\"'"

struct parsed {
	xmlDocPtr          doc;
	xmlXPathContextPtr xp;
	char              *xml;
};

static char       *escape(const char *, size_t, int);
static void        expect_escape(const char *, size_t, int, const char *);
static void        expect_authority(const char *, const char *);
static char       *write_feed(const struct feed *);
static void        parse(const struct feed *, struct parsed *);
static void        parsed_free(struct parsed *);
static int         count(struct parsed *, const char *);
static char       *text(struct parsed *, const char *);
static void        expect_text(struct parsed *, const char *, const char *);
static uint32_t    rnd(uint32_t *);
static char       *random_text(uint32_t *);
static struct feed one_post(const struct feed_entry *, size_t);

static char *
escape(const char *s, size_t n, int attr)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "");
	feed_escape_xml(&b, s, n, attr);
	return (buf_release(&b, NULL));
}

static void
expect_escape(const char *in, size_t n, int attr, const char *want)
{
	char *got = escape(in, n, attr);

	cr_expect_str_eq(got, want, "feed_escape_xml(\"%s\", %d)", in, attr);
	free(got);
}

static void
expect_authority(const char *url, const char *want)
{
	char got[FEED_AUTHORITY_MAX + 1];

	feed_authority(url, got);
	cr_expect_str_eq(got, want, "feed_authority(\"%s\")", url);
}

static char *
write_feed(const struct feed *f)
{
	struct buf b;

	buf_init(&b);
	feed_write_atom(&b, f);
	return (buf_release(&b, NULL));
}

/* Parses the feed strictly, as a feed reader's XML parser would. */
static void
parse(const struct feed *f, struct parsed *p)
{
	xmlNodePtr root;

	p->xml = write_feed(f);
	p->doc = xmlReadMemory(p->xml, (int)strlen(p->xml), "feed.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	cr_assert_not_null(p->doc, "not well-formed:\n%s", p->xml);
	root = xmlDocGetRootElement(p->doc);
	cr_assert_str_eq((const char *)root->name, "feed");
	cr_assert_str_eq((const char *)root->ns->href, ATOM);
	p->xp = xmlXPathNewContext(p->doc);
	cr_assert_not_null(p->xp);
	xmlXPathRegisterNs(p->xp, (const xmlChar *)"a", (const xmlChar *)ATOM);
	xmlXPathRegisterNs(p->xp, (const xmlChar *)"thr", (const xmlChar *)THR);
}

static void
parsed_free(struct parsed *p)
{
	xmlXPathFreeContext(p->xp);
	xmlFreeDoc(p->doc);
	free(p->xml);
}

static int
count(struct parsed *p, const char *path)
{
	xmlXPathObjectPtr o;
	int               n;

	o = xmlXPathEvalExpression((const xmlChar *)path, p->xp);
	cr_assert_not_null(o, "%s", path);
	n = o->nodesetval != NULL ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	return (n);
}

/* The string value of path (text, attribute), as the parser read it. */
static char *
text(struct parsed *p, const char *path)
{
	xmlXPathObjectPtr o;
	char             *s;

	o = xmlXPathEvalExpression((const xmlChar *)path, p->xp);
	cr_assert_not_null(o, "%s", path);
	s = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	return (s);
}

static void
expect_text(struct parsed *p, const char *path, const char *want)
{
	char *got = text(p, path);

	cr_expect_str_eq(got, want, "%s in\n%s", path, p->xml);
	xmlFree(got);
}

static uint32_t
rnd(uint32_t *s)
{
	/* xorshift32: fixed seed, so a failure repeats. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* Up to 40 random bytes, no NUL (strings come from C). */
static char *
random_text(uint32_t *seed)
{
	size_t len = rnd(seed) % 40, i;
	char  *s = malloc(len + 1);

	cr_assert_not_null(s);
	for (i = 0; i < len; i++) {
		s[i] = (char)(rnd(seed) % 255 + 1);
		/* Now and then markup and entities, not only noise. */
		if (rnd(seed) % 8 == 0)
			s[i] = "<&>]\"'#%"[rnd(seed) % 8];
	}
	s[len] = '\0';
	return (s);
}

static struct feed
one_post(const struct feed_entry *e, size_t n)
{
	struct feed f;

	memset(&f, 0, sizeof(f));
	f.authority = "comments.example.org";
	f.base = BASE;
	f.post_key = "198";
	f.post_title = "Getting to 'Yes' With North Korea";
	f.post_url = "https://blog.example.org/2018/03/yes/";
	f.post_created = "2026-01-01T00:00:00Z";
	f.entries = e;
	f.nentries = n;
	return (f);
}

Test(feed_escape, markup_and_quotes)
{
	expect_escape("a&b<c>d\"e'f", 11, 0, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
	expect_escape("]]>", 3, 0, "]]&gt;");
	expect_escape("plain text", 10, 0, "plain text");
	expect_escape("", 0, 0, "");
}

Test(feed_escape, removes_what_xml_forbids)
{
	/* C0 controls but tab, LF and CR; NUL; DEL stays (XML allows it). */
	expect_escape("a\x01"
	              "b\x08"
	              "c\x1f"
	              "d\x7f",
	    8, 0, "abcd\x7f");
	expect_escape("a\0b", 3, 0, "ab");
	/* U+FFFE and U+FFFF; U+FFFD stays. */
	expect_escape("x\xef\xbf\xbey\xef\xbf\xbfz\xef\xbf\xbd", 12, 0,
	    "xyz\xef\xbf\xbd");
	/* A surrogate written as UTF-8 (CESU), lone or paired. */
	expect_escape("a\xed\xa0\x80"
	              "b\xed\xb0\x80"
	              "c",
	    9, 0, "abc");
	/* Bytes that are not UTF-8: stray, overlong, cut at the end. */
	expect_escape("a\xff"
	              "b\x80"
	              "c\xc0\xaf"
	              "d\xe2\x82",
	    10, 0, "abcd");
	/* What XML allows stays, right-to-left overrides and emoji too. */
	expect_escape("\xe2\x80\xae\xf0\x9f\x98\x80\xc3\xa9", 9, 0,
	    "\xe2\x80\xae\xf0\x9f\x98\x80\xc3\xa9");
}

Test(feed_escape, line_breaks)
{
	/* A raw CR would be read as LF. */
	expect_escape("a\tb\nc\rd", 7, 0, "a\tb\nc&#13;d");
	/* Attribute values would turn all three into spaces. */
	expect_escape("a\tb\nc\rd", 7, 1, "a&#9;b&#10;c&#13;d");
}

Test(feed_authority, hosts)
{
	expect_authority("https://comments.example.org",
	    "comments.example.org");
	expect_authority("https://User:pw@Comments.Example.ORG:8443/x/y?z",
	    "comments.example.org");
	expect_authority("http://127.0.0.1:8080", "127.0.0.1");
	expect_authority("http://example.org./", "example.org");
	expect_authority("localhost:8080", "localhost");
	/* Not DNS names: the fallback. */
	expect_authority("http://[::1]:8080", FEED_AUTHORITY_FALLBACK);
	expect_authority("http://-bad.example", FEED_AUTHORITY_FALLBACK);
	expect_authority("http://bad-.example", FEED_AUTHORITY_FALLBACK);
	expect_authority("http://a..b", FEED_AUTHORITY_FALLBACK);
	expect_authority("http://a_b.example", FEED_AUTHORITY_FALLBACK);
	expect_authority("http://", FEED_AUTHORITY_FALLBACK);
	expect_authority("", FEED_AUTHORITY_FALLBACK);
	expect_authority("http://x\"<y>", FEED_AUTHORITY_FALLBACK);
}

Test(feed_atom, a_post_feed)
{
	struct feed_entry e[2] = {
		{ .id = 12,
		    .parent_id = 7,
		    .author_name = "Bob",
		    .html = "<p>a <em>reply</em> &amp; more</p>\n",
		    .created_at = "2026-03-02T10:00:00Z",
		    .edited_at = "2026-03-05T08:00:00Z",
		    .post_key = "198",
		    .post_title = "Getting to 'Yes' With North Korea",
		    .post_url = "https://blog.example.org/2018/03/yes/" },
		{ .id = 7,
		    .author_name = "Alice",
		    .html = "<p>first</p>\n",
		    .created_at = "2026-03-01T09:00:00Z",
		    .post_key = "198",
		    .post_title = "Getting to 'Yes' With North Korea",
		    .post_url = "https://blog.example.org/2018/03/yes/" },
	};
	struct feed   f = one_post(e, 2);
	struct parsed p;

	parse(&f, &p);
	expect_text(&p, "/a:feed/a:id", TAG "comments?post=198");
	expect_text(&p, "/a:feed/a:title",
	    "Comments on Getting to 'Yes' With North Korea");
	/* The newest change: an edit, not the newest comment. */
	expect_text(&p, "/a:feed/a:updated", "2026-03-05T08:00:00Z");
	expect_text(&p, "/a:feed/a:link[@rel='self']/@href",
	    BASE "/feed/comments.atom?post=198");
	expect_text(&p, "/a:feed/a:link[@rel='self']/@type",
	    "application/atom+xml");
	expect_text(&p, "/a:feed/a:link[@rel='alternate']/@href",
	    "https://blog.example.org/2018/03/yes/");
	cr_expect_eq(count(&p, "/a:feed/a:entry"), 2);

	expect_text(&p, "/a:feed/a:entry[1]/a:id", TAG "comment-12");
	expect_text(&p, "/a:feed/a:entry[1]/a:title",
	    "Bob on Getting to 'Yes' With North Korea");
	expect_text(&p, "/a:feed/a:entry[1]/a:author/a:name", "Bob");
	cr_expect_eq(count(&p, "//a:author/*[local-name() != 'name']"), 0,
	    "names only: no e-mail, no URI");
	expect_text(&p, "/a:feed/a:entry[1]/a:published",
	    "2026-03-02T10:00:00Z");
	expect_text(&p, "/a:feed/a:entry[1]/a:updated", "2026-03-05T08:00:00Z");
	expect_text(&p, "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href",
	    "https://blog.example.org/2018/03/yes/#parley-comment-12");
	expect_text(&p, "/a:feed/a:entry[1]/a:content/@type", "html");
	expect_text(&p, "/a:feed/a:entry[1]/a:content",
	    "<p>a <em>reply</em> &amp; more</p>\n");
	expect_text(&p, "/a:feed/a:entry[1]/thr:in-reply-to/@ref",
	    TAG "comment-7");

	/* A top-level comment: updated is its creation, no in-reply-to. */
	expect_text(&p, "/a:feed/a:entry[2]/a:updated", "2026-03-01T09:00:00Z");
	cr_expect_eq(count(&p, "/a:feed/a:entry[2]/thr:in-reply-to"), 0);
	parsed_free(&p);
}

Test(feed_atom, an_unknown_post_is_an_empty_feed)
{
	struct feed   f = one_post(NULL, 0);
	struct parsed p;

	f.post_title = f.post_url = f.post_created = NULL;
	parse(&f, &p);
	cr_expect_eq(count(&p, "/a:feed/a:entry"), 0);
	expect_text(&p, "/a:feed/a:title", "Comments on 198");
	/* Fixed, so the empty feed's ETag stays. */
	expect_text(&p, "/a:feed/a:updated", "1970-01-01T00:00:00Z");
	expect_text(&p, "/a:feed/a:link[@rel='alternate']/@href",
	    BASE "/thread.html?post=198");
	parsed_free(&p);

	/* A known post without comments: its creation. */
	f = one_post(NULL, 0);
	parse(&f, &p);
	expect_text(&p, "/a:feed/a:updated", "2026-01-01T00:00:00Z");
	parsed_free(&p);
}

Test(feed_atom, the_site_feed)
{
	struct feed_entry e[2] = {
		{ .id = 30,
		    .author_name = "Carol",
		    .html = "<p>x</p>",
		    .created_at = "2026-04-01T00:00:00Z",
		    .post_key = "a b&c",
		    .post_title = "",
		    .post_url = "" },
		{ .id = 29,
		    .author_name = "Dan",
		    .html = "<p>y</p>",
		    .created_at = "2026-03-31T00:00:00Z",
		    .post_key = "/2018/x/",
		    .post_title = "X",
		    .post_url = "http://blog.example.org/x" },
	};
	struct feed   f;
	struct parsed p;

	memset(&f, 0, sizeof(f));
	f.authority = "comments.example.org";
	f.base = BASE;
	f.entries = e;
	f.nentries = 2;
	parse(&f, &p);
	expect_text(&p, "/a:feed/a:id", TAG "comments");
	expect_text(&p, "/a:feed/a:link[@rel='self']/@href",
	    BASE "/feed/comments.atom");
	expect_text(&p, "/a:feed/a:link[@rel='alternate']/@href", BASE "/");
	expect_text(&p, "/a:feed/a:updated", "2026-04-01T00:00:00Z");
	/* Without a title, the key; without a URL, Parley's page. */
	expect_text(&p, "/a:feed/a:entry[1]/a:title", "Carol on a b&c");
	expect_text(&p, "/a:feed/a:entry[1]/a:link/@href",
	    BASE "/thread.html?post=a%20b%26c#c30");
	expect_text(&p, "/a:feed/a:entry[2]/a:title", "Dan on X");
	expect_text(&p, "/a:feed/a:entry[2]/a:link/@href",
	    "http://blog.example.org/x#parley-comment-29");
	parsed_free(&p);
}

Test(feed_atom, post_urls_that_cannot_be_linked_as_they_are)
{
	struct feed_entry e = { .id = 5,
		.author_name = "A",
		.html = "",
		.created_at = "2026-01-02T00:00:00Z",
		.post_key = "k#1" };
	struct feed       f = one_post(&e, 1);
	struct parsed     p;

	/* Not http(s): Parley's own page instead. */
	e.post_url = f.post_url = "javascript:alert(1)";
	f.post_key = "k#1";
	parse(&f, &p);
	expect_text(&p, "/a:feed/a:link[@rel='alternate']/@href",
	    BASE "/thread.html?post=k%231");
	expect_text(&p, "/a:feed/a:entry/a:link/@href",
	    BASE "/thread.html?post=k%231#c5");
	parsed_free(&p);

	/* Blanks, quotes and markup percent-encoded; a fragment of its own
	 * is kept, without a second one. */
	e.post_url = f.post_url =
	    "https://blog.example.org/a b\"<x>/#/p?q=1&r='2'#x";
	parse(&f, &p);
	expect_text(&p, "/a:feed/a:entry/a:link/@href",
	    "https://blog.example.org/a%20b%22%3Cx%3E/#/p?q=1&r='2'%23x");
	parsed_free(&p);
}

Test(feed_atom, hostile_text_everywhere)
{
	struct feed_entry e = { .id = 9,
		.parent_id = 3,
		.author_name = HOSTILE,
		.html = HOSTILE,
		.created_at = "2026-01-02T00:00:00Z",
		.post_key = HOSTILE,
		.post_title = HOSTILE,
		.post_url = "https://x.example/" HOSTILE };
	struct feed       f = one_post(&e, 1);
	struct parsed     p;
	char             *href;
	size_t            i;

	f.post_key = e.post_key;
	f.post_title = e.post_title;
	f.post_url = e.post_url;
	parse(&f, &p);
	expect_text(&p, "/a:feed/a:title", "Comments on " HOSTILE_TEXT);
	expect_text(&p, "/a:feed/a:entry/a:author/a:name", HOSTILE_TEXT);
	expect_text(&p, "/a:feed/a:entry/a:title",
	    HOSTILE_TEXT " on " HOSTILE_TEXT);
	expect_text(&p, "/a:feed/a:entry/a:content", HOSTILE_TEXT);
	/* Links are ASCII with everything else percent-encoded. */
	href = text(&p, "/a:feed/a:entry/a:link/@href");
	for (i = 0; href[i] != '\0'; i++)
		cr_expect(href[i] > 0x20 && href[i] < 0x7f &&
		        strchr("\"<>\\^`{|} ", href[i]) == NULL,
		    "byte %zu of %s", i, href);
	xmlFree(href);
	parsed_free(&p);
}

Test(feed_atom, nameless_authors)
{
	struct feed_entry e = { .id = 1,
		.author_name = "\x01\x02",
		.html = "<p>x</p>",
		.created_at = "2026-01-02T00:00:00Z",
		.post_key = "198",
		.post_title = "T" };
	struct feed       f = one_post(&e, 1);
	struct parsed     p;

	parse(&f, &p);
	expect_text(&p, "/a:feed/a:entry/a:author/a:name", "Anonymous");
	parsed_free(&p);
}

Test(feed_atom, random_bytes_stay_well_formed)
{
	struct feed_entry e[3];
	struct feed       f;
	struct parsed     p;
	uint32_t          seed = 0x5eed;
	char             *s[16];
	int               round, i, k;

	for (round = 0; round < 300; round++) {
		k = 0;
		for (i = 0; i < 3; i++) {
			memset(&e[i], 0, sizeof(e[i]));
			e[i].id = i + 1;
			e[i].parent_id = i;
			e[i].created_at = "2026-01-02T00:00:00Z";
			e[i].author_name = s[k++] = random_text(&seed);
			e[i].html = s[k++] = random_text(&seed);
			e[i].post_key = s[k++] = random_text(&seed);
			e[i].post_title = s[k++] = random_text(&seed);
		}
		f = one_post(e, 3);
		f.post_key = e[0].post_key;
		f.post_title = e[0].post_title;
		f.post_url = s[k++] = random_text(&seed);
		e[1].post_url = f.post_url;
		parse(&f, &p);
		cr_assert_eq(count(&p, "/a:feed/a:entry"), 3);
		cr_assert_eq(count(&p, "//thr:in-reply-to"), 2);
		parsed_free(&p);
		while (k > 0)
			free(s[--k]);
	}
}

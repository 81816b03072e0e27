#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include <unistr.h>

#include "buf.h"
#include "feed.h"

/* An empty feed's time: fixed, so its ETag does not change by itself. */
#define FEED_EPOCH "1970-01-01T00:00:00Z"
/* A name that cleaning left empty still needs an atom:name. */
#define FEED_NO_NAME "Anonymous"

/* XML 1.0's Char production. */
static int
xml_char_allowed(ucs4_t c)
{
	return (c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff));
}

/* What stands for c in the output: NULL when c is written as it is. */
static const char *
xml_replacement(ucs4_t c, int in_attribute)
{
	switch (c) {
	case '&':
		return ("&amp;");
	case '<':
		return ("&lt;");
	case '>':
		return ("&gt;");
	case '"':
		return ("&quot;");
	case '\'':
		return ("&apos;");
	case '\r':
		/* A parser turns a raw CR into LF, in text too. */
		return ("&#13;");
	case '\t':
		return (in_attribute ? "&#9;" : NULL);
	case '\n':
		return (in_attribute ? "&#10;" : NULL);
	default:
		return (NULL);
	}
}

void
feed_escape_xml(struct buf *b, const char *s, size_t n, int in_attribute)
{
	const uint8_t *p = (const uint8_t *)s;
	const char    *rep;
	size_t         i, k, start;
	ucs4_t         c;
	int            r;

	start = 0;
	for (i = 0; i < n; i += k) {
		r = u8_mbtoucr(&c, p + i, n - i);
		k = r > 0 ? (size_t)r : 1;
		rep = NULL;
		if (r > 0 && xml_char_allowed(c)) {
			if ((rep = xml_replacement(c, in_attribute)) == NULL)
				continue;
		}
		/* Written as rep, or dropped: not UTF-8, or not XML. */
		buf_append(b, s + start, i - start);
		if (rep != NULL)
			buf_puts(b, rep);
		start = i + k;
	}
	buf_append(b, s + start, n - start);
}

static void
put_text(struct buf *b, const char *s)
{
	feed_escape_xml(b, s, strlen(s), 0);
}

static void
put_attr(struct buf *b, const char *s)
{
	feed_escape_xml(b, s, strlen(s), 1);
}

/* Bytes a URI cannot hold as they are (RFC 3986), percent-encoded. */
static int
url_byte_unsafe(unsigned char c)
{
	return (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) != NULL);
}

static void
put_pct(struct buf *b, unsigned char c)
{
	buf_printf(b, "%%%02X", c);
}

/*
 * A URL from readers as an attribute's value: bytes a URI may not hold
 * percent-encoded (so nothing XML forbids is left either), a second '#'
 * too, and & and ' escaped for XML. The result is ASCII.
 */
static void
put_url(struct buf *b, const char *url)
{
	const unsigned char *p;
	int                  fragment = 0;

	for (p = (const unsigned char *)url; *p != '\0'; p++) {
		if (url_byte_unsafe(*p) || (*p == '#' && fragment))
			put_pct(b, *p);
		else if (*p == '&')
			buf_puts(b, "&amp;");
		else if (*p == '\'')
			buf_puts(b, "&apos;");
		else
			buf_putc(b, (char)*p);
		if (*p == '#')
			fragment = 1;
	}
}

/* A post key as a query component: all but RFC 3986's unreserved
 * characters percent-encoded, so it is also fit for a tag: id. */
static void
put_key(struct buf *b, const char *key)
{
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			buf_putc(b, (char)*p);
		else
			put_pct(b, *p);
	}
}

/* Whether a post's URL may be linked to: http(s) with a host. Imports
 * and old rows may hold anything, javascript: included. */
static int
url_linkable(const char *url)
{
	size_t scheme;

	if (url == NULL)
		return (0);
	if (strncasecmp(url, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		scheme = 8;
	else
		return (0);
	return (url[scheme] != '\0' && url[scheme] != '/' &&
	    !url_byte_unsafe((unsigned char)url[scheme]));
}

void
feed_write_url(struct buf *b, const char *base, const char *key)
{
	put_url(b, base);
	buf_puts(b, "/feed/comments.atom");
	if (key != NULL) {
		buf_puts(b, "?post=");
		put_key(b, key);
	}
}

/* thread.html of the post: the page for a post whose URL is unknown. */
static void
put_thread_page(struct buf *b, const struct feed *f, const char *key)
{
	put_url(b, f->base);
	buf_puts(b, "/thread.html?post=");
	put_key(b, key);
}

/* Where the post (comment 0) or one of its comments is read. */
static void
put_post_link(struct buf *b, const struct feed *f, const char *key,
    const char *url, int64_t comment)
{
	if (!url_linkable(url)) {
		put_thread_page(b, f, key);
		if (comment != 0)
			buf_printf(b, "#c%" PRId64, comment);
		return;
	}
	put_url(b, url);
	/* A URL with a fragment of its own (a blog routed by its hash)
	 * keeps it: a second one would break the link. */
	if (comment != 0 && strchr(url, '#') == NULL)
		buf_printf(b, "#parley-comment-%" PRId64, comment);
}

static void
put_tag(struct buf *b, const struct feed *f)
{
	buf_puts(b, "tag:");
	put_attr(b, f->authority);
	buf_puts(b, "," FEED_TAG_DATE ":");
}

static void
put_comment_id(struct buf *b, const struct feed *f, int64_t id)
{
	put_tag(b, f);
	buf_printf(b, "comment-%" PRId64, id);
}

static const char *
entry_updated(const struct feed_entry *e)
{
	return (e->edited_at != NULL ? e->edited_at : e->created_at);
}

/* The newest change among the entries (RFC 3339 UTC texts of one
 * format sort as times), else the post's creation, else the epoch. */
static const char *
feed_updated(const struct feed *f)
{
	const char *newest = NULL, *t;
	size_t      i;

	for (i = 0; i < f->nentries; i++) {
		t = entry_updated(&f->entries[i]);
		if (t != NULL && (newest == NULL || strcmp(t, newest) > 0))
			newest = t;
	}
	if (newest == NULL)
		newest = f->post_created != NULL ? f->post_created : FEED_EPOCH;
	return (newest);
}

/* The post's title as text, or its key when it has none. */
static void
put_post_title(struct buf *b, const char *key, const char *title)
{
	size_t before = b->len;

	if (title != NULL)
		put_text(b, title);
	if (b->len == before)
		put_text(b, key);
}

static void
put_name(struct buf *b, const char *name)
{
	size_t before = b->len;

	if (name != NULL)
		put_text(b, name);
	if (b->len == before)
		buf_puts(b, FEED_NO_NAME);
}

static void
write_head(struct buf *b, const struct feed *f)
{
	buf_puts(b,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:thr=\"http://purl.org/syndication/thread/1.0\">\n");
	buf_puts(b, "<id>");
	put_tag(b, f);
	buf_puts(b, "comments");
	if (f->post_key != NULL) {
		buf_puts(b, "?post=");
		put_key(b, f->post_key);
	}
	buf_puts(b, "</id>\n<title>");
	if (f->post_key != NULL) {
		buf_puts(b, "Comments on ");
		put_post_title(b, f->post_key, f->post_title);
	} else
		buf_puts(b, "Recent comments");
	buf_puts(b, "</title>\n<updated>");
	put_text(b, feed_updated(f));
	buf_puts(b,
	    "</updated>\n<link rel=\"self\" "
	    "type=\"application/atom+xml\" href=\"");
	feed_write_url(b, f->base, f->post_key);
	buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	if (f->post_key != NULL)
		put_post_link(b, f, f->post_key, f->post_url, 0);
	else {
		put_url(b, f->base);
		buf_putc(b, '/');
	}
	buf_puts(b, "\"/>\n<generator>Parley</generator>\n");
}

static void
write_entry(struct buf *b, const struct feed *f, const struct feed_entry *e)
{
	buf_puts(b, "<entry>\n<id>");
	put_comment_id(b, f, e->id);
	buf_puts(b, "</id>\n<title>");
	put_name(b, e->author_name);
	buf_puts(b, " on ");
	put_post_title(b, e->post_key, e->post_title);
	buf_puts(b, "</title>\n<author><name>");
	put_name(b, e->author_name);
	buf_puts(b, "</name></author>\n<published>");
	put_text(b, e->created_at);
	buf_puts(b, "</published>\n<updated>");
	put_text(b, entry_updated(e));
	buf_puts(b,
	    "</updated>\n<link rel=\"alternate\" type=\"text/html\" "
	    "href=\"");
	put_post_link(b, f, e->post_key, e->post_url, e->id);
	buf_puts(b, "\"/>\n");
	if (e->parent_id != 0) {
		buf_puts(b, "<thr:in-reply-to ref=\"");
		put_comment_id(b, f, e->parent_id);
		buf_puts(b, "\"/>\n");
	}
	buf_puts(b, "<content type=\"html\">");
	if (e->html != NULL)
		put_text(b, e->html);
	buf_puts(b, "</content>\n</entry>\n");
}

void
feed_write_atom(struct buf *b, const struct feed *f)
{
	size_t i;

	write_head(b, f);
	for (i = 0; i < f->nentries; i++)
		write_entry(b, f, &f->entries[i]);
	buf_puts(b, "</feed>\n");
}

/* A DNS name: labels of letters, digits and inner hyphens. */
static int
dns_name(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > FEED_AUTHORITY_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return (0);
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) &&
		    (s[i] != '-' || label == 0))
			return (0);
		if (++label > 63)
			return (0);
	}
	return (label > 0 && s[n - 1] != '-');
}

void
feed_authority(const char *url, char out[FEED_AUTHORITY_MAX + 1])
{
	const char *host, *end, *at, *colon;
	size_t      n, i;

	host = url;
	if ((end = strstr(url, "://")) != NULL)
		host = end + 3;
	end = host + strcspn(host, "/?#");
	/* Userinfo, if any, ends at the authority's last '@'. */
	for (at = host; at < end; at++)
		if (*at == '@')
			host = at + 1;
	if ((colon = memchr(host, ':', (size_t)(end - host))) != NULL)
		end = colon;
	n = (size_t)(end - host);
	/* "example.org." is example.org. */
	if (n > 1 && host[n - 1] == '.')
		n--;
	if (!dns_name(host, n)) {
		strcpy(out, FEED_AUTHORITY_FALLBACK);
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)host[i]);
	out[n] = '\0';
}

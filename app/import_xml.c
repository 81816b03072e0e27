/*
 * WordPress and Disqus exports, read as a stream (see import_xml.h).
 *
 * The reader walks elements by depth: WXR is rss > channel > item >
 * fields and item > wp:comment > fields; Disqus is disqus > thread|post >
 * fields, with post > author > name|email. The text of a field we want
 * collects into a buffer of its record (CDATA or not); a record is handed
 * to the sink when its element ends (a WXR post when its first comment
 * starts, so comments never wait in memory for the rest of their item).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "comment_input.h"
#include "escape.h"
#include "import_xml.h"

/* The most text any field may hold: a comment's body is the long one. */
#define FIELD_MAX (1024 * 1024)

/* A field of a record: the element's local name and its text. */
struct field {
	const char *name;
	struct buf  text;
	int         seen;
};

enum wxr_item_field {
	ITEM_TITLE,
	ITEM_LINK,
	ITEM_POST_ID,
	ITEM_POST_TYPE,
	ITEM_STATUS,
	ITEM_COMMENT_STATUS,
	ITEM_NFIELDS
};
enum wxr_comment_field {
	WC_ID,
	WC_PARENT,
	WC_AUTHOR,
	WC_EMAIL,
	WC_URL,
	WC_IP,
	WC_DATE_GMT,
	WC_DATE,
	WC_CONTENT,
	WC_APPROVED,
	WC_TYPE,
	WC_NFIELDS
};
enum dsq_thread_field { DT_ID, DT_LINK, DT_TITLE, DT_CLOSED, DT_NFIELDS };
enum dsq_post_field {
	DP_MESSAGE,
	DP_CREATED,
	DP_DELETED,
	DP_SPAM,
	DP_IP,
	DP_NAME,
	DP_EMAIL,
	DP_NFIELDS
};

struct import_reader {
	xmlTextReaderPtr          r;
	enum import_format        format;
	enum import_key           keymode;
	const struct import_sink *sink;
	char                     *err;
	size_t                    errlen;
	int                       failed;
	/* Where text goes now, and from which depth. */
	struct field *text;
	int           text_depth;
	/* The record being read; its dsq:id or WXR post id. */
	struct field fields[16]; /* the most of any record's */
	int          nfields;
	int          record_depth;
	struct buf   record_id, thread_ref, parent_ref;
	/* WXR: the item's own fields, kept while its comments are read. */
	struct field item[ITEM_NFIELDS];
	int          in_item, item_posted, item_ok;
	struct buf   item_id;
	/* Disqus: thread ids whose post was refused, so their comments are
	 * counted as skipped rather than failing. */
	char xml_error[256];
};

static const char *const wxr_item_names[ITEM_NFIELDS] = { "title", "link",
	"post_id", "post_type", "status", "comment_status" };
static const char *const wxr_comment_names[WC_NFIELDS] = { "comment_id",
	"comment_parent", "comment_author", "comment_author_email",
	"comment_author_url", "comment_author_IP", "comment_date_gmt",
	"comment_date", "comment_content", "comment_approved", "comment_type" };
static const char *const dsq_thread_names[DT_NFIELDS] = { "id", "link", "title",
	"isClosed" };
static const char *const dsq_post_names[DP_NFIELDS] = { "message", "createdAt",
	"isDeleted", "isSpam", "ipAddress", "name", "email" };

static int
fail(struct import_reader *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->failed) {
		va_start(ap, fmt);
		(void)vsnprintf(x->err, x->errlen, fmt, ap);
		va_end(ap);
		x->failed = 1;
	}
	return (-1);
}

static void
fields_init(struct field *f, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		f[i].name = names[i];
		buf_init(&f[i].text);
		f[i].seen = 0;
	}
}

static void
fields_reset(struct field *f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		buf_reset(&f[i].text);
		f[i].seen = 0;
	}
}

static void
fields_free(struct field *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_free(&f[i].text);
}

/* The field's text, NUL-terminated ("" when it never came). */
static const char *
text_of(struct field *f)
{
	buf_putc(&f->text, '\0');
	f->text.len--;
	return (f->text.data);
}

/* Whitespace around a value is not part of it. */
static const char *
trimmed(struct field *f, struct buf *out)
{
	const char *s = text_of(f), *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s &&
	    (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	buf_reset(out);
	buf_append(out, s, (size_t)(e - s));
	buf_putc(out, '\0');
	out->len--;
	return (out->data);
}

/* Cuts valid UTF-8 text in b after at most n characters. */
static void
cut_chars(struct buf *b, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < b->len; i++) {
		if (((unsigned char)b->data[i] & 0xc0) != 0x80 &&
		    chars++ == n) {
			b->len = i;
			break;
		}
	}
	buf_putc(b, '\0');
	b->len--;
}

/* One line of text, cleaned, at most n characters; "" when nothing. */
static const char *
one_line(const char *s, size_t n, struct buf *out)
{
	buf_reset(out);
	escape_text_clean(out, s, strlen(s), SIZE_MAX, ESCAPE_TEXT_SQUEEZE);
	cut_chars(out, n);
	return (out->data);
}

int
import_url_path(const char *url, char *out, size_t outlen)
{
	const char *p, *end;
	size_t      n;

	if (url == NULL || !http_url_valid(url))
		return (-1);
	p = strstr(url, "://") + 3;
	p += strcspn(p, "/?#");
	end = p + strcspn(p, "?#");
	if (end == p) {
		p = "/";
		end = p + 1;
	}
	n = (size_t)(end - p);
	if (n + 1 > outlen)
		return (-1);
	memcpy(out, p, n);
	out[n] = '\0';
	return (0);
}

/* "2026-12-06 16:05:09" (WXR) or "2026-12-06T16:05:09Z" (Disqus) as
 * RFC 3339 UTC into out; -1 when it is neither or not a real time. */
static int
utc_time(const char *s, char sep, char out[64])
{
	int y, mo, d, h, mi, sec, end = -1;

	if (sep == ' ')
		(void)sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h,
		    &mi, &sec, &end);
	else
		(void)sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h,
		    &mi, &sec, &end);
	if (end != (int)strlen(s) || y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60)
		return (-1);
	(void)snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h,
	    mi, sec);
	return (0);
}

static int
ip_valid(const char *s)
{
	unsigned char a[16];

	return (
	    inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
}

static int
email_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > EMAIL_MAX || strchr(s, '@') == NULL)
		return (0);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return (0);
	}
	return (1);
}

/* Scratch buffers for a record's cleaned fields. */
struct cleaned {
	struct buf name, email, url, ip, parent, tmp;
};

static void
cleaned_init(struct cleaned *c)
{
	buf_init(&c->name);
	buf_init(&c->email);
	buf_init(&c->url);
	buf_init(&c->ip);
	buf_init(&c->parent);
	buf_init(&c->tmp);
}

static void
cleaned_free(struct cleaned *c)
{
	buf_free(&c->name);
	buf_free(&c->email);
	buf_free(&c->url);
	buf_free(&c->ip);
	buf_free(&c->parent);
	buf_free(&c->tmp);
}

/* Fills the author's fields of ic from the raw ones, each cleaned or
 * dropped (NULL) when it is not what it says. */
static void
clean_author(struct import_comment *ic, struct cleaned *c, struct field *name,
    struct field *email, struct field *url, struct field *ip)
{
	ic->author_name =
	    one_line(trimmed(name, &c->tmp), AUTHOR_NAME_MAX, &c->name);
	if (*ic->author_name == '\0')
		ic->author_name = "Anonymous";
	ic->author_email = email != NULL ? trimmed(email, &c->email) : "";
	if (!email_valid(ic->author_email))
		ic->author_email = NULL;
	ic->author_url = url != NULL ? trimmed(url, &c->url) : "";
	if (!http_url_valid(ic->author_url))
		ic->author_url = NULL;
	ic->ip = ip != NULL ? trimmed(ip, &c->ip) : "";
	if (!ip_valid(ic->ip))
		ic->ip = NULL;
}

/* A post's key from its id or its link's path, as keymode says. */
static const char *
post_key(struct import_reader *x, const char *id, const char *url, char *out,
    size_t outlen)
{
	if (x->keymode == IMPORT_KEY_ID && *id != '\0')
		return (post_key_valid(id) ? id : NULL);
	if (import_url_path(url, out, outlen) == -1 || !post_key_valid(out))
		return (NULL);
	return (out);
}

static void
skipped(struct import_reader *x, enum import_skip why, const char *what)
{
	if (x->sink->skipped != NULL)
		x->sink->skipped(x->sink->arg, why, what);
}

/* ---------------------------------------------------------------- WXR */

/* The wp: namespace of WXR 1.0, 1.1 and 1.2, over http or https. */
static int
wxr_namespace(const char *uri)
{
	const char *rest;

	if (strncmp(uri, "http://", 7) == 0)
		rest = uri + 7;
	else if (strncmp(uri, "https://", 8) == 0)
		rest = uri + 8;
	else
		return (0);
	return (strcmp(rest, "wordpress.org/export/1.0/") == 0 ||
	    strcmp(rest, "wordpress.org/export/1.1/") == 0 ||
	    strcmp(rest, "wordpress.org/export/1.2/") == 0);
}

/* Hands the item to the sink, once, before its first comment. */
static int
wxr_post(struct import_reader *x)
{
	struct import_post p;
	struct buf         title, url, raw;
	char               path[257];
	int                r = 0;

	if (x->item_posted)
		return (0);
	x->item_posted = 1;
	memset(&p, 0, sizeof(p));
	buf_init(&title);
	buf_init(&url);
	buf_init(&raw);
	buf_reset(&x->item_id);
	buf_puts(&x->item_id, trimmed(&x->item[ITEM_POST_ID], &raw));
	buf_putc(&x->item_id, '\0');
	x->item_id.len--;
	p.source_id = x->item_id.data;
	p.url = trimmed(&x->item[ITEM_LINK], &url);
	if (!http_url_valid(p.url))
		p.url = NULL;
	p.key = post_key(x, p.source_id, p.url, path, sizeof(path));
	p.title = one_line(trimmed(&x->item[ITEM_TITLE], &raw), POST_TITLE_MAX,
	    &title);
	p.open = strcmp(text_of(&x->item[ITEM_COMMENT_STATUS]), "closed") != 0;
	x->item_ok = p.key != NULL && *p.source_id != '\0';
	if (x->item_ok && x->sink->post(x->sink->arg, &p) == -1)
		r = fail(x, "%s", "the import stopped");
	buf_free(&title);
	buf_free(&url);
	buf_free(&raw);
	return (r);
}

/* Maps wp:comment_approved and wp:comment_type to a status; NULL and
 * why when the comment is left out. */
static const char *
wxr_status(struct import_reader *x, enum import_skip *why)
{
	const char *approved = text_of(&x->fields[WC_APPROVED]);
	const char *type = text_of(&x->fields[WC_TYPE]);

	if (*type != '\0' && strcmp(type, "comment") != 0) {
		*why = IMPORT_SKIP_TYPE;
		return (NULL);
	}
	if (strcmp(approved, "1") == 0 || strcasecmp(approved, "approve") == 0)
		return ("approved");
	if (strcmp(approved, "0") == 0 || strcasecmp(approved, "hold") == 0)
		return ("pending");
	if (strcmp(approved, "spam") == 0)
		return ("spam");
	*why = IMPORT_SKIP_TRASH;
	if (strcmp(approved, "trash") == 0 ||
	    strcmp(approved, "post-trashed") == 0)
		return (NULL);
	*why = IMPORT_SKIP_INVALID;
	return (NULL);
}

static int
wxr_comment(struct import_reader *x)
{
	struct import_comment ic;
	struct cleaned        c;
	enum import_skip      why;
	char                  at[64], what[64];
	const char           *date;
	int                   r = 0;

	if (wxr_post(x) == -1)
		return (-1);
	cleaned_init(&c);
	memset(&ic, 0, sizeof(ic));
	ic.source_id = trimmed(&x->fields[WC_ID], &x->record_id);
	(void)snprintf(what, sizeof(what), "comment %.40s", ic.source_id);
	/* comment_date_gmt is UTC; WordPress leaves it zero on some
	 * drafts, and comment_date (the blog's local time) is all there
	 * is then. */
	date = trimmed(&x->fields[WC_DATE_GMT], &c.tmp);
	if (utc_time(date, ' ', at) == -1 &&
	    utc_time(trimmed(&x->fields[WC_DATE], &c.tmp), ' ', at) == -1)
		at[0] = '\0';
	if ((ic.status = wxr_status(x, &why)) == NULL) {
		skipped(x, why, what);
	} else if (!x->item_ok || *ic.source_id == '\0' || at[0] == '\0') {
		skipped(x, IMPORT_SKIP_INVALID, what);
	} else {
		ic.post_source_id = x->item_id.data;
		ic.parent_source_id = trimmed(&x->fields[WC_PARENT], &c.parent);
		if (strcmp(ic.parent_source_id, "0") == 0 ||
		    *ic.parent_source_id == '\0')
			ic.parent_source_id = NULL;
		clean_author(&ic, &c, &x->fields[WC_AUTHOR],
		    &x->fields[WC_EMAIL], &x->fields[WC_URL],
		    &x->fields[WC_IP]);
		ic.created_at = at;
		ic.body_html = text_of(&x->fields[WC_CONTENT]);
		ic.bare_lines = 1;
		if (x->sink->comment(x->sink->arg, &ic) == -1)
			r = fail(x, "%s", "the import stopped");
	}
	cleaned_free(&c);
	return (r);
}

/* ------------------------------------------------------------- Disqus */

static int
dsq_true(struct field *f)
{
	const char *s = text_of(f);

	s += strspn(s, " \t\r\n");
	return (strncmp(s, "true", 4) == 0);
}

static int
dsq_thread(struct import_reader *x)
{
	struct import_post p;
	struct buf         id, url, title, raw;
	char               path[257];
	int                r = 0;

	buf_init(&id);
	buf_init(&url);
	buf_init(&title);
	buf_init(&raw);
	memset(&p, 0, sizeof(p));
	p.source_id = x->record_id.data;
	p.url = trimmed(&x->fields[DT_LINK], &url);
	if (!http_url_valid(p.url))
		p.url = NULL;
	p.key = post_key(x, trimmed(&x->fields[DT_ID], &id), p.url, path,
	    sizeof(path));
	p.title = one_line(trimmed(&x->fields[DT_TITLE], &raw), POST_TITLE_MAX,
	    &title);
	p.open = !dsq_true(&x->fields[DT_CLOSED]);
	if (p.key == NULL || *p.source_id == '\0')
		skipped(x, IMPORT_SKIP_INVALID, "a thread without a key");
	else if (x->sink->post(x->sink->arg, &p) == -1)
		r = fail(x, "%s", "the import stopped");
	buf_free(&id);
	buf_free(&url);
	buf_free(&title);
	buf_free(&raw);
	return (r);
}

static int
dsq_post(struct import_reader *x)
{
	struct import_comment ic;
	struct cleaned        c;
	char                  at[64], what[64];
	int                   r = 0;

	cleaned_init(&c);
	memset(&ic, 0, sizeof(ic));
	ic.source_id = x->record_id.data;
	(void)snprintf(what, sizeof(what), "post %.40s", ic.source_id);
	if (*ic.source_id == '\0' || x->thread_ref.len == 0 ||
	    utc_time(trimmed(&x->fields[DP_CREATED], &c.tmp), 'T', at) == -1) {
		skipped(x, IMPORT_SKIP_INVALID, what);
	} else {
		ic.post_source_id = x->thread_ref.data;
		ic.parent_source_id =
		    x->parent_ref.len > 0 ? x->parent_ref.data : NULL;
		clean_author(&ic, &c, &x->fields[DP_NAME], &x->fields[DP_EMAIL],
		    NULL, &x->fields[DP_IP]);
		ic.created_at = at;
		ic.status = dsq_true(&x->fields[DP_DELETED]) ? "deleted" :
		    dsq_true(&x->fields[DP_SPAM])            ? "spam" :
		                                               "approved";
		ic.body_html = text_of(&x->fields[DP_MESSAGE]);
		if (x->sink->comment(x->sink->arg, &ic) == -1)
			r = fail(x, "%s", "the import stopped");
	}
	cleaned_free(&c);
	return (r);
}

/* ------------------------------------------------------------- walking */

static void
attr_into(struct import_reader *x, const char *name, struct buf *out)
{
	xmlChar *v;

	buf_reset(out);
	v = xmlTextReaderGetAttributeNs(x->r, (const xmlChar *)name,
	    (const xmlChar *)"http://disqus.com/disqus-internals");
	if (v != NULL) {
		escape_text_clean(out, (const char *)v, strlen((char *)v), 256,
		    ESCAPE_TEXT_ASCII | ESCAPE_TEXT_SQUEEZE);
		xmlFree(v);
	}
	buf_putc(out, '\0');
	out->len--;
}

/* Starts collecting the text of the field named local among f, if any. */
static void
collect(struct import_reader *x, struct field *f, int n, const char *local,
    int depth, int empty)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(local, f[i].name) != 0)
			continue;
		buf_reset(&f[i].text);
		f[i].seen = 1;
		if (!empty) {
			x->text = &f[i];
			x->text_depth = depth;
		}
		return;
	}
}

static int
wxr_start(struct import_reader *x, const char *local, const char *uri,
    int depth, int empty)
{
	const char *prefix = (const char *)xmlTextReaderConstPrefix(x->r);
	int         wp = uri != NULL && wxr_namespace(uri);

	/* A wp: element in a namespace we do not know would otherwise be
	 * passed over, and the file imported as if it had no comments. */
	if (!wp && prefix != NULL && strcmp(prefix, "wp") == 0)
		return (fail(x,
		    "unknown WXR namespace %.100s (expected "
		    "http(s)://wordpress.org/export/1.0, 1.1 or 1.2)",
		    uri != NULL ? uri : "(none)"));
	if (depth == 0 && strcmp(local, "rss") != 0)
		return (fail(x,
		    "not a WordPress export: the root is <%.40s>, "
		    "not <rss>",
		    local));
	if (depth == 2 && strcmp(local, "item") == 0 && !empty) {
		x->in_item = 1;
		x->item_posted = 0;
		fields_reset(x->item, ITEM_NFIELDS);
	} else if (depth == 3 && x->in_item && wp &&
	    strcmp(local, "comment") == 0 && !empty) {
		x->record_depth = 3;
		fields_reset(x->fields, WC_NFIELDS);
	} else if (depth == 3 && x->in_item && (wp || uri == NULL)) {
		collect(x, x->item, ITEM_NFIELDS, local, depth, empty);
	} else if (depth == 4 && x->record_depth == 3 && wp) {
		collect(x, x->fields, WC_NFIELDS, local, depth, empty);
	}
	return (0);
}

static int
wxr_end(struct import_reader *x, const char *local, int depth)
{
	if (depth == 3 && x->record_depth == 3 &&
	    strcmp(local, "comment") == 0) {
		x->record_depth = 0;
		return (wxr_comment(x));
	}
	if (depth == 2 && x->in_item && strcmp(local, "item") == 0)
		x->in_item = 0;
	return (0);
}

static int
dsq_start(struct import_reader *x, const char *local, const char *uri,
    int depth, int empty)
{
	if (depth == 0 &&
	    (strcmp(local, "disqus") != 0 || uri == NULL ||
	        strcmp(uri, "http://disqus.com") != 0))
		return (fail(x,
		    "not a Disqus export: the root is <%.40s> in "
		    "%.60s, not <disqus> in http://disqus.com",
		    local, uri != NULL ? uri : "no namespace"));
	if (depth == 1 && !empty &&
	    (strcmp(local, "thread") == 0 || strcmp(local, "post") == 0)) {
		x->record_depth = 1;
		x->nfields =
		    strcmp(local, "thread") == 0 ? DT_NFIELDS : DP_NFIELDS;
		fields_init(x->fields,
		    x->nfields == DT_NFIELDS ? dsq_thread_names :
		                               dsq_post_names,
		    x->nfields);
		attr_into(x, "id", &x->record_id);
		buf_reset(&x->thread_ref);
		buf_reset(&x->parent_ref);
	} else if (depth == 2 && x->record_depth == 1 &&
	    x->nfields == DP_NFIELDS && strcmp(local, "thread") == 0) {
		attr_into(x, "id", &x->thread_ref);
	} else if (depth == 2 && x->record_depth == 1 &&
	    x->nfields == DP_NFIELDS && strcmp(local, "parent") == 0) {
		attr_into(x, "id", &x->parent_ref);
	} else if (depth == 2 && x->record_depth == 1 &&
	    strcmp(local, "author") != 0) {
		collect(x, x->fields, x->nfields, local, depth, empty);
	} else if (depth == 3 && x->record_depth == 1 &&
	    x->nfields == DP_NFIELDS) {
		collect(x, x->fields, x->nfields, local, depth, empty);
	}
	return (0);
}

static int
dsq_end(struct import_reader *x, int depth)
{
	int r;

	if (depth != 1 || x->record_depth != 1)
		return (0);
	x->record_depth = 0;
	r = x->nfields == DT_NFIELDS ? dsq_thread(x) : dsq_post(x);
	fields_free(x->fields, x->nfields);
	x->nfields = 0;
	return (r);
}

static void
text_node(struct import_reader *x)
{
	const char *v = (const char *)xmlTextReaderConstValue(x->r);
	size_t      n;

	if (x->text == NULL || v == NULL)
		return;
	n = strlen(v);
	if (x->text->text.len + n > FIELD_MAX) {
		(void)fail(x, "a <%s> at line %d holds over %d bytes",
		    x->text->name, xmlTextReaderGetParserLineNumber(x->r),
		    FIELD_MAX);
		return;
	}
	buf_append(&x->text->text, v, n);
}

/* libxml2's errors, kept for the report (the first one). */
static void
reader_error(void *arg, const char *msg, xmlParserSeverities sev,
    xmlTextReaderLocatorPtr loc)
{
	struct import_reader *x = arg;

	if (sev != XML_PARSER_SEVERITY_ERROR || x->xml_error[0] != '\0')
		return;
	(void)snprintf(x->xml_error, sizeof(x->xml_error), "line %d: %s",
	    xmlTextReaderLocatorLineNumber(loc), msg);
	x->xml_error[strcspn(x->xml_error, "\n")] = '\0';
}

static int
node(struct import_reader *x)
{
	const char *local, *uri;
	int         type, depth, empty;

	type = xmlTextReaderNodeType(x->r);
	depth = xmlTextReaderDepth(x->r);
	switch (type) {
	case XML_READER_TYPE_DOCUMENT_TYPE:
		return (fail(x, "%s",
		    "the file has a DOCTYPE, which exports never have "
		    "(it could declare entities): refused"));
	case XML_READER_TYPE_ENTITY_REFERENCE:
		return (
		    fail(x, "%s", "the file uses a declared entity: refused"));
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
	case XML_READER_TYPE_WHITESPACE:
		text_node(x);
		return (x->failed ? -1 : 0);
	case XML_READER_TYPE_ELEMENT:
		local = (const char *)xmlTextReaderConstLocalName(x->r);
		uri = (const char *)xmlTextReaderConstNamespaceUri(x->r);
		empty = xmlTextReaderIsEmptyElement(x->r);
		if (x->format == IMPORT_WXR)
			return (wxr_start(x, local, uri, depth, empty));
		return (dsq_start(x, local, uri, depth, empty));
	case XML_READER_TYPE_END_ELEMENT:
		if (x->text != NULL && depth == x->text_depth)
			x->text = NULL;
		local = (const char *)xmlTextReaderConstLocalName(x->r);
		if (x->format == IMPORT_WXR)
			return (wxr_end(x, local, depth));
		return (dsq_end(x, depth));
	}
	return (0);
}

gzFile
import_gzdopen(int fd)
{
	gzFile gz;
	int    own;

	if ((own = dup(fd)) == -1)
		return (NULL);
	if ((gz = gzdopen(own, "rb")) == NULL)
		close(own);
	return (gz);
}

/* libxml2's input: the file through zlib, which reads plain files as
 * they are. */
static int
gz_read(void *ctx, char *buf, int len)
{
	int n;

	n = gzread(ctx, buf, (unsigned)len);
	return (n < 0 ? -1 : n);
}

static int
gz_close(void *ctx)
{
	return (gzclose(ctx) == Z_OK ? 0 : -1);
}

int
import_xml_read(int fd, enum import_format format, enum import_key keymode,
    const struct import_sink *sink, char *err, size_t errlen)
{
	struct import_reader x;
	gzFile               gz;
	int                  r, seen_root;

	memset(&x, 0, sizeof(x));
	x.format = format;
	x.keymode = keymode;
	x.sink = sink;
	x.err = err;
	x.errlen = errlen;
	buf_init(&x.record_id);
	buf_init(&x.thread_ref);
	buf_init(&x.parent_ref);
	buf_init(&x.item_id);
	fields_init(x.item, wxr_item_names, ITEM_NFIELDS);
	if (format == IMPORT_WXR) {
		x.nfields = WC_NFIELDS;
		fields_init(x.fields, wxr_comment_names, WC_NFIELDS);
	}
	/* No network, no DTD loading, no entity substitution: what a DTD
	 * could bring in never arrives (and a DOCTYPE is refused). */
	gz = import_gzdopen(fd);
	x.r = gz == NULL ? NULL :
	                   xmlReaderForIO(gz_read, gz_close, gz, NULL, NULL,
	                       XML_PARSE_NONET | XML_PARSE_NOERROR |
	                           XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
	if (x.r == NULL) {
		(void)fail(&x, "%s", "cannot read the file");
	} else {
		xmlTextReaderSetErrorHandler(x.r, reader_error, &x);
		seen_root = 0;
		while ((r = xmlTextReaderRead(x.r)) == 1) {
			seen_root = 1;
			if (node(&x) == -1)
				break;
		}
		if (!x.failed && r == -1)
			(void)fail(&x, "not well-formed XML (%s)",
			    x.xml_error[0] != '\0' ? x.xml_error :
			                             "truncated or unreadable");
		else if (!x.failed && !seen_root)
			(void)fail(&x, "%s", "the file is empty");
		xmlFreeTextReader(x.r);
	}
	fields_free(x.item, ITEM_NFIELDS);
	if (x.nfields > 0)
		fields_free(x.fields, x.nfields);
	buf_free(&x.record_id);
	buf_free(&x.thread_ref);
	buf_free(&x.parent_ref);
	buf_free(&x.item_id);
	return (x.failed ? -1 : 0);
}

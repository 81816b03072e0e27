/*
 * The mail Parley sends (see mail.h).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "mail.h"

#define ADDRESS_MAX 254
/* RFC 2045: encoded lines of at most 76 characters, soft break included. */
#define QP_LINE_MAX 76

/* localhost, 127.0.0.0/8 or [::1], as a URL names its host. */
static int
host_loopback(const char *host, size_t n)
{
	if ((n == 9 && strncmp(host, "localhost", 9) == 0) ||
	    (n == 5 && strncmp(host, "[::1]", 5) == 0))
		return (1);
	if (n < 7 || n > 15 || strncmp(host, "127.", 4) != 0)
		return (0);
	return (strspn(host, "0123456789.") == n);
}

enum mail_tls
mail_smtp_tls(const char *url)
{
	const char *host, *end, *at;
	size_t      n;

	if (url == NULL)
		return (MAIL_TLS_BAD);
	if (strncmp(url, "smtps://", 8) == 0)
		return (url[8] != '\0' ? MAIL_TLS_IMPLICIT : MAIL_TLS_BAD);
	if (strncmp(url, "smtp://", 7) != 0 || url[7] == '\0')
		return (MAIL_TLS_BAD);
	host = url + 7;
	end = host + strcspn(host, "/?#");
	/* user:password@ (libcurl takes it there too) is not the host. */
	for (at = host; at < end; at++) {
		if (*at == '@')
			host = at + 1;
	}
	if (*host == '[')
		n = strcspn(host, "]") + 1;
	else
		n = strcspn(host, ":/?#");
	if (host + n > end)
		return (MAIL_TLS_BAD);
	return (host_loopback(host, n) ? MAIL_TLS_NONE : MAIL_TLS_STARTTLS);
}

int
mail_address_ok(const char *addr)
{
	const char *at = NULL, *p;

	if (addr == NULL || *addr == '\0' || strlen(addr) > ADDRESS_MAX)
		return (0);
	for (p = addr; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || strchr("\"<>(),;:[]\\", *p))
			return (0);
		if (*p == '@') {
			if (at != NULL)
				return (0);
			at = p;
		}
	}
	return (at != NULL && at != addr && at[1] != '\0');
}

int
mail_envelope_from(const char *from, char *out, size_t n)
{
	const char *lt, *gt;
	size_t      len;

	if (from == NULL)
		return (-1);
	if ((lt = strrchr(from, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL) {
		from = lt + 1;
		len = (size_t)(gt - from);
	} else
		len = strlen(from);
	if (len >= n)
		return (-1);
	memcpy(out, from, len);
	out[len] = '\0';
	return (mail_address_ok(out) ? 0 : -1);
}

/* Printable ASCII, nothing else: for header values from configuration. */
static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < ' ' || *s >= 0x7f)
			return (0);
	}
	return (1);
}

/* The host (and port) of public_url: the site's name in subjects. */
static void
put_host(struct buf *b, const char *url)
{
	const char *p = strstr(url, "://");
	size_t      n;

	p = p != NULL ? p + 3 : url;
	n = strcspn(p, "/");
	escape_text_clean(b, p, n, 200, ESCAPE_TEXT_ASCII);
}

/* A query value: unreserved characters as they are, the rest %XX. */
static void
put_query_value(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/* Where a comment is read: its post's page, else Parley's own page. */
static void
put_comment_link(struct buf *b, const struct mail_message *m,
    const struct mail_item *it)
{
	if (it->post_url != NULL &&
	    (strncmp(it->post_url, "https://", 8) == 0 ||
	        strncmp(it->post_url, "http://", 7) == 0)) {
		/* A URL without blanks: it must stay one word in the text. */
		escape_text_clean(b, it->post_url, strcspn(it->post_url, "#"),
		    2000, ESCAPE_TEXT_ASCII | ESCAPE_TEXT_SQUEEZE);
	} else {
		buf_printf(b, "%s/thread.html?post=", m->public_url);
		put_query_value(b, it->post_key);
	}
	buf_printf(b, "#parley-comment-%s", it->comment_id);
}

/* One line of user text (a name, a title): no line breaks, no controls. */
static void
put_line_text(struct buf *b, const char *s, size_t max)
{
	escape_text_clean(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0, max,
	    ESCAPE_TEXT_SQUEEZE);
}

/* A comment's text, cut at MAIL_EXCERPT_MAX, each line quoted "> ". */
static void
put_excerpt(struct buf *b, const char *body)
{
	struct buf  clean;
	const char *p, *nl;
	size_t      n = strlen(body);

	buf_init(&clean);
	escape_text_clean(&clean, body, n, MAIL_EXCERPT_MAX, ESCAPE_TEXT_LINES);
	for (p = clean.data; p != NULL && *p != '\0';
	     p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		buf_puts(b, n > 0 ? "  > " : "  >");
		buf_append(b, p, n);
		buf_putc(b, '\n');
	}
	if (strlen(body) > MAIL_EXCERPT_MAX)
		buf_puts(b, "  > [...]\n");
	buf_free(&clean);
}

static void
put_title(struct buf *b, const struct mail_item *it)
{
	if (it->post_title != NULL && *it->post_title != '\0') {
		buf_puts(b, "\"");
		put_line_text(b, it->post_title, 300);
		buf_puts(b, "\"");
	} else {
		buf_puts(b, "a post");
	}
}

static void
confirm_text(struct buf *b, const struct mail_message *m)
{
	buf_puts(b,
	    "Someone, hopefully you, asked for e-mail from the "
	    "comments on ");
	put_host(b, m->public_url);
	buf_puts(b,
	    " to be sent to this address.\n\n"
	    "To confirm, open this link and press the button on the "
	    "page:\n\n");
	buf_printf(b, "%s/mail/confirm?token=%s\n\n", m->public_url, m->token);
	buf_puts(b,
	    "The link works for 48 hours. If you did not ask for "
	    "this, ignore this mail: nothing more is sent unless "
	    "the address is confirmed.\n");
}

static void
privacy_text(struct buf *b, const struct mail_message *m)
{
	buf_puts(b,
	    "Someone, hopefully you, asked for the data the comments on ");
	put_host(b, m->public_url);
	buf_puts(b,
	    " hold about this address.\n\n"
	    "To download it or to erase it, open this link:\n\n");
	buf_printf(b, "%s/privacy?token=%s\n\n", m->public_url, m->token);
	buf_puts(b,
	    "The link works once, for 48 hours. If you did not ask for "
	    "this, ignore this mail: nothing happens unless the link is "
	    "used.\n");
}

static void
replies_text(struct buf *b, const struct mail_message *m)
{
	size_t i;

	for (i = 0; i < m->nitems; i++) {
		const struct mail_item *it = &m->items[i];

		put_line_text(b, it->author_name, 200);
		buf_puts(b, " replied to your comment on ");
		put_title(b, it);
		buf_puts(b, ":\n\n");
		put_excerpt(b, it->body);
		buf_puts(b, "\nRead it and answer: ");
		put_comment_link(b, m, it);
		buf_puts(b, "\n\n");
	}
}

static void
digest_text(struct buf *b, const struct mail_message *m)
{
	size_t i;

	buf_printf(b, "%zu comment%s held for moderation:\n\n", m->nitems,
	    m->nitems == 1 ? " is" : "s are");
	for (i = 0; i < m->nitems; i++) {
		const struct mail_item *it = &m->items[i];

		put_line_text(b, it->author_name, 200);
		buf_puts(b, " on ");
		put_title(b, it);
		if (it->reason != NULL && *it->reason != '\0') {
			buf_puts(b, " (");
			put_line_text(b, it->reason, 200);
			buf_puts(b, ")");
		}
		buf_puts(b, ":\n\n");
		put_excerpt(b, it->body);
		buf_puts(b, "\n");
	}
	buf_printf(b, "Review them: %s/admin#/queue\n\n", m->public_url);
}

static void
footer_text(struct buf *b, const struct mail_message *m)
{
	buf_puts(b, "-- \n");
	buf_puts(b,
	    m->kind == MAIL_DIGEST ?
	        "You get this because you asked for e-mail about held "
	        "comments.\n" :
	        "You get this because you asked for replies by e-mail.\n");
	buf_printf(b, "Stop these mails: %s/mail/unsubscribe?token=%s\n",
	    m->public_url, m->token);
}

static void
put_subject(struct buf *b, const struct mail_message *m)
{
	buf_puts(b, "Subject: ");
	switch (m->kind) {
	case MAIL_CONFIRM:
		buf_puts(b, "Confirm e-mail from the comments on ");
		break;
	case MAIL_REPLIES:
		if (m->nitems == 1)
			buf_puts(b, "New reply to your comment on ");
		else
			buf_printf(b, "%zu new replies to your comments on ",
			    m->nitems);
		break;
	case MAIL_DIGEST:
		buf_printf(b, "%zu held comment%s on ", m->nitems,
		    m->nitems == 1 ? "" : "s");
		break;
	case MAIL_PRIVACY:
		buf_puts(b, "Your data in the comments on ");
		break;
	}
	put_host(b, m->public_url);
	buf_puts(b, "\r\n");
}

/* RFC 5322's date, in UTC, without the locale's help. */
static void
put_date(struct buf *b, time_t now)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm                tm;

	gmtime_r(&now, &tm);
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
put_headers(struct buf *b, const struct mail_message *m)
{
	buf_printf(b, "From: %s\r\n", m->from);
	buf_printf(b, "To: <%s>\r\n", m->to);
	put_subject(b, m);
	put_date(b, m->now);
	buf_printf(b, "Message-ID: <%s@", m->message_id);
	put_host(b, m->public_url);
	buf_puts(b, ">\r\n");
	buf_puts(b,
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: All\r\n");
	if (m->kind == MAIL_REPLIES || m->kind == MAIL_DIGEST) {
		buf_printf(b,
		    "List-Unsubscribe: <%s/mail/unsubscribe?token=%s>\r\n",
		    m->public_url, m->token);
		buf_puts(b,
		    "List-Unsubscribe-Post: "
		    "List-Unsubscribe=One-Click\r\n");
	}
	buf_puts(b, "\r\n");
}

static int
message_fit(const struct mail_message *m)
{
	char envelope[ADDRESS_MAX + 1];

	return (mail_address_ok(m->to) && header_safe(m->from) &&
	    mail_envelope_from(m->from, envelope, sizeof(envelope)) == 0 &&
	    header_safe(m->public_url) && header_safe(m->token) &&
	    header_safe(m->message_id) && strchr(m->token, '>') == NULL);
}

int
mail_build(struct buf *out, const struct mail_message *m)
{
	struct buf text;

	if (!message_fit(m))
		return (-1);
	buf_init(&text);
	switch (m->kind) {
	case MAIL_CONFIRM:
		confirm_text(&text, m);
		break;
	case MAIL_REPLIES:
		replies_text(&text, m);
		footer_text(&text, m);
		break;
	case MAIL_DIGEST:
		digest_text(&text, m);
		footer_text(&text, m);
		break;
	case MAIL_PRIVACY:
		privacy_text(&text, m);
		break;
	}
	put_headers(out, m);
	mail_qp(out, text.data != NULL ? text.data : "", text.len);
	buf_free(&text);
	return (0);
}

/* Whether c may stand for itself in quoted-printable. */
static int
qp_literal(unsigned char c)
{
	return (c >= 33 && c <= 126 && c != '=');
}

void
mail_qp(struct buf *out, const char *text, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t            i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		int           eol = i + 1 == len || text[i + 1] == '\n' ||
		    (text[i + 1] == '\r' && i + 2 < len && text[i + 2] == '\n');
		size_t w;

		if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		if (c == '\n') {
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		/* Blanks stay but at a line's end; a dot never starts a
		 * line (some relays take a lone one as the end). */
		if ((c == ' ' || c == '\t') && !eol)
			w = 1;
		else if (qp_literal(c) && !(c == '.' && col == 0))
			w = 1;
		else
			w = 3;
		if (col + w > QP_LINE_MAX - 1) {
			buf_puts(out, "=\r\n");
			col = 0;
			if (c == '.')
				w = 3;
		}
		if (w == 1)
			buf_putc(out, (char)c);
		else {
			buf_putc(out, '=');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
		col += w;
	}
	if (col > 0)
		buf_puts(out, "\r\n");
}

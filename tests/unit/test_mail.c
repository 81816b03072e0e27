/*
 * Unit tests for app/mail.c: which addresses and relay URLs are taken,
 * quoted-printable, and the messages themselves: their headers hold no
 * user text, notifications carry RFC 8058's headers, and no line of user
 * text can end the message or start a header.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mail.h"

static const char TOKEN[] = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

static struct mail_message
message(enum mail_kind kind, const struct mail_item *items, size_t n)
{
	struct mail_message m;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.to = "reader@example.org";
	m.from = "Comments <comments@blog.example.org>";
	m.public_url = "https://comments.example.org";
	m.token = TOKEN;
	m.items = items;
	m.nitems = n;
	m.now = 1796596800; /* 2026-12-06T22:40:00Z, a Sunday */
	m.message_id = "0123456789abcdef";
	return (m);
}

/* The headers of a built message: up to the first empty line. */
static char *
headers_of(const struct buf *b)
{
	const char *end = strstr(b->data, "\r\n\r\n");

	cr_assert(end != NULL);
	return (strndup(b->data, (size_t)(end - b->data) + 2));
}

/* The body of a built message, quoted-printable decoded. */
static char *
body_of(const struct buf *b)
{
	const char *p = strstr(b->data, "\r\n\r\n");
	char       *out, *o;

	cr_assert(p != NULL);
	out = o = calloc(1, strlen(p));
	for (p += 4; *p != '\0'; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n')
			p += 2;
		else if (p[0] == '=' && p[1] != '\0' && p[2] != '\0') {
			char hex[3] = { p[1], p[2], '\0' };

			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else
			*o++ = *p;
	}
	return (out);
}

Test(mail, addresses_taken_only_when_plain)
{
	cr_assert(mail_address_ok("a@example.org"));
	cr_assert(mail_address_ok("first.last+tag@sub.example.org"));
	cr_assert(!mail_address_ok(""));
	cr_assert(!mail_address_ok("no-at.example.org"));
	cr_assert(!mail_address_ok("@example.org"));
	cr_assert(!mail_address_ok("a@"));
	cr_assert(!mail_address_ok("a@b@example.org"));
	cr_assert(!mail_address_ok("a b@example.org"));
	cr_assert(!mail_address_ok("a@example.org\r\nBcc: x@example.org"));
	cr_assert(!mail_address_ok("a@example.org>"));
	cr_assert(!mail_address_ok("\"a\"@example.org"));
	cr_assert(!mail_address_ok("a,b@example.org"));
	cr_assert(!mail_address_ok("\xc3\xa9@example.org"));
}

Test(mail, envelope_sender_from_a_from_line)
{
	char out[64];

	cr_assert_eq(mail_envelope_from("Blog <c@example.org>", out,
	                 sizeof(out)),
	    0);
	cr_assert_str_eq(out, "c@example.org");
	cr_assert_eq(mail_envelope_from("c@example.org", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "c@example.org");
	cr_assert_eq(mail_envelope_from("Blog <not an address>", out,
	                 sizeof(out)),
	    -1);
	cr_assert_eq(mail_envelope_from("Blog", out, sizeof(out)), -1);
}

Test(mail, relay_urls_and_their_tls)
{
	cr_assert_eq(mail_smtp_tls("smtps://mail.example.org:465"),
	    MAIL_TLS_IMPLICIT);
	cr_assert_eq(mail_smtp_tls("smtp://mail.example.org:587"),
	    MAIL_TLS_STARTTLS);
	cr_assert_eq(mail_smtp_tls("smtp://127.0.0.1:25"), MAIL_TLS_NONE);
	cr_assert_eq(mail_smtp_tls("smtp://127.0.0.53:2525"), MAIL_TLS_NONE);
	cr_assert_eq(mail_smtp_tls("smtp://localhost"), MAIL_TLS_NONE);
	cr_assert_eq(mail_smtp_tls("smtp://[::1]:25"), MAIL_TLS_NONE);
	/* The user part is not the host. */
	cr_assert_eq(mail_smtp_tls("smtp://127.0.0.1@evil.example.org:25"),
	    MAIL_TLS_STARTTLS);
	cr_assert_eq(mail_smtp_tls("smtp://127.0.0.1.evil.example.org"),
	    MAIL_TLS_STARTTLS);
	cr_assert_eq(mail_smtp_tls("smtp://localhost.example.org"),
	    MAIL_TLS_STARTTLS);
	cr_assert_eq(mail_smtp_tls("http://mail.example.org"), MAIL_TLS_BAD);
	cr_assert_eq(mail_smtp_tls("smtp://"), MAIL_TLS_BAD);
	cr_assert_eq(mail_smtp_tls(NULL), MAIL_TLS_BAD);
}

Test(mail, quoted_printable_keeps_lines_short_and_dots_escaped)
{
	struct buf  b;
	char        long_line[300];
	const char *p, *nl;
	const char *t = "caf\xc3\xa9 = 1 \n.\n.x\ntrailing \n";

	buf_init(&b);
	mail_qp(&b, t, strlen(t));
	cr_assert_str_eq(b.data,
	    "caf=C3=A9 =3D 1=20\r\n=2E\r\n=2Ex\r\n"
	    "trailing=20\r\n");
	buf_free(&b);

	memset(long_line, 'a', sizeof(long_line));
	long_line[150] = '.';
	buf_init(&b);
	mail_qp(&b, long_line, sizeof(long_line));
	for (p = b.data; *p != '\0'; p = nl + 2) {
		nl = strstr(p, "\r\n");
		cr_assert(nl != NULL);
		cr_assert_leq(nl - p, 76);
		cr_assert_neq(*p, '.');
	}
	buf_free(&b);
}

Test(mail, a_confirmation_has_its_link_and_no_unsubscribe)
{
	struct mail_message m = message(MAIL_CONFIRM, NULL, 0);
	struct buf          b;
	char               *h, *text;

	buf_init(&b);
	cr_assert_eq(mail_build(&b, &m), 0);
	h = headers_of(&b);
	text = body_of(&b);
	cr_assert(strstr(h, "From: Comments <comments@blog.example.org>\r\n"));
	cr_assert(strstr(h, "To: <reader@example.org>\r\n"));
	cr_assert(strstr(h,
	    "Subject: Confirm e-mail from the comments on "
	    "comments.example.org\r\n"));
	cr_assert(strstr(h, "Date: Sun, 06 Dec 2026 22:40:00 +0000\r\n"));
	cr_assert(strstr(h,
	    "Message-ID: <0123456789abcdef@"
	    "comments.example.org>\r\n"));
	cr_assert(strstr(h, "Auto-Submitted: auto-generated\r\n"));
	cr_assert_null(strstr(h, "List-Unsubscribe"));
	cr_assert(strstr(text,
	    "https://comments.example.org/mail/confirm?"
	    "token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_"
	    "abcde\r\n"));
	free(text);
	free(h);
	buf_free(&b);
}

Test(mail, a_privacy_link_works_once_and_has_no_unsubscribe)
{
	struct mail_message m = message(MAIL_PRIVACY, NULL, 0);
	struct buf          b;
	char               *h, *text;

	buf_init(&b);
	cr_assert_eq(mail_build(&b, &m), 0);
	h = headers_of(&b);
	text = body_of(&b);
	cr_assert(strstr(h,
	    "Subject: Your data in the comments on "
	    "comments.example.org\r\n"));
	cr_assert(strstr(h, "Auto-Submitted: auto-generated\r\n"));
	cr_assert_null(strstr(h, "List-Unsubscribe"));
	cr_assert(strstr(text,
	    "https://comments.example.org/privacy?"
	    "token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_"
	    "abcde\r\n"));
	cr_assert(strstr(text, "The link works once, for 48 hours."));
	free(text);
	free(h);
	buf_free(&b);
}

Test(mail, replies_carry_one_click_unsubscribe_and_user_text_only_below)
{
	struct mail_item it[2] = {
		{ "41", "Eve\r\nBcc: victim@example.org", "line\r\n.\r\nQUIT",
		    NULL, "post 1", "Title\nSubject: x", "" },
		{ "42", "Bob", "**hi**", NULL, "k&y", "",
		    "https://blog.example.org/p/1#old" },
	};
	struct mail_message m = message(MAIL_REPLIES, it, 2);
	struct buf          b;
	char               *h, *text;

	buf_init(&b);
	cr_assert_eq(mail_build(&b, &m), 0);
	h = headers_of(&b);
	text = body_of(&b);
	cr_assert(strstr(h,
	    "Subject: 2 new replies to your comments on "
	    "comments.example.org\r\n"));
	cr_assert(strstr(h,
	    "List-Unsubscribe: <https://comments.example.org/"
	    "mail/unsubscribe?token="));
	cr_assert(strstr(h,
	    "List-Unsubscribe-Post: List-Unsubscribe="
	    "One-Click\r\n"));
	cr_assert_null(strstr(h, "Eve"));
	cr_assert_null(strstr(h, "Bcc"));
	cr_assert_null(strstr(h, "Title"));
	/* The body: names on one line; no line is a lone dot. */
	cr_assert(strstr(text,
	    "Eve Bcc: victim@example.org replied to your "
	    "comment on \"Title Subject: x\":"));
	cr_assert(strstr(text, "  > line\r\n  > .\r\n  > QUIT\r\n"));
	cr_assert_null(strstr(b.data, "\r\n.\r\n"));
	cr_assert(strstr(text,
	    "https://comments.example.org/thread.html?"
	    "post=post%201#parley-comment-41"));
	cr_assert(strstr(text, "Bob replied to your comment on a post:"));
	cr_assert(strstr(text,
	    "https://blog.example.org/p/1#parley-"
	    "comment-42"));
	cr_assert(strstr(text,
	    "Stop these mails: https://comments.example.org/"
	    "mail/unsubscribe?token="));
	free(text);
	free(h);
	buf_free(&b);
}

Test(mail, a_digest_lists_held_comments_with_their_reasons)
{
	struct mail_item    it[1] = { { "7", "Mallory", "buy now", "hold word",
	       "k", "A post", "" } };
	struct mail_message m = message(MAIL_DIGEST, it, 1);
	struct buf          b;
	char               *text;

	buf_init(&b);
	cr_assert_eq(mail_build(&b, &m), 0);
	text = body_of(&b);
	cr_assert(strstr(b.data,
	    "Subject: 1 held comment on "
	    "comments.example.org\r\n"));
	cr_assert(strstr(text, "Mallory on \"A post\" (hold word):"));
	cr_assert(strstr(text, "https://comments.example.org/admin#/queue"));
	cr_assert(strstr(b.data, "List-Unsubscribe-Post"));
	free(text);
	buf_free(&b);
}

Test(mail, a_recipient_or_sender_unfit_for_a_header_builds_nothing)
{
	struct mail_message m = message(MAIL_CONFIRM, NULL, 0);
	struct buf          b;

	buf_init(&b);
	m.to = "a@example.org\r\nBcc: b@example.org";
	cr_assert_eq(mail_build(&b, &m), -1);
	m.to = "a@example.org";
	m.from = "Blog\r\nBcc: b@example.org <c@example.org>";
	cr_assert_eq(mail_build(&b, &m), -1);
	cr_assert_eq(b.len, 0);
	buf_free(&b);
}

/*
 * The mail Parley sends, as its bytes: a confirmation of an address, the
 * replies gathered for a reader, a moderator's digest of held comments, a
 * link to a person's own data.
 * Pure (no libcurl, no database), so it is unit-tested alone; the
 * deliverer (mail_send.c) fills it from the outbox and sends it.
 *
 * Headers hold no user text: subjects are fixed sentences with counts and
 * the site's host, the recipient must be a plain ASCII address
 * (mail_address_ok) and everything else comes from the configuration,
 * kept to printable ASCII. User text (names, titles, bodies) goes only
 * into the plain-text body, cleaned of control characters and sent
 * quoted-printable, so no line of it can end the message or start a
 * header.
 */
#ifndef PARLEY_MAIL_H
#define PARLEY_MAIL_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Longest excerpt of a comment's text a mail quotes, in bytes. */
#define MAIL_EXCERPT_MAX 600

enum mail_kind {
	MAIL_CONFIRM, /* a link to confirm the address (double opt-in) */
	MAIL_REPLIES, /* replies to the reader's comments */
	MAIL_DIGEST, /* comments held for moderation */
	MAIL_PRIVACY, /* a link to download or erase one's data */
};

/* One comment a notification or digest tells of (columns as text). */
struct mail_item {
	const char *comment_id;
	const char *author_name;
	const char *body; /* Markdown source */
	const char *reason; /* why it was held (digests); may be NULL */
	const char *post_key;
	const char *post_title; /* "" when unknown */
	const char *post_url; /* "" when unknown */
};

struct mail_message {
	enum mail_kind kind;
	const char    *to; /* checked by mail_address_ok */
	const char    *from; /* mail_from, as configured */
	const char    *public_url; /* no trailing slash */
	/* The link's token: confirm for MAIL_CONFIRM, privacy for
	 * MAIL_PRIVACY, else unsubscribe. */
	const char             *token;
	const struct mail_item *items;
	size_t                  nitems;
	time_t                  now;
	const char             *message_id; /* unique; [0-9a-f] */
};

/* How a relay's URL (smtp_url) is spoken to. */
enum mail_tls {
	MAIL_TLS_BAD = -1, /* not smtp:// or smtps:// */
	MAIL_TLS_IMPLICIT, /* smtps:// */
	MAIL_TLS_STARTTLS, /* smtp:// to another machine: required */
	MAIL_TLS_NONE, /* smtp:// to a loopback address: plain */
};
enum mail_tls mail_smtp_tls(const char *url);

/*
 * 1 if addr can be a recipient: printable ASCII without blanks, quotes,
 * angle brackets, commas or semicolons, one '@' with text on both sides,
 * at most 254 bytes. Other addresses are not mailed (they cannot be put
 * in a header or an SMTP command safely).
 */
int mail_address_ok(const char *addr);

/*
 * The envelope sender (SMTP MAIL FROM) of a From line: the address
 * inside "<...>" if there is one, else the whole; into out (size n).
 * -1 if it is not an address mail_address_ok takes.
 */
int mail_envelope_from(const char *from, char *out, size_t n);

/*
 * The whole message, headers and body, lines ended by CRLF, into out.
 * Notifications and digests carry List-Unsubscribe (RFC 2369) and
 * List-Unsubscribe-Post (RFC 8058); every mail Auto-Submitted
 * (RFC 3834). -1 (out unchanged) if the recipient or the sender is not
 * fit for a header.
 */
int mail_build(struct buf *out, const struct mail_message *m);

/* Quoted-printable (RFC 2045) of text with its lines ended by CRLF. */
void mail_qp(struct buf *out, const char *text, size_t len);

#endif

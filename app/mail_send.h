/*
 * The mail outbox's sender, run by the hook deliverer between its
 * batches (deliver.c): the same thread or process, database connection
 * and wake-ups, never a reader's request. Kore-free, on libpq and
 * libcurl's SMTP.
 */
#ifndef PARLEY_MAIL_SEND_H
#define PARLEY_MAIL_SEND_H

#include <curl/curl.h>

/* libpq's PGconn, without its header (not every unit has its flags). */
struct pg_conn;

/* The relay and what mail links to (the configuration's). */
struct mail_conf {
	const char *smtp_url; /* smtp://, smtps:// */
	const char *smtp_user; /* NULL: no login */
	const char *smtp_password;
	const char *from;
	const char *public_url;
	/* The configuration file's allowed_origins: with the setting's, the
	 * sites a mail may link a post's URL on (sites.h). */
	char *const *origins;
	size_t       norigins;
};

struct config;

/* The mail part of the configuration into out: out, or NULL when mail is
 * off (no smtp_url). */
const struct mail_conf *mail_conf_of(const struct config *,
    struct mail_conf *out);

/*
 * Turns waiting privacy requests into mail (privacy_requests_take), then
 * claims due mail and sends it, one after the other, until stop() says
 * so. The number of requests read and mails claimed, or -1 on a database
 * error.
 */
int mail_send_batch(struct pg_conn *, CURL *, const struct mail_conf *,
    int (*stop)(void));

/* Old mail and expired confirmations go; failure here is harmless. */
void mail_send_prune(struct pg_conn *);

#endif

/*
 * The mail feature's SQL on Kore's connections (sql/functions/mail.sql):
 * the links in mail (confirm, unsubscribe) and a member's switches. The
 * outbox's sender has its own (mail_send.c).
 */
#ifndef PARLEY_STORE_MAIL_H
#define PARLEY_STORE_MAIL_H

#include <stdint.h>

#include "db.h"
#include "store.h"

/* The kinds of link token: "confirm", "unsubscribe". hash_sql is
 * token_hash_sql's. One row {email, usable} or none (unknown). */
void store_mail_peek_query(struct db_query *, const char *hash_sql,
    const char *kind);
/* One row: "confirmed", "expired" or "unknown". */
void store_mail_confirm_query(struct db_query *, const char *hash_sql);
/* One row: "unsubscribed" or "unknown". */
void store_mail_unsubscribe_query(struct db_query *, const char *hash_sql);

/* A member's switches: -1 leaves one as it is (PATCH), else 0 or 1. */
void store_me_mail_query(struct db_query *, struct store_numbers *,
    int64_t user_id, int notify_replies, int mail_held);
struct me_mail_row {
	int         notify_replies;
	int         mail_held;
	const char *address; /* "subscribed", "confirming", "suppressed",
			      * NULL: never asked */
};
/* -1 when no row came back (the account is gone). */
int store_me_mail_row(struct db_query *, struct me_mail_row *);

#endif

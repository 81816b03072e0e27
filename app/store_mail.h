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

/* What a link's GET shows, before anything is done: kind is the link's
 * ("confirm", "unsubscribe"), hash_sql token_hash_sql's. */
void store_mail_peek_query(struct db_query *, const char *hash_sql,
    const char *kind);
struct mail_link_row {
	const char *email; /* the address the token is for */
	int         usable; /* 0: used or expired */
};
/* -1 when the token is unknown. */
int store_mail_link_row(struct db_query *, struct mail_link_row *);

/* What a link's POST does, read with store_mail_outcome_row: "confirmed",
 * "expired" (or used) or "unknown". Single use. */
void store_mail_confirm_query(struct db_query *, const char *hash_sql);
/* "unsubscribed" (again, harmlessly, when repeated) or "unknown". */
void store_mail_unsubscribe_query(struct db_query *, const char *hash_sql);
/* The outcome of either; "unknown" when nothing came back. */
const char *store_mail_outcome_row(struct db_query *);

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

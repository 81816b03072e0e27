/*
 * The privacy feature's SQL on Kore's connections
 * (sql/functions/privacy.sql): requests for a guest's link, the link's
 * page and its one use, a member's export and erasure, a moderator's for
 * an address. The deliverer takes the requests and runs the retention
 * job on its own connection (mail_send.c, deliver.c).
 */
#ifndef PARLEY_STORE_PRIVACY_H
#define PARLEY_STORE_PRIVACY_H

#include <stdint.h>

#include "db.h"
#include "store.h"

/* No rows: the request is written, whatever the address holds. */
void store_privacy_request_query(struct db_query *, const char *email);

/* The page a link opens. hash_sql is token_hash_sql's. */
void store_privacy_peek_query(struct db_query *, const char *hash_sql);
struct privacy_peek_row {
	const char *email;
	int         usable; /* unused and unexpired */
};
/* -1 when the link is unknown. */
int store_privacy_peek_row(struct db_query *, struct privacy_peek_row *);

/*
 * The one use of a link (erase: 1, download: 0); a member's export
 * (store_privacy_export_query) and erasure; a moderator's for an address.
 * Each answers one privacy_outcome_row.
 */
void store_privacy_link_use_query(struct db_query *, const char *hash_sql,
    int erase);
void store_privacy_export_query(struct db_query *, struct store_numbers *,
    int64_t user_id);
void store_privacy_erase_self_query(struct db_query *, struct store_numbers *,
    int64_t user_id);
void store_privacy_for_email_query(struct db_query *, struct store_numbers *,
    int64_t actor_id, const char *email, int erase);
struct privacy_outcome_row {
	/* "ok", or what kept it from being done: "unknown", "expired"
	 * (links), "staff_account", "gone" */
	const char *status;
	const char *result; /* JSON text: the export, or the counts */
};
/* -1 when no row came back. */
int store_privacy_outcome_row(struct db_query *, struct privacy_outcome_row *);

#endif

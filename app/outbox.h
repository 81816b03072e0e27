/*
 * What the outbox senders share on libpq: the hook deliverer (deliver.c)
 * and the mail sender (mail_send.c) claim rows with a lease, and log the
 * database's complaints the same way. Kore-free.
 */
#ifndef PARLEY_OUTBOX_H
#define PARLEY_OUTBOX_H

#include <libpq-fe.h>

/* "WHO: WHAT: the first line of msg" on stderr (PostgreSQL's messages end
 * in a newline; a log line should not). */
void outbox_log_db(const char *who, const char *what, const char *msg);

/*
 * Hands rows [from, n) of a claim back to be sent at once (a stop, or a
 * batch out of lease time), by sql taking their ids (column id_col) as
 * one bigint[] parameter. Not fatal when it fails: the rows come back
 * when their lease runs out.
 */
void outbox_release(PGconn *, const char *sql, const PGresult *claim,
    int id_col, int from, int n, const char *who);

#endif

/*
 * database_replica: anonymous reads (threads, replies, counts, feeds,
 * thread.html) on a hot standby, everything else on the primary.
 *
 * Each worker watches the standby on a connection of its own, asking
 * every REPLICA_POLL_MS how far it has replayed the primary's WAL. A read
 * goes there only when the standby shows every change this worker has
 * heard of for that post (replica_lag.h), and the reader's own last
 * write (the position its write's answer gave, in X-Parley-Written): a
 * writer sees its write, and a cache filled from the standby is never
 * older than the notification that emptied it. A standby that does not
 * answer, or fails a query (which the primary then answers), is left
 * alone until its watch answers again.
 */
#ifndef PARLEY_REPLICA_H
#define PARLEY_REPLICA_H

#include <stdint.h>

#define DB_REPLICA "replica" /* its pool in Kore (db.c) */

/* Starts the watch; conninfo NULL: no replica, every read on the
 * primary. */
void replica_start(const char *conninfo);
int  replica_enabled(void);

/* listen.c: a notification about key (NULL: every post) was heard. */
void replica_heard(const char *key);
/* listen.c asks the primary for its position when this says so. */
int      replica_wants_position(void);
uint64_t replica_position_asked(void);
void     replica_position(uint64_t round, uint64_t lsn);
/* The newest primary position whose notifications were all heard. */
uint64_t replica_heard_upto(void);

/* 1 if a read of post (NULL: of every post) may go to the standby for a
 * reader whose last write was at written (0: none). */
int replica_fresh(const char *post, uint64_t written);
/* A query on the standby failed: the primary until the watch is fine. */
void replica_failed(void);

#endif

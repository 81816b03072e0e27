/*
 * Which posts the streaming replica may not show yet (database_replica,
 * replica.c). A change on the primary reaches each worker as a
 * notification on "parley_thread" (listen.c); the notification tells no
 * WAL position, so the worker then asks the primary for its WAL insert
 * position (one query for all the notifications heard before it was
 * sent). That position is past the change's commit: once the replica has
 * replayed it, the replica shows the change, and the post may be read
 * there again. Until then the post's reads go to the primary. Kore-free,
 * so the unit tests drive it directly.
 *
 * WAL positions are PostgreSQL's LSNs as 64-bit numbers; 0 is "none".
 */
#ifndef PARLEY_REPLICA_LAG_H
#define PARLEY_REPLICA_LAG_H

#include <stddef.h>
#include <stdint.h>

/* Past this many posts in waiting, they count as "every post". */
#define LAG_KEYS_MAX 256
/* "16/B374D848" at most: two 8-digit hex halves, a slash and a NUL. */
#define LSN_TEXT_MAX 18

struct lag_entry {
	char    *key;
	uint64_t lsn; /* 0: not known yet */
	uint64_t round; /* the query whose answer gives it */
};

struct lag {
	struct lag_entry e[LAG_KEYS_MAX];
	size_t           n;
	struct lag_entry all; /* every post (key unused); round 0: none */
	uint64_t         asked; /* primary position queries sent so far */
	/* The latest answer: every notification of a commit before it has
	 * been heard (PostgreSQL delivers them before the answer). */
	uint64_t heard;
};

/* "X/Y" (PostgreSQL's pg_lsn text) to a number; -1 if malformed. */
int  lsn_parse(const char *, uint64_t *);
void lsn_format(uint64_t, char[LSN_TEXT_MAX]);

void lag_init(struct lag *);
void lag_free(struct lag *);
/* A notification for key (NULL: every post) was heard. */
void lag_mark(struct lag *, const char *key);
/* 1 when a mark waits for a position query not sent yet. */
int lag_wants_query(const struct lag *);
/* A query was sent; returns its number for lag_answered. */
uint64_t lag_asked(struct lag *);
/* Query round answered with the primary's position lsn. */
void lag_answered(struct lag *, uint64_t round, uint64_t lsn);
/* The replica has replayed up to replayed: forgets what it shows. */
void lag_prune(struct lag *, uint64_t replayed);
/* 1 if the replica, having replayed up to replayed, shows every change
 * heard of key (NULL: of every post). */
int lag_fresh(const struct lag *, const char *key, uint64_t replayed);

#endif

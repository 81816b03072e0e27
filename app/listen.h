/*
 * Each worker listens on PostgreSQL's "parley_thread" channel, where
 * triggers announce the post keys whose threads or counts changed, and
 * drops those answers from its cache. A dedicated libpq connection,
 * connected and driven without blocking by Kore's event loop; when it is
 * lost, the cache is off (and emptied) until a reconnect succeeds, so a
 * missed message cannot leave stale answers behind.
 */
#ifndef PARLEY_LISTEN_H
#define PARLEY_LISTEN_H

/* Starts connecting and listening; retries every second while it cannot. */
void	listen_start(const char *conninfo);

/*
 * Reads whatever the channel holds right now (one non-blocking recv):
 * pending changes and a lost connection are seen before the cache
 * answers, not only when the event loop comes round to the socket.
 */
void	listen_poll(void);

#endif

/*
 * Live streams: GET /api/v1/stream?post=KEY holds a connection open and
 * sends the post's changes as Server-Sent Events (comment, edit, delete,
 * count), each with the id of its stream_events row
 * (sql/functions/stream.sql), so a browser that reconnects with
 * Last-Event-ID is sent what it missed. Changes reach every worker of
 * every node as the post's announcement on "parley_thread" (listen.c);
 * the worker then reads the post's new events once, on its listening
 * connection, for all its streams of that post.
 */
#ifndef PARLEY_STREAM_H
#define PARLEY_STREAM_H

#include <stdint.h>

#include <libpq-fe.h>

/* Streams from one address (an IPv6 /64) a node holds at most. */
#define STREAM_PER_ADDRESS 8
/* Events read at once; a stream further behind is told to reload. */
#define STREAM_BATCH 200

int handler_stream(struct http_request *);

/* For module.c: in the parent, before the workers fork, the counts they
 * share (stream_caps.h) for `workers` workers and node_max streams on the
 * node; -1 if they cannot be had. In each worker, its slot (Kore's
 * worker id - 1), zeroed as the worker starts, and how often streams hear
 * a heartbeat. */
int  stream_parent_init(unsigned workers, int node_max);
void stream_init(unsigned slot, int heartbeat_ms);

/* The node's open streams, summed across its workers (for /metrics). */
int stream_open_count(void);

/* A post's thread changed (NULL: maybe every post's). */
void stream_changed(const char *key);
/* For listen.c: the next post to read events for, and after which id; 0
 * when none waits. */
int stream_fetch_take(const char **key, int64_t *after);
/* The rows of that read (store_sql_stream_since), or NULL if it failed. */
void stream_fetched(PGresult *);

#endif

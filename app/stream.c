/*
 * Live streams (stream.h).
 *
 * A stream is a connection whose request was answered with the headers
 * of text/event-stream and no length: Kore keeps the connection, and
 * events are queued on it as they come. Streams are grouped by post;
 * each remembers the last event it was sent. When a post's thread
 * changes, the post is marked for a read of its events after the oldest
 * of its streams' positions; listen.c runs that read on its own
 * connection when it is free, and stream_fetched sends each stream what
 * it has not seen yet, then the post's count.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"
#include "buf.h"
#include "escape.h"
#include "listen.h"
#include "query.h"
#include "store.h"
#include "stream.h"
#include "stream_caps.h"

/* A refused stream's reader may come back after this long (s). */
#define RETRY_AFTER "60"
#define KEY_MAX     256

struct stream_post;

struct stream {
	struct connection  *c;
	struct stream_post *post;
	int64_t             last_id; /* the last event it was sent */
	uint32_t            ticket; /* its place in the node's counts */
	TAILQ_ENTRY(stream) in_post;
	TAILQ_ENTRY(stream) in_worker;
};

struct stream_post {
	char *key;
	TAILQ_HEAD(, stream) streams;
	int dirty; /* events may wait: read them */
	int fetching; /* a read is in flight */
	TAILQ_ENTRY(stream_post) list;
};

static TAILQ_HEAD(, stream_post) posts = TAILQ_HEAD_INITIALIZER(posts);
static TAILQ_HEAD(, stream) streams = TAILQ_HEAD_INITIALIZER(streams);
/* The node's counts, mapped by the parent (stream_caps.h), and this
 * worker's slot in them. */
static struct stream_caps *caps;
static unsigned            caps_slot;
static int                 heartbeat_on;
/* Every stream hears something this often, so that proxies and Kore's
 * idle timer keep it, and a gone reader is noticed (stream_heartbeat_ms:
 * 15 s; shorter in tests). */
static int heartbeat_ms = 15000;

/* The request's state while it looks up where its stream starts. */
struct stream_req {
	struct db_query q;
	int             started;
	int             counted; /* ticket holds a place not yet a stream's */
	uint32_t        ticket;
	char           *key;
};

static struct stream_post *
post_find(const char *key, int create)
{
	struct stream_post *p;

	TAILQ_FOREACH(p, &posts, list)
	{
		if (strcmp(p->key, key) == 0)
			return (p);
	}
	if (!create)
		return (NULL);
	p = kore_calloc(1, sizeof(*p));
	p->key = kore_strdup(key);
	TAILQ_INIT(&p->streams);
	TAILQ_INSERT_TAIL(&posts, p, list);
	return (p);
}

static void
post_release(struct stream_post *p)
{
	if (!TAILQ_EMPTY(&p->streams) || p->fetching)
		return;
	TAILQ_REMOVE(&posts, p, list);
	kore_free(p->key);
	kore_free(p);
}

static void
send_raw(struct stream *s, const char *data, size_t len)
{
	net_send_queue(s->c, data, len);
	(void)net_send_flush(s->c);
}

/* One event: its id (for Last-Event-ID), its name, its JSON. */
static void
send_event(struct stream *s, int64_t id, const char *name,
    const struct buf *json)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "id: %" PRId64 "\nevent: %s\ndata: %s\n\n", id, name,
	    json->data);
	send_raw(s, b.data, b.len);
	buf_free(&b);
}

static void
heartbeat(void *arg, u_int64_t now)
{
	static const char beat[] = ": heartbeat\n\n";
	struct stream    *s;

	(void)arg;
	(void)now;
	TAILQ_FOREACH(s, &streams, in_worker)
	{
		send_raw(s, beat, sizeof(beat) - 1);
		kore_connection_start_idletimer(s->c);
	}
}

int
stream_parent_init(unsigned workers, int node_max)
{
	caps = stream_caps_create(workers, node_max, STREAM_PER_ADDRESS);
	return (caps != NULL ? 0 : -1);
}

int
stream_open_count(void)
{
	return (stream_caps_node(caps));
}

void
stream_init(unsigned slot, int heartbeat)
{
	caps_slot = slot;
	heartbeat_ms = heartbeat;
	/* A worker started again: its streams died with the one before. */
	stream_caps_worker_start(caps, caps_slot);
}

static void
stream_disconnect(struct connection *c)
{
	struct stream      *s = c->hdlr_extra;
	struct stream_post *p;

	if (s == NULL)
		return;
	p = s->post;
	TAILQ_REMOVE(&p->streams, s, in_post);
	TAILQ_REMOVE(&streams, s, in_worker);
	stream_caps_close(caps, caps_slot, s->ticket);
	c->hdlr_extra = NULL;
	c->disconnect = NULL;
	kore_free(s);
	post_release(p);
}

void
stream_changed(const char *key)
{
	struct stream_post *p;

	if (key != NULL) {
		if ((p = post_find(key, 0)) != NULL)
			p->dirty = 1;
	} else {
		TAILQ_FOREACH(p, &posts, list)
		p->dirty = 1;
	}
}

int
stream_fetch_take(const char **key, int64_t *after)
{
	struct stream_post *p;
	struct stream      *s;

	TAILQ_FOREACH(p, &posts, list)
	{
		if (p->dirty && !p->fetching && !TAILQ_EMPTY(&p->streams))
			break;
	}
	if (p == NULL)
		return (0);
	p->dirty = 0;
	p->fetching = 1;
	*after = INT64_MAX;
	TAILQ_FOREACH(s, &p->streams, in_post)
	{
		if (s->last_id < *after)
			*after = s->last_id;
	}
	*key = p->key;
	return (1);
}

/* What an event sends, as JSON; 0 when it sends nothing (a comment no
 * longer shown by the time it is read: its delete event follows). */
static int
event_json(struct buf *b, const struct stream_row *r, const char **name)
{
	buf_reset(b);
	*name = r->kind;
	if (strcmp(r->kind, "delete") == 0) {
		buf_printf(b, "{\"id\":%" PRId64 "}", r->comment_id);
		return (1);
	}
	if (!r->has_comment || r->c.status != STATUS_APPROVED)
		return (0);
	if (strcmp(r->kind, "edit") == 0) {
		buf_printf(b, "{\"id\":%" PRId64 ",\"html\":", r->c.id);
		escape_json_cstr(b, r->c.html);
		buf_puts(b, ",\"edited_at\":");
		escape_json_cstr(b, r->c.edited_at);
		buf_putc(b, '}');
		return (1);
	}
	comment_write_json(b, &r->c);
	return (1);
}

/* Reads the batch's bounds: its first and last event, the post's newest
 * and its count. */
static void
batch_bounds(PGresult *res, int64_t *first, int64_t *last, int64_t *head,
    int64_t *count)
{
	struct stream_row r;
	int               n = PQntuples(res);

	*first = *last = *head = *count = 0;
	if (store_stream_row(res, 0, &r) == 0)
		*first = r.event_id;
	if (store_stream_row(res, n - 1, &r) == 0) {
		*last = r.event_id;
		*head = r.head;
		*count = r.count;
	}
}

/*
 * Sends one post's rows to each of its streams that has not seen them. A
 * full batch was read from the oldest position: a stream still there is
 * more than a batch behind, and is told to reload instead, going on from
 * the post's newest event; the others take what the batch holds for them
 * and the next read goes on.
 */
static void
post_send(struct stream_post *p, PGresult *res)
{
	struct stream_row r;
	struct stream    *s;
	struct buf        json, count;
	const char       *name;
	int               row, full = PQntuples(res) >= STREAM_BATCH;
	int64_t           first, last, head, n_count;

	if (PQntuples(res) == 0)
		return;
	batch_bounds(res, &first, &last, &head, &n_count);
	buf_init(&json);
	buf_init(&count);
	buf_printf(&count, "{\"count\":%" PRId64 "}", n_count);
	TAILQ_FOREACH(s, &p->streams, in_post)
	{
		if (full && s->last_id < first) {
			send_event(s, head, "reset", &count);
			s->last_id = head;
		}
	}
	for (row = 0; store_stream_row(res, row, &r) == 0; row++) {
		if (!event_json(&json, &r, &name))
			continue;
		TAILQ_FOREACH(s, &p->streams, in_post)
		{
			if (s->last_id < r.event_id)
				send_event(s, r.event_id, name, &json);
		}
	}
	TAILQ_FOREACH(s, &p->streams, in_post)
	{
		if (s->last_id < last) {
			send_event(s, last, "count", &count);
			s->last_id = last;
		}
	}
	/* More may wait behind a full batch. */
	if (full)
		p->dirty = 1;
	buf_free(&json);
	buf_free(&count);
}

void
stream_fetched(PGresult *res)
{
	struct stream_post *p;

	TAILQ_FOREACH(p, &posts, list)
	{
		if (p->fetching)
			break;
	}
	if (p == NULL)
		return;
	p->fetching = 0;
	if (res == NULL)
		p->dirty = 1;
	else
		post_send(p, res);
	post_release(p);
}

/* Where a new stream starts: the Last-Event-ID it names, else -1. */
static int64_t
last_event_id(struct http_request *req)
{
	const char *v, *p;
	char       *ep;
	long long   n;

	if (!http_request_header(req, "last-event-id", &v) || *v == '\0')
		return (-1);
	for (p = v; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return (-1);
	}
	n = strtoll(v, &ep, 10);
	return (*ep == '\0' && n >= 0 && p - v < 19 ? n : -1);
}

/* Answers the request with the stream's headers and keeps its
 * connection as the stream. */
static void
subscribe(struct http_request *req, const char *key, int64_t last_id,
    uint32_t ticket, int replay)
{
	static const char hello[] = "retry: 3000\n\n";
	struct stream    *s;

	s = kore_calloc(1, sizeof(*s));
	s->c = req->owner;
	s->last_id = last_id;
	s->ticket = ticket;
	s->post = post_find(key, 1);
	TAILQ_INSERT_TAIL(&s->post->streams, s, in_post);
	TAILQ_INSERT_TAIL(&streams, s, in_worker);
	req->owner->hdlr_extra = s;
	req->owner->disconnect = stream_disconnect;
	req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
	api_common_headers(req);
	http_response_header(req, "content-type", "text/event-stream");
	http_response_header(req, "cache-control", "no-store");
	/* nginx passes it on as it comes. */
	http_response_header(req, "x-accel-buffering", "no");
	api_respond(req, 200, NULL, 0);
	/* A client that said "Connection: close" still gets its stream:
	 * the connection ends when it goes away, not after the headers. */
	req->owner->flags &= ~CONN_CLOSE_EMPTY;
	/* Kore would end a connection that sends no next request within
	 * http_header_timeout, and one idle past its idle timer: a stream
	 * sends, it does not ask. The heartbeats restart the idle timer,
	 * which only a stream whose reader is gone runs out. */
	req->owner->http_timeout = 0;
	req->owner->idle_timer.length = 3 * heartbeat_ms;
	kore_connection_start_idletimer(req->owner);
	send_raw(s, hello, sizeof(hello) - 1);
	if (!heartbeat_on) {
		heartbeat_on = 1;
		(void)kore_timer_add(heartbeat, heartbeat_ms, NULL, 0);
	}
	if (replay) {
		s->post->dirty = 1;
		listen_kick();
	}
}

static void
stream_req_free(struct http_request *req)
{
	struct stream_req *sr = http_state_get(req);

	db_done(&sr->q);
	free(sr->key);
	/* Counted, and gone before it became a stream. */
	if (sr->counted)
		stream_caps_close(caps, caps_slot, sr->ticket);
}

int
handler_stream(struct http_request *req)
{
	struct stream_req       *sr;
	char                     ip[API_IP_MAX];
	int64_t                  last;
	int                      bad, r;
	enum stream_caps_verdict v;

	if (!http_state_exists(req)) {
		if (req->method != HTTP_METHOD_GET) {
			api_method_not_allowed(req, "GET");
			return (KORE_RESULT_OK);
		}
		sr = http_state_create(req, sizeof(*sr), stream_req_free);
		sr->key = query_get(api_query(req), "post", &bad);
		if (bad || sr->key == NULL || *sr->key == '\0' ||
		    strlen(sr->key) > KEY_MAX) {
			api_error(req, 400, "malformed_query",
			    "Name the post: ?post=KEY (1 to 256 bytes).",
			    "post");
			return (KORE_RESULT_OK);
		}
		api_client_ip(req, ip);
		/* Without the channel no change would be heard. */
		v = listen_connected() ?
		    stream_caps_open(caps, caps_slot, ip, &sr->ticket) :
		    STREAM_CAPS_NODE;
		if (v == STREAM_CAPS_ADDRESS) {
			http_response_header(req, "retry-after", RETRY_AFTER);
			api_error(req, 429, "too_many_streams",
			    "Too many live streams from this address.", NULL);
			return (KORE_RESULT_OK);
		}
		if (v != STREAM_CAPS_OK) {
			http_response_header(req, "retry-after", RETRY_AFTER);
			api_error(req, 503, "unavailable",
			    "No live updates now; reload later.", NULL);
			return (KORE_RESULT_OK);
		}
		sr->counted = 1;
	}
	sr = http_state_get(req);
	if ((last = last_event_id(req)) >= 0) {
		sr->counted = 0;
		subscribe(req, sr->key, last, sr->ticket, 1);
		return (KORE_RESULT_OK);
	}
	if (!sr->started) {
		store_stream_head_query(&sr->q, sr->key);
		sr->started = 1;
	}
	if ((r = api_query_ready(req, &sr->q)) != 1)
		return (r == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK);
	last = store_stream_head(&sr->q);
	db_done(&sr->q);
	sr->counted = 0;
	subscribe(req, sr->key, last, sr->ticket, 0);
	return (KORE_RESULT_OK);
}

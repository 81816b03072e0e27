-- What readers with a live stream (GET /api/v1/stream) are sent: each
-- visible change to a post's thread, numbered. The numbers are the
-- streams' event ids: a reconnecting browser names the last it saw
-- (Last-Event-ID) and is sent what came after (stream_since()).
CREATE TABLE stream_events (
    id bigserial PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('comment', 'edit', 'delete')),
    comment_id bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stream_events_post ON stream_events (post_id, id);
CREATE INDEX stream_events_at ON stream_events (at);

-- The site's Atom feed (GET /feed/comments.atom, feed_comments()): the
-- newest approved comments across every post, without reading them all.
CREATE INDEX comments_approved_created ON comments (created_at DESC, id DESC)
    WHERE status = 'approved';

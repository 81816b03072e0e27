-- Threads are paged in SQL (sql/functions/thread.sql): a comment's first
-- replies, oldest first, come from an index on (parent_id, id) instead of
-- reading and sorting all of them, and the count of those left out reads
-- the index only (status and user_id decide what a reader sees). It
-- replaces comments_parent, which it covers, so posting and imports keep
-- the same number of indexes.
CREATE INDEX comments_parent_id ON comments (parent_id, id)
    INCLUDE (status, user_id) WHERE parent_id IS NOT NULL;
DROP INDEX comments_parent;

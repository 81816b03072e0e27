-- The status a comment had before a moderator, the pipeline or its author
-- moved it to spam or the trash, so that "restore" returns it there (a
-- held comment to the queue) instead of publishing it. NULL for comments
-- that were never public or queued, and for those removed before this
-- column existed: restore sends them to the queue, never to the thread.
-- Kept up by the comments_status_before trigger (sql/functions/
-- moderation.sql).
ALTER TABLE comments ADD COLUMN status_before text
    CHECK (status_before IN ('pending', 'approved'));

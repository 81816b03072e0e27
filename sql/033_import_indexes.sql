-- Imports write fewer indexes (issue #14): each imported comment costs an
-- entry in every index of comments, and an import brings hundreds of
-- thousands at once.
--
-- Two indexes serve only checks of the last minutes of posting: the rate
-- limit (rate_wait: a network's comments of the last minute) and
-- duplicates (comment_facts: the same body on the post in the last ten
-- minutes). An imported comment is history, never posted through Parley:
-- those checks leave it out (their queries say import_source IS NULL),
-- and so do these indexes.
DROP INDEX comments_ip_created;
CREATE INDEX comments_ip_created ON comments (ip, created_at)
    WHERE ip IS NOT NULL AND import_source IS NULL;
DROP INDEX comments_post_body;
CREATE INDEX comments_post_body ON comments (post_id, md5(body))
    WHERE import_source IS NULL;

-- The moderation queue and its counts (pending, spam, deleted): approved
-- comments, most of them, are listed newest first by id (comments_pkey)
-- and need no entry here.
DROP INDEX comments_status_id;
CREATE INDEX comments_status_id ON comments (status, id DESC)
    WHERE status <> 'approved';

-- comments_user_created (user_id, created_at) answers everything this
-- one did (an author's comments, ON DELETE SET NULL from users).
DROP INDEX comments_user;

-- An import writes its comments in the file's order, which may put a
-- reply before its parent (a Disqus export often does), in several
-- statements: it defers the parent check to its commit (SET CONSTRAINTS
-- in app/import_store.c). Everything else still checks at once.
ALTER TABLE comments ALTER CONSTRAINT comments_parent_id_fkey
    DEFERRABLE INITIALLY IMMEDIATE;

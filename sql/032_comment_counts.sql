-- Stored counts (issue #17): a post's approved comments (post_counts) and
-- a comment's approved replies (reply_counts), so that a thread's first
-- page costs the same on a post of 100,000 comments as on one of ten.
-- They replace counting where they are read (post_comment_count counted
-- every approved comment of the post, the more_replies counts every
-- reply after those shown).
--
-- Kept by a statement trigger on comments (comment_counts_apply in
-- sql/functions/counts.sql), one change per post and per parent for a
-- whole statement, and by imports themselves (their transaction skips
-- the trigger). A count is the sum of its rows, one per shard:
--   0: every change but imports', made under the post's stream lock
--      (stream_lock), which posting takes anyway for the post's events:
--      whoever changes a shard 0 row already holds that lock, so nobody
--      ever waits for the row itself, and the count adds no wait;
--   1: imports' (one at a time, under import_lock_key()), which take no
--      stream lock: a separate row, so an import never waits for posting
--      on its posts, nor posting for the import's commit.
-- A shard alone may go below zero (a moderator deleting an imported
-- comment); their sum may not.
-- Filled once, where the trigger is created (sql/functions/counts.sql),
-- in its transaction: a comment posted between this file and that one
-- would be missed by a count made here.
CREATE TABLE post_counts (
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	shard		smallint NOT NULL CHECK (shard IN (0, 1)),
	approved	integer NOT NULL,
	PRIMARY KEY (post_id, shard)
) WITH (fillfactor = 50);

CREATE TABLE reply_counts (
	comment_id	bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	shard		smallint NOT NULL CHECK (shard IN (0, 1)),
	approved	integer NOT NULL,
	PRIMARY KEY (comment_id, shard)
) WITH (fillfactor = 50);

-- The counts read no index of comments any more; the replies left out
-- that are not approved (placeholders, one's own held ones) are few,
-- and found in an index of their own, so that a comment's more_replies
-- count reads its stored count and these, not all its replies. Posting
-- keeps the same number of indexes, and approved comments skip this one.
DROP INDEX comments_post_approved;
CREATE INDEX comments_parent_hidden ON comments (parent_id, id)
    INCLUDE (status, user_id)
    WHERE parent_id IS NOT NULL AND status <> 'approved';

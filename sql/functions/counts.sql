-- Stored counts: a post's approved comments and a comment's approved
-- replies (sql/032_comment_counts.sql says why, and what a shard is).

-- Adds changes to the counts: p_n[i] (+1 or -1) approved comments to post
-- p_post[i] and, when p_parent[i] is not NULL, approved replies to that
-- comment, in shard 0 (imports write shard 1 themselves, in
-- app/import_store.c). It takes the posts' stream locks first (free when
-- already held, as by comment_insert and comments_moderate), so that shard
-- 0's rows are only ever changed by the holder of their post's lock.
-- Counts of a post or comment that the same statement deleted are gone
-- with it (their rows cascade), not made again.
-- Dropped first: it took a shard while imports called it too.
DROP FUNCTION IF EXISTS comment_counts_add(bigint[], bigint[], integer[],
	smallint);
CREATE OR REPLACE FUNCTION comment_counts_add(p_post bigint[],
	p_parent bigint[], p_n integer[]) RETURNS void
-- Planned once: plans made for each call's arrays cost more than the
-- writes (posting is one row, and it is most calls).
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
	IF cardinality(p_post) = 1 THEN
		-- One comment: the same, without taking the arrays apart.
		PERFORM stream_lock(p_post[1]);
		INSERT INTO post_counts AS pc (post_id, shard, approved)
		    SELECT p_post[1], 0, p_n[1]
		    WHERE EXISTS (SELECT 1 FROM posts p WHERE p.id = p_post[1])
		    ON CONFLICT (post_id, shard)
		    DO UPDATE SET approved = pc.approved + EXCLUDED.approved;
		IF p_parent[1] IS NOT NULL THEN
			INSERT INTO reply_counts AS rc (comment_id, shard, approved)
			    SELECT p_parent[1], 0, p_n[1]
			    WHERE EXISTS (SELECT 1 FROM comments c
				WHERE c.id = p_parent[1])
			    ON CONFLICT (comment_id, shard)
			    DO UPDATE SET approved = rc.approved + EXCLUDED.approved;
		END IF;
		RETURN;
	END IF;
	PERFORM stream_lock_posts(p_post);
	INSERT INTO post_counts AS pc (post_id, shard, approved)
	    SELECT d.post_id, 0, sum(d.n)
	    FROM unnest(p_post, p_n) AS d(post_id, n)
	    WHERE EXISTS (SELECT 1 FROM posts p WHERE p.id = d.post_id)
	    GROUP BY d.post_id HAVING sum(d.n) <> 0 ORDER BY d.post_id
	    ON CONFLICT (post_id, shard)
	    DO UPDATE SET approved = pc.approved + EXCLUDED.approved;
	INSERT INTO reply_counts AS rc (comment_id, shard, approved)
	    SELECT d.parent, 0, sum(d.n)
	    FROM unnest(p_parent, p_n) AS d(parent, n)
	    WHERE d.parent IS NOT NULL
	      AND EXISTS (SELECT 1 FROM comments c WHERE c.id = d.parent)
	    GROUP BY d.parent HAVING sum(d.n) <> 0 ORDER BY d.parent
	    ON CONFLICT (comment_id, shard)
	    DO UPDATE SET approved = rc.approved + EXCLUDED.approved;
END $$;

-- The trigger: what a statement changed in the counts, once for all its
-- rows (a row trigger would change a post's count once per row, and a
-- row changed many times in one transaction costs more every time: an
-- INSERT of 100,000 comments would take minutes). An UPDATE counts only
-- rows whose status, post or parent changed, to or from approved. Not
-- for imports (the trigger's WHEN): they count theirs in shard 1
-- (app/import_store.c).
CREATE OR REPLACE FUNCTION comment_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_post		bigint[];
	v_parent	bigint[];
	v_n		integer[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(r.post_id), array_agg(r.parent_id),
		    array_agg(1) INTO v_post, v_parent, v_n
		    FROM new_rows r WHERE r.status = 'approved';
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(r.post_id), array_agg(r.parent_id),
		    array_agg(-1) INTO v_post, v_parent, v_n
		    FROM old_rows r WHERE r.status = 'approved';
	ELSE
		SELECT array_agg(x.post_id), array_agg(x.parent_id),
		    array_agg(x.n) INTO v_post, v_parent, v_n
		    FROM old_rows o JOIN new_rows r ON r.id = o.id
		    CROSS JOIN LATERAL (VALUES
			(o.post_id, o.parent_id, -1, o.status),
			(r.post_id, r.parent_id, 1, r.status))
			AS x(post_id, parent_id, n, status)
		    WHERE x.status = 'approved'
		      AND (o.status, o.post_id, o.parent_id) IS DISTINCT FROM
			  (r.status, r.post_id, r.parent_id);
	END IF;
	IF v_post IS NOT NULL THEN
		PERFORM comment_counts_add(v_post, v_parent, v_n);
	END IF;
	RETURN NULL;
END $$;

-- Transition tables allow one event per trigger, and no column list.
CREATE OR REPLACE TRIGGER comments_counts_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (NOT importing())
    EXECUTE FUNCTION comment_counts_apply();
CREATE OR REPLACE TRIGGER comments_counts_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (NOT importing())
    EXECUTE FUNCTION comment_counts_apply();
CREATE OR REPLACE TRIGGER comments_counts_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN (NOT importing())
    EXECUTE FUNCTION comment_counts_apply();

-- A post's approved comments.
CREATE OR REPLACE FUNCTION post_comment_count(p_post_id bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(pc.approved), 0)::integer FROM post_counts pc
	WHERE pc.post_id = p_post_id;
$$;

-- A comment's approved replies.
CREATE OR REPLACE FUNCTION reply_count(p_comment_id bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(rc.approved), 0)::integer FROM reply_counts rc
	WHERE rc.comment_id = p_comment_id;
$$;

-- The counts are filled once, here, after 032_comment_counts made their
-- tables: with the trigger above in place, in this transaction, under a
-- lock that holds writers of comments back until it commits, so that no
-- comment is counted twice or missed. Empty counts beside approved
-- comments happen only then (a trigger or an import makes a row for
-- every approved comment); otherwise this reads two rows and goes on.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM post_counts)
	    AND EXISTS (SELECT 1 FROM comments WHERE status = 'approved') THEN
		LOCK TABLE comments IN SHARE MODE;
		INSERT INTO post_counts (post_id, shard, approved)
		    SELECT c.post_id, 0, count(*) FROM comments c
		    WHERE c.status = 'approved' GROUP BY c.post_id;
		INSERT INTO reply_counts (comment_id, shard, approved)
		    SELECT c.parent_id, 0, count(*) FROM comments c
		    WHERE c.status = 'approved' AND c.parent_id IS NOT NULL
		    GROUP BY c.parent_id;
	END IF;
END $$;

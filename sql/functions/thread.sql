-- A post's thread, paged in SQL so that one request reads what it returns,
-- not the whole post (app/store.c, app/thread.c).

-- Whether reader p_viewer (NULL: anonymous) sees comment p_id: approved,
-- their own pending one, or a placeholder over a reply they see somewhere
-- beneath it (the depth cap bounds the search). Not inlined (it has a
-- subquery): callers test the first two themselves and call it only for
-- the rest, so that a page does not pay a call for every comment.
CREATE OR REPLACE FUNCTION comment_visible(p_id bigint, p_status text,
	p_user_id bigint, p_viewer bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT CASE
	    WHEN p_status = 'approved' THEN true
	    WHEN p_status = 'pending' AND p_user_id = p_viewer THEN true
	    ELSE EXISTS (
		WITH RECURSIVE sub AS (
			SELECT c.id, c.status, c.user_id FROM comments c
			WHERE c.parent_id = p_id
			UNION ALL
			SELECT c.id, c.status, c.user_id
			FROM sub JOIN comments c ON c.parent_id = sub.id)
		SELECT 1 FROM sub WHERE sub.status = 'approved'
		    OR (sub.status = 'pending' AND sub.user_id = p_viewer))
	END
$$;

-- The ids of one page of a thread, each with how many of its visible
-- replies were left out:
--   p_root NULL: the post's visible top-level comments in p_sort order
--     ('oldest', 'newest', 'top') after the cursor (p_score, p_us: its
--     created_at in microseconds since the epoch, p_after: its id; NULL:
--     from the start); p_root set: its visible replies after the reply
--     p_after, oldest first;
--   at most p_limit of them, plus one more (without replies) that only
--     says there is a next page;
--   under each, recursively, its first p_replies visible replies, oldest
--     first; more is the number of the comment's visible replies after
--     them (read from stored counts: see below).
CREATE OR REPLACE FUNCTION thread_page_ids(p_post_id bigint, p_root bigint,
	p_viewer bigint, p_sort text, p_score bigint, p_us bigint,
	p_after bigint, p_limit integer, p_replies integer)
RETURNS TABLE (id bigint, more integer)
-- JIT costs more than such a query (tens of milliseconds).
LANGUAGE plpgsql STABLE ROWS 400 SET jit = off AS $$
DECLARE
	v_at timestamptz := 'epoch'::timestamptz + p_us * interval '1 microsecond';
	v_top bigint[];
BEGIN
	IF p_root IS NOT NULL THEN
		SELECT array_agg(t.id ORDER BY t.id) INTO v_top FROM (
			SELECT c.id FROM comments c
			WHERE c.parent_id = p_root AND c.id > coalesce(p_after, 0)
			  AND (c.status = 'approved' OR comment_visible(c.id,
			      c.status, c.user_id, p_viewer))
			ORDER BY c.id LIMIT p_limit + 1) t;
	ELSIF p_sort = 'newest' THEN
		SELECT array_agg(t.id ORDER BY t.n) INTO v_top FROM (
			SELECT c.id, row_number() OVER () AS n FROM (
				SELECT c.id FROM comments c
				WHERE c.post_id = p_post_id AND c.parent_id IS NULL
				  AND (p_after IS NULL OR
				       (c.created_at, c.id) < (v_at, p_after))
				  AND (c.status = 'approved' OR comment_visible(c.id,
				      c.status, c.user_id, p_viewer))
				ORDER BY c.created_at DESC, c.id DESC
				LIMIT p_limit + 1) c) t;
	ELSIF p_sort = 'top' THEN
		SELECT array_agg(t.id ORDER BY t.n) INTO v_top FROM (
			SELECT c.id, row_number() OVER () AS n FROM (
				SELECT c.id FROM comments c
				WHERE c.post_id = p_post_id AND c.parent_id IS NULL
				  AND (p_after IS NULL OR c.score < p_score OR
				       (c.score = p_score AND
				        (c.created_at, c.id) > (v_at, p_after)))
				  AND (c.status = 'approved' OR comment_visible(c.id,
				      c.status, c.user_id, p_viewer))
				ORDER BY c.score DESC, c.created_at, c.id
				LIMIT p_limit + 1) c) t;
	ELSE
		SELECT array_agg(t.id ORDER BY t.n) INTO v_top FROM (
			SELECT c.id, row_number() OVER () AS n FROM (
				SELECT c.id FROM comments c
				WHERE c.post_id = p_post_id AND c.parent_id IS NULL
				  AND (p_after IS NULL OR
				       (c.created_at, c.id) > (v_at, p_after))
				  AND (c.status = 'approved' OR comment_visible(c.id,
				      c.status, c.user_id, p_viewer))
				ORDER BY c.created_at, c.id
				LIMIT p_limit + 1) c) t;
	END IF;
	IF v_top IS NULL THEN
		RETURN;
	END IF;

	-- The replies left out of a comment that shows p_replies: its
	-- approved ones (all those up to the last shown are shown) from its
	-- stored count (sql/functions/counts.sql), and the others this
	-- reader sees after the last shown, from the index of replies not
	-- approved (comments_parent_hidden), so that neither costs as many
	-- reads as the comment has replies.
	RETURN QUERY
	WITH RECURSIVE tree(id, parent, approved) AS (
		SELECT t.id, NULL::bigint, true
		FROM unnest(v_top[1:p_limit]) AS t(id)
		UNION ALL
		SELECT r.id, tree.id, r.status = 'approved'
		FROM tree CROSS JOIN LATERAL (
			SELECT c.id, c.status FROM comments c
			WHERE c.parent_id = tree.id
			  AND (c.status = 'approved' OR comment_visible(c.id,
			      c.status, c.user_id, p_viewer))
			ORDER BY c.id LIMIT p_replies) r),
	shown AS (
		SELECT tree.parent, count(*) AS n,
		    count(*) FILTER (WHERE tree.approved) AS approved,
		    max(tree.id) AS last
		FROM tree WHERE tree.parent IS NOT NULL GROUP BY tree.parent)
	SELECT tree.id, CASE WHEN s.n >= p_replies THEN
		reply_count(tree.id) - s.approved::integer + (
		SELECT count(*)::integer FROM comments c
		WHERE c.parent_id = tree.id AND c.id > s.last
		  AND c.status <> 'approved'
		  AND comment_visible(c.id, c.status, c.user_id, p_viewer))
	    ELSE 0 END
	FROM tree LEFT JOIN shown s ON s.parent = tree.id
	UNION ALL
	SELECT t.id, 0 FROM unnest(v_top[p_limit + 1:]) AS t(id);
END $$;

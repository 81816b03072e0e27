-- Live streams (app/stream.c): the events readers are sent, recorded in
-- the transaction of the change, so none goes out before its commit and
-- none is lost to a worker that was not listening at the time.

-- A post's event lock, held to the end of the transaction: a post's
-- events are numbered one committed transaction after the other, so a
-- stream that has read up to an id never later sees a lower one commit.
-- Class 16 of the two-int advisory locks (used nowhere else); the post id
-- folded to int4, so two posts may share a lock, which only serialises
-- them. Every function that changes comments takes it before it locks a
-- comment row (comment_insert, comment_change, comment_moderator_edit,
-- comments_moderate), so no transaction holds a row another waits for
-- while it waits for the lock; stream_event takes it too, for any other
-- writer (a second take is free).
CREATE OR REPLACE FUNCTION stream_lock(p_post_id bigint) RETURNS void
LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(16, (p_post_id % 2147483647)::int4);
$$;

-- The locks of several posts, in one order for all (two bulk changes
-- over the same posts cannot wait for each other).
CREATE OR REPLACE FUNCTION stream_lock_posts(p_post_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_k	int4;
BEGIN
	FOR v_k IN SELECT DISTINCT (p % 2147483647)::int4
	    FROM unnest(p_post_ids) p ORDER BY 1 LOOP
		PERFORM pg_advisory_xact_lock(16, v_k);
	END LOOP;
END $$;

-- The locks of the posts of several comments (bulk moderation).
CREATE OR REPLACE FUNCTION stream_lock_comments(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	SELECT stream_lock_posts(ARRAY(SELECT c.post_id FROM comments c
	    WHERE c.id = ANY (p_ids)));
$$;

-- What a reader sees change: a comment becoming visible (approved), an
-- approved comment's text, an approved comment going away. Pending and
-- spam comments make no event. Imports make none either (a thread of
-- thousands at once is a reload, not a stream).
CREATE OR REPLACE FUNCTION stream_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_kind text;
	v_row comments;
BEGIN
	-- Not for an import's comments: the trigger's WHEN (importing()).
	IF TG_OP = 'INSERT' THEN
		v_row := NEW;
		IF NEW.status = 'approved' THEN
			v_kind := 'comment';
		END IF;
	ELSIF TG_OP = 'DELETE' THEN
		v_row := OLD;
		IF OLD.status = 'approved' THEN
			v_kind := 'delete';
		END IF;
	ELSE
		v_row := NEW;
		IF OLD.status <> 'approved' AND NEW.status = 'approved' THEN
			v_kind := 'comment';
		ELSIF OLD.status = 'approved' AND NEW.status <> 'approved' THEN
			v_kind := 'delete';
		ELSIF NEW.status = 'approved'
		    AND NEW.html IS DISTINCT FROM OLD.html THEN
			v_kind := 'edit';
		END IF;
	END IF;
	IF v_kind IS NOT NULL THEN
		-- The id is taken at the insert, the event seen at the commit:
		-- two transactions on one post could commit out of their ids'
		-- order, and a stream already past the later-committed lower id
		-- would never get it. The post's lock, held to the commit,
		-- numbers a post's next event only once the one before is
		-- committed (or rolled back). See stream_lock.
		PERFORM stream_lock(v_row.post_id);
		INSERT INTO stream_events (post_id, kind, comment_id)
		    VALUES (v_row.post_id, v_kind, v_row.id);
		-- Now and then, what no reconnecting browser still needs
		-- goes (a day is far beyond EventSource's retries).
		IF random() < 0.001 THEN
			DELETE FROM stream_events
			    WHERE at < now() - interval '1 day';
		END IF;
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER comments_stream
    AFTER INSERT OR DELETE OR UPDATE OF status, html ON comments
    FOR EACH ROW WHEN (NOT importing()) EXECUTE FUNCTION stream_event();

-- The newest event of a post, 0 if none: where a new stream starts.
CREATE OR REPLACE FUNCTION stream_head(p_key text) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT max(e.id) FROM stream_events e
	    JOIN posts p ON p.id = e.post_id WHERE p.key = p_key), 0);
$$;

-- A post's events after p_after, oldest first, at most p_limit, each with
-- what its event sends: the comment as the thread shows it to anyone, the
-- post's count, and the post's newest event. No row for a post without
-- events.
-- Dropped first: CREATE OR REPLACE cannot change the columns it
-- returns, and they grew while it was young. Nothing depends on it.
DROP FUNCTION IF EXISTS stream_since(text, bigint, integer);
CREATE OR REPLACE FUNCTION stream_since(p_key text, p_after bigint,
	p_limit int)
	RETURNS TABLE (event_id bigint, kind text, id bigint,
	    parent_id bigint, status text, author_name text, author_url text,
	    html text, created_at text, edited_at text, created_us bigint,
	    score integer, role text, avatar_seed text, approved bigint,
	    head bigint, comment_id bigint)
LANGUAGE sql STABLE AS $$
	SELECT e.id, e.kind, c.id, c.parent_id, c.status,
	    coalesce(u.name, c.author_name), c.author_url, c.html,
	    rfc3339(c.created_at), rfc3339(c.edited_at),
	    (extract(epoch FROM c.created_at) * 1000000)::bigint, c.score,
	    coalesce(u.role, 'guest'),
	    avatar_seed(c.user_id, c.author_email, c.author_name),
	    -- Depends on the key alone: counted once, not per row.
	    (SELECT post_comment_count(pc.id)::bigint FROM posts pc
		WHERE pc.key = p_key),
	    -- The newest event: where a reader told to reload goes on.
	    stream_head(p_key),
	    -- Kept when the comment itself is gone for good.
	    e.comment_id
	FROM posts p JOIN stream_events e ON e.post_id = p.id
	LEFT JOIN comments c ON c.id = e.comment_id
	LEFT JOIN users u ON u.id = c.user_id
	WHERE p.key = p_key AND e.id > p_after
	ORDER BY e.id LIMIT p_limit;
$$;


-- A vote names the post it changed.
--
-- The worker that took a vote drops that post's cached answers at once, so
-- the voter's next read shows the new score; it used to drop every answer
-- it held, so any guest could empty a worker's cache with one request a
-- vote. The other workers and nodes hear of the change as before, from
-- the comments trigger (the score is a column of comments), with the
-- post's key. vote_set now also returns that key.

DROP FUNCTION vote_set(bigint, text, integer, bigint);

-- Sets, changes or withdraws (value 0) a vote and returns the score and
-- the key of the comment's post.
-- err: 'not_found' (no such approved comment), 'own_comment'.
CREATE FUNCTION vote_set(p_comment_id bigint, p_voter text, p_value integer,
	p_user_id bigint, OUT err text, OUT score integer, OUT post text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_author	bigint;
	v_old		integer;
BEGIN
	SELECT c.user_id, p.key INTO v_author, post
	    FROM comments c JOIN posts p ON p.id = c.post_id
	    WHERE c.id = p_comment_id AND c.status = 'approved'
	    FOR UPDATE OF c;
	IF NOT FOUND THEN
		err := 'not_found';
		post := NULL;
		RETURN;
	END IF;
	IF p_user_id IS NOT NULL AND v_author = p_user_id THEN
		err := 'own_comment';
		RETURN;
	END IF;
	SELECT v.value INTO v_old FROM votes v
	    WHERE v.comment_id = p_comment_id AND v.voter = p_voter;
	v_old := coalesce(v_old, 0);
	IF p_value = 0 THEN
		DELETE FROM votes WHERE comment_id = p_comment_id
		    AND voter = p_voter;
	ELSE
		INSERT INTO votes (comment_id, voter, value)
		VALUES (p_comment_id, p_voter, p_value)
		ON CONFLICT (comment_id, voter) DO UPDATE SET value = p_value;
	END IF;
	UPDATE comments c SET score = c.score - v_old + p_value
	    WHERE c.id = p_comment_id RETURNING c.score INTO score;
END $$;

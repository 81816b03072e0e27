-- Changes through the readers' endpoints (PATCH and DELETE
-- /api/v1/comments/ID), in one function:
-- * an author may change or remove a held comment and a spam one alike,
--   so the edit token cannot tell the two apart (a spammer learns
--   nothing);
-- * a moderator acting on someone else's comment is audited like the
--   same action from the admin page (comment.edit, comment.trash);
-- * an author's edit is judged again by the content stages: p_status,
--   p_verdict and p_reason, when not NULL, are its new verdict.
-- No row when the comment is gone (or, for authors, already deleted).

CREATE FUNCTION comment_change(p_id bigint, p_actor bigint,
	p_as_moderator boolean, p_delete boolean, p_body text, p_html text,
	p_status text, p_verdict text, p_reason text)
RETURNS TABLE (edited_at timestamptz, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_status	text;
	v_before	jsonb;
BEGIN
	SELECT c.status INTO v_status FROM comments c WHERE c.id = p_id
	    FOR UPDATE;
	IF NOT FOUND OR v_status = 'deleted' OR (NOT p_as_moderator AND
	    v_status NOT IN ('approved', 'pending', 'spam')) THEN
		RETURN;
	END IF;
	v_before := comment_audit_json(p_id);
	IF p_delete THEN
		UPDATE comments c SET status = 'deleted' WHERE c.id = p_id;
	ELSE
		UPDATE comments c SET body = p_body, html = p_html,
		    edited_at = now(),
		    status = coalesce(p_status, c.status),
		    verdict = coalesce(p_verdict, c.verdict),
		    reason = coalesce(p_reason, c.reason)
		    WHERE c.id = p_id;
	END IF;
	IF p_as_moderator THEN
		PERFORM audit(p_actor, CASE WHEN p_delete THEN 'comment.trash'
		    ELSE 'comment.edit' END, 'comment', p_id::text, v_before,
		    comment_audit_json(p_id));
	END IF;
	RETURN QUERY SELECT c.edited_at, c.status FROM comments c
	    WHERE c.id = p_id;
END $$;

-- Replaced by comment_change.
DROP FUNCTION comment_edit(bigint, text, text);

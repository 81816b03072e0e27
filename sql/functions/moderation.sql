-- A comment as moderators see it in the audit log.
CREATE OR REPLACE FUNCTION comment_audit_json(p_id bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('status', status, 'body', body)
	FROM comments WHERE id = p_id;
$$;

-- Bulk moderation. approve/hold/spam/trash/restore change the status
-- (hold: back to the queue; restore: a trashed or spammed comment back to
-- the queue or thread it was in, see comments_status_before); delete
-- removes for good (replies are kept, re-attached to the deleted one's
-- parent).
-- Returns how many comments changed.
CREATE OR REPLACE FUNCTION comments_moderate(p_actor bigint, p_ids bigint[],
	p_action text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_id		bigint;
	v_before	jsonb;
	v_status	text;
	v_target	text;
	v_count		integer := 0;
BEGIN
	-- Before any row's lock (stream_lock).
	PERFORM stream_lock_comments(p_ids);
	FOR v_id IN SELECT DISTINCT unnest(p_ids) ORDER BY 1 LOOP
		SELECT c.status, CASE p_action WHEN 'approve' THEN 'approved'
		    WHEN 'hold' THEN 'pending' WHEN 'spam' THEN 'spam'
		    WHEN 'trash' THEN 'deleted'
		    -- Back where it was before spam or the trash; unknown:
		    -- the queue, so restore never publishes what nobody
		    -- approved.
		    WHEN 'restore' THEN coalesce(c.status_before, 'pending') END
		    INTO v_status, v_target FROM comments c WHERE c.id = v_id
		    FOR UPDATE;
		CONTINUE WHEN NOT FOUND;
		v_before := comment_audit_json(v_id);
		IF p_action = 'delete' THEN
			UPDATE comments SET parent_id = (SELECT parent_id
			    FROM comments WHERE id = v_id)
			    WHERE parent_id = v_id;
			DELETE FROM comments WHERE id = v_id;
			PERFORM audit(p_actor, 'comment.delete', 'comment',
			    v_id::text, v_before, NULL);
			v_count := v_count + 1;
			CONTINUE;
		END IF;
		CONTINUE WHEN v_status = v_target;
		-- Restore brings back what was removed, nothing else.
		CONTINUE WHEN p_action = 'restore' AND
		    v_status NOT IN ('spam', 'deleted');
		UPDATE comments SET status = v_target WHERE id = v_id;
		PERFORM audit(p_actor, 'comment.' || p_action, 'comment',
		    v_id::text, v_before, comment_audit_json(v_id));
		v_count := v_count + 1;
	END LOOP;
	RETURN v_count;
END $$;

-- Remembers where a comment was (queue or thread) when it goes to spam or
-- the trash, whoever moves it, for comments_moderate's restore. Moves
-- between spam and the trash keep what it was before either; a return
-- to the queue or the thread forgets it.
CREATE OR REPLACE FUNCTION comments_status_before() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status IN ('pending', 'approved') THEN
		NEW.status_before := NULL;
	ELSIF OLD.status IN ('pending', 'approved') THEN
		NEW.status_before := OLD.status;
	END IF;
	RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER comments_status_before BEFORE UPDATE OF status
    ON comments FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION comments_status_before();

-- A moderator's edit, audited. No row if the comment does not exist.
CREATE OR REPLACE FUNCTION comment_moderator_edit(p_actor bigint, p_id bigint,
	p_body text, p_html text) RETURNS TABLE (edited_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	v_before	jsonb := comment_audit_json(p_id);
BEGIN
	IF v_before IS NULL THEN
		RETURN;
	END IF;
	-- Before the row's lock (stream_lock).
	PERFORM stream_lock(c.post_id) FROM comments c WHERE c.id = p_id;
	UPDATE comments SET body = p_body, html = p_html,
	    edited_at = now() WHERE id = p_id;
	PERFORM audit(p_actor, 'comment.edit', 'comment', p_id::text,
	    v_before, comment_audit_json(p_id));
	RETURN QUERY SELECT c.edited_at FROM comments c WHERE c.id = p_id;
END $$;

-- Returns the new ban (a caller's own query would not see it yet).
CREATE OR REPLACE FUNCTION ban_create(p_actor bigint, p_kind text, p_value text,
	p_reason text, p_expires timestamptz) RETURNS bans
LANGUAGE plpgsql AS $$
DECLARE
	v_ban	bans;
BEGIN
	INSERT INTO bans (kind, value, reason, expires_at, created_by)
	VALUES (p_kind, CASE WHEN p_kind = 'ip' THEN p_value::cidr::text
	    ELSE p_value END, p_reason, p_expires, p_actor)
	RETURNING * INTO v_ban;
	PERFORM audit(p_actor, 'ban.create', 'ban', v_ban.id::text, NULL,
	    to_jsonb(v_ban));
	RETURN v_ban;
END $$;

CREATE OR REPLACE FUNCTION ban_delete(p_actor bigint, p_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_before	jsonb := (SELECT to_jsonb(b) FROM bans b WHERE b.id = p_id);
BEGIN
	IF v_before IS NULL THEN
		RETURN false;
	END IF;
	DELETE FROM bans WHERE id = p_id;
	PERFORM audit(p_actor, 'ban.delete', 'ban', p_id::text, v_before, NULL);
	RETURN true;
END $$;

-- Opens or closes a post and/or renames it. NULL leaves a field as is.
CREATE OR REPLACE FUNCTION post_update(p_actor bigint, p_key text,
	p_open boolean, p_title text) RETURNS TABLE (key text, title text,
	url text, comment_count integer, open boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_before	jsonb;
BEGIN
	SELECT jsonb_build_object('open', p.open, 'title', p.title)
	    INTO v_before FROM posts p WHERE p.key = p_key FOR UPDATE;
	IF v_before IS NULL THEN
		RETURN;
	END IF;
	UPDATE posts p SET open = coalesce(p_open, p.open),
	    title = coalesce(p_title, p.title) WHERE p.key = p_key;
	PERFORM audit(p_actor, CASE WHEN p_open IS FALSE AND
	    (v_before->>'open')::boolean THEN 'post.close'
	    WHEN p_open IS TRUE AND NOT (v_before->>'open')::boolean
	    THEN 'post.open' ELSE 'post.update' END, 'post', p_key, v_before,
	    (SELECT jsonb_build_object('open', p.open, 'title', p.title)
	    FROM posts p WHERE p.key = p_key));
	RETURN QUERY SELECT p.key, p.title, p.url, post_comment_count(p.id),
	    p.open FROM posts p WHERE p.key = p_key;
END $$;


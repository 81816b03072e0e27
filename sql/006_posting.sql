-- Faster posting on a busy thread.
--
-- A post's approved-comment count was kept in posts.comment_count by a
-- trigger, and comment_create locked the post row: every comment of a
-- post then waited for the previous one's commit to reach the disk. The
-- count is now counted where it is read (an index-only count; answers are
-- cached by the workers anyway), and no comment locks its post.
--
-- The duplicate check read every comment the post got in ten minutes;
-- it now finds identical bodies of the post through an index.

DROP TRIGGER comments_count ON comments;
DROP FUNCTION comments_count_trigger();

CREATE INDEX comments_post_approved ON comments (post_id)
    WHERE status = 'approved';
CREATE INDEX comments_post_body ON comments (post_id, md5(body));

CREATE FUNCTION post_comment_count(p_post_id bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT count(*)::integer FROM comments
	WHERE post_id = p_post_id AND status = 'approved';
$$;

-- post_update returned the stored count.
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

ALTER TABLE posts DROP COLUMN comment_count;

CREATE OR REPLACE FUNCTION comment_facts(p_key text, p_user_id bigint,
	p_email text, p_ip inet, p_body text, p_author_name text,
	OUT settings jsonb, OUT post_open boolean, OUT ban_kind text,
	OUT ban_reason text, OUT rate_wait integer, OUT duplicate boolean,
	OUT prior_approved boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_post	posts%ROWTYPE;
BEGIN
	settings := settings_json();
	SELECT * INTO v_post FROM posts p WHERE p.key = p_key;
	post_open := coalesce(v_post.open, true);
	SELECT b.kind, b.reason INTO ban_kind, ban_reason
	    FROM ban_find(p_user_id, p_email, p_ip) b;
	rate_wait := public.rate_wait(p_user_id, p_ip,
	    (settings->>'rate_limit_per_minute')::integer);
	-- The same author posting the same text under the same post lately.
	SELECT EXISTS (SELECT 1 FROM comments c
	    WHERE c.post_id = v_post.id AND md5(c.body) = md5(p_body)
	    AND c.body = p_body
	    AND c.created_at > now() - interval '10 minutes'
	    AND c.status <> 'deleted'
	    AND CASE WHEN p_user_id IS NOT NULL THEN c.user_id = p_user_id
	        WHEN p_email IS NOT NULL THEN lower(c.author_email) = lower(p_email)
	        ELSE c.ip IS NOT DISTINCT FROM p_ip
	        AND c.author_name = p_author_name END)
	    INTO duplicate;
	SELECT p_email IS NOT NULL AND EXISTS (SELECT 1 FROM comments c
	    WHERE lower(c.author_email) = lower(p_email)
	    AND c.status = 'approved')
	    INTO prior_approved;
END $$;

-- comment_create, without locking the post row.
CREATE OR REPLACE FUNCTION comment_create(
	p_key text, p_title text, p_url text, p_parent_id bigint,
	p_max_depth integer, p_user_id bigint, p_author_name text,
	p_author_email text, p_author_url text, p_body text, p_html text,
	p_status text, p_ip inet, p_edit_token_hash bytea,
	p_verdict text, p_reason text, p_rate_limit integer,
	OUT err text, OUT comment_id bigint, OUT parent_id bigint,
	OUT created_at timestamptz, OUT avatar_seed text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_post		posts%ROWTYPE;
	v_parent	bigint := p_parent_id;
	v_depth		integer;
	v_up		bigint;
BEGIN
	IF p_user_id IS NULL AND p_author_email IS NOT NULL AND EXISTS (
	    SELECT 1 FROM users u WHERE lower(u.email) = lower(p_author_email))
	THEN
		err := 'email_taken';
		RETURN;
	END IF;

	IF p_rate_limit > 0 THEN
		PERFORM pg_advisory_xact_lock(hashtextextended(
		    'rate:' || coalesce(p_ip::text, '-'), 0));
		IF p_user_id IS NOT NULL THEN
			PERFORM pg_advisory_xact_lock(hashtextextended(
			    'rate:u:' || p_user_id, 0));
		END IF;
		IF rate_wait(p_user_id, p_ip, p_rate_limit) > 0 THEN
			err := 'rate_limited';
			RETURN;
		END IF;
	END IF;

	SELECT * INTO v_post FROM posts WHERE key = p_key;

	IF p_parent_id IS NOT NULL THEN
		SELECT c.depth INTO v_depth FROM comments c
		    WHERE c.id = p_parent_id AND c.post_id = v_post.id
		    AND (c.status = 'approved' OR (c.status = 'pending'
		    AND c.user_id = p_user_id));
		IF NOT FOUND OR v_post.id IS NULL THEN
			err := 'parent_not_found';
			RETURN;
		END IF;
		WHILE v_parent IS NOT NULL AND v_depth + 1 >= p_max_depth LOOP
			SELECT c.parent_id INTO v_up FROM comments c
			    WHERE c.id = v_parent;
			v_parent := v_up;
			v_depth := v_depth - 1;
		END LOOP;
	END IF;

	IF v_post.id IS NOT NULL AND NOT v_post.open THEN
		err := 'post_closed';
		RETURN;
	END IF;

	IF v_post.id IS NULL THEN
		INSERT INTO posts (key, title, url) VALUES (p_key, p_title, p_url)
		    ON CONFLICT (key) DO NOTHING;
		SELECT * INTO v_post FROM posts WHERE key = p_key;
		IF NOT v_post.open THEN
			err := 'post_closed';
			RETURN;
		END IF;
	ELSIF v_post.title = '' AND p_title <> '' THEN
		UPDATE posts SET title = p_title, url = p_url WHERE id = v_post.id;
	END IF;

	INSERT INTO comments (post_id, parent_id, depth, user_id, author_name,
	    author_email, author_url, body, html, status, ip, edit_token_hash,
	    verdict, reason)
	VALUES (v_post.id, v_parent,
	    CASE WHEN v_parent IS NULL THEN 0 ELSE v_depth + 1 END,
	    p_user_id, p_author_name, p_author_email, p_author_url, p_body,
	    p_html, p_status, p_ip, p_edit_token_hash, p_verdict, p_reason)
	RETURNING comments.id, comments.parent_id, comments.created_at,
	    public.avatar_seed(p_user_id, p_author_email, p_author_name)
	    INTO comment_id, parent_id, created_at, avatar_seed;
END $$;

-- Failed-login throttling that parallel guesses cannot outrun: each
-- attempt is counted before its password is checked, under a lock per
-- account and per address, and given back when the login succeeds.
-- Also: a reply may only go under an approved comment, or under the
-- replier's own held one (others' held comments stay invisible).

CREATE OR REPLACE FUNCTION login_lookup(p_email text, p_ip text,
	p_window_seconds integer, p_max_ip integer, p_max_account integer,
	OUT id bigint, OUT password_hash text, OUT name text, OUT email text,
	OUT role text, OUT retry_after integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_since	timestamptz := now() - make_interval(secs => p_window_seconds);
	v_wait	double precision := 0;
	v_at	timestamptz;
BEGIN
	-- Concurrent attempts on one account or from one address queue here,
	-- so each one sees the attempts before it.
	PERFORM pg_advisory_xact_lock(hashtextextended('login:a:' ||
	    lower(p_email), 0));
	PERFORM pg_advisory_xact_lock(hashtextextended('login:i:' || p_ip, 0));

	SELECT u.id, u.password_hash, u.name, u.email, u.role
	    INTO id, password_hash, name, email, role
	    FROM users u WHERE lower(u.email) = lower(p_email);

	SELECT f.at INTO v_at FROM login_failures f
	    WHERE f.kind = 'ip' AND f.key = p_ip AND f.at > v_since
	    ORDER BY f.at DESC OFFSET p_max_ip - 1 LIMIT 1;
	IF FOUND THEN
		v_wait := greatest(v_wait, extract(epoch FROM
		    v_at + make_interval(secs => p_window_seconds) - now()));
	END IF;
	SELECT f.at INTO v_at FROM login_failures f
	    WHERE f.kind = 'account' AND f.key = lower(p_email)
	    AND f.at > v_since
	    ORDER BY f.at DESC OFFSET p_max_account - 1 LIMIT 1;
	IF FOUND THEN
		v_wait := greatest(v_wait, extract(epoch FROM
		    v_at + make_interval(secs => p_window_seconds) - now()));
	END IF;
	retry_after := ceil(v_wait)::integer;
	IF retry_after > 0 THEN
		RETURN;
	END IF;

	-- Counted as failed until the password proves otherwise.
	DELETE FROM login_failures WHERE at < now() - interval '1 day';
	INSERT INTO login_failures (kind, key) VALUES
	    ('ip', p_ip), ('account', lower(p_email));
END $$;

-- After a successful login: the attempt was not a failure after all.
DROP FUNCTION session_create(bigint, bytea, integer, text);
CREATE FUNCTION session_create(p_user_id bigint, p_token_hash bytea,
	p_ttl_seconds integer, p_new_hash text, p_ip text,
	OUT id bigint, OUT name text, OUT email text, OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF p_new_hash IS NOT NULL THEN
		UPDATE users SET password_hash = p_new_hash WHERE id = p_user_id;
	END IF;
	INSERT INTO sessions (token_hash, user_id, expires_at)
	VALUES (p_token_hash, p_user_id,
	    now() + make_interval(secs => p_ttl_seconds));
	SELECT u.id, u.name, u.email, u.role INTO id, name, email, role
	    FROM users u WHERE u.id = p_user_id;
	DELETE FROM login_failures
	    WHERE kind = 'account' AND key = lower(email);
	DELETE FROM login_failures WHERE id = (SELECT f.id
	    FROM login_failures f WHERE f.kind = 'ip' AND f.key = p_ip
	    ORDER BY f.at DESC LIMIT 1);
END $$;

DROP FUNCTION login_failed(text, text);

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

	SELECT * INTO v_post FROM posts WHERE key = p_key FOR UPDATE;

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
		SELECT * INTO v_post FROM posts WHERE key = p_key FOR UPDATE;
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

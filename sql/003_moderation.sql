-- Moderation: settings, bans, the verdict stored with each comment, the
-- facts the pipeline needs in one round trip, and the audit log.

CREATE TABLE settings (
	name		text PRIMARY KEY,
	value		jsonb NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (name, value) VALUES
	('require_approval', 'false'),
	('first_comment_approval', 'true'),
	('max_links', '2'),
	('hold_words', '[]'),
	('disallowed_words', '[]'),
	('rate_limit_per_minute', '5'),
	('edit_window_seconds', '900'),
	('max_depth', '5'),
	('allow_guests', 'true');

CREATE FUNCTION settings_json() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_object_agg(name, value), '{}') FROM settings;
$$;

CREATE TABLE bans (
	id		bigserial PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('account', 'email', 'ip')),
	value		text NOT NULL,
	reason		text NOT NULL DEFAULT '',
	expires_at	timestamptz,
	created_by	bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	-- An IP ban holds an address or a CIDR block.
	CHECK (kind <> 'ip' OR value::cidr IS NOT NULL)
);
CREATE INDEX bans_kind ON bans (kind);

CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	actor_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	actor_name	text NOT NULL,
	action		text NOT NULL,
	target_type	text NOT NULL,
	target_id	text NOT NULL,
	before		jsonb,
	after		jsonb,
	at		timestamptz NOT NULL DEFAULT now()
);

-- The audit log is append-only, whoever asks.
CREATE FUNCTION audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

CREATE INDEX comments_ip_created ON comments (ip, created_at)
    WHERE ip IS NOT NULL;
CREATE INDEX comments_user_created ON comments (user_id, created_at)
    WHERE user_id IS NOT NULL;
CREATE INDEX comments_email_approved ON comments (lower(author_email))
    WHERE status = 'approved' AND author_email IS NOT NULL;
CREATE INDEX comments_status_id ON comments (status, id DESC);

-- The first unexpired ban that matches an account, e-mail or IP.
CREATE FUNCTION ban_find(p_user_id bigint, p_email text, p_ip inet,
	OUT id bigint, OUT kind text, OUT reason text)
LANGUAGE sql STABLE AS $$
	SELECT b.id, b.kind, b.reason FROM bans b
	WHERE (b.expires_at IS NULL OR b.expires_at > now())
	AND ((b.kind = 'account' AND b.value = p_user_id::text)
	    OR (b.kind = 'email' AND lower(b.value) = lower(p_email))
	    OR (b.kind = 'ip' AND p_ip <<= b.value::inet))
	ORDER BY b.id LIMIT 1;
$$;

-- Seconds until one more comment is allowed, when the last minute already
-- holds p_limit comments from this IP or this account; 0 otherwise.
CREATE FUNCTION rate_wait(p_user_id bigint, p_ip inet, p_limit integer)
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_at	timestamptz;
	v_wait	double precision := 0;
BEGIN
	IF p_limit <= 0 THEN
		RETURN 0;
	END IF;
	IF p_ip IS NOT NULL THEN
		SELECT c.created_at INTO v_at FROM comments c
		    WHERE c.ip = p_ip AND c.created_at > now() - interval '1 minute'
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
		IF FOUND THEN
			v_wait := extract(epoch FROM v_at + interval '1 minute' - now());
		END IF;
	END IF;
	IF p_user_id IS NOT NULL THEN
		SELECT c.created_at INTO v_at FROM comments c
		    WHERE c.user_id = p_user_id
		    AND c.created_at > now() - interval '1 minute'
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
		IF FOUND THEN
			v_wait := greatest(v_wait, extract(epoch FROM
			    v_at + interval '1 minute' - now()));
		END IF;
	END IF;
	RETURN greatest(ceil(v_wait), 0)::integer;
END $$;

-- Everything the pipeline needs to judge a new comment, in one row.
CREATE FUNCTION comment_facts(p_key text, p_user_id bigint, p_email text,
	p_ip inet, p_body text, p_author_name text,
	OUT settings jsonb, OUT post_open boolean, OUT ban_kind text,
	OUT ban_reason text, OUT rate_wait integer, OUT duplicate boolean,
	OUT prior_approved boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	settings := settings_json();
	SELECT coalesce((SELECT p.open FROM posts p WHERE p.key = p_key), true)
	    INTO post_open;
	SELECT b.kind, b.reason INTO ban_kind, ban_reason
	    FROM ban_find(p_user_id, p_email, p_ip) b;
	rate_wait := public.rate_wait(p_user_id, p_ip,
	    (settings->>'rate_limit_per_minute')::integer);
	-- The same author posting the same text under the same post lately.
	SELECT EXISTS (SELECT 1 FROM comments c JOIN posts p ON p.id = c.post_id
	    WHERE p.key = p_key AND c.body = p_body
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

-- comment_create now stores the pipeline's verdict and reason, and checks
-- the rate limit again under a lock, so concurrent requests on several
-- workers or nodes cannot slip past it together.
DROP FUNCTION comment_create(text, text, text, bigint, integer, bigint, text,
    text, text, text, text, text, inet, bytea);

CREATE FUNCTION comment_create(
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
		    AND c.status IN ('approved', 'pending');
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

-- An audit entry; every moderator action writes one in its transaction.
CREATE FUNCTION audit(p_actor bigint, p_action text, p_type text,
	p_target text, p_before jsonb, p_after jsonb) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO audit_log (actor_id, actor_name, action, target_type,
	    target_id, before, after)
	SELECT p_actor, coalesce((SELECT name || ' <' || email || '>'
	    FROM users WHERE id = p_actor), 'system'), p_action, p_type,
	    p_target, p_before, p_after;
$$;

-- A comment as moderators see it in the audit log.
CREATE FUNCTION comment_audit_json(p_id bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('status', status, 'body', body)
	FROM comments WHERE id = p_id;
$$;

-- Bulk moderation. approve/spam/trash/restore change the status (restore
-- brings trashed or spammed comments back as approved); delete removes
-- for good (replies are kept, re-attached to the deleted one's parent).
-- Returns how many comments changed.
CREATE FUNCTION comments_moderate(p_actor bigint, p_ids bigint[],
	p_action text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_id		bigint;
	v_before	jsonb;
	v_status	text;
	v_count		integer := 0;
	v_target	text := CASE p_action WHEN 'approve' THEN 'approved'
			    WHEN 'spam' THEN 'spam' WHEN 'trash' THEN 'deleted'
			    WHEN 'restore' THEN 'approved' END;
BEGIN
	FOR v_id IN SELECT DISTINCT unnest(p_ids) ORDER BY 1 LOOP
		SELECT c.status INTO v_status FROM comments c WHERE c.id = v_id
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
		CONTINUE WHEN p_action = 'restore' AND v_status = 'pending';
		UPDATE comments SET status = v_target WHERE id = v_id;
		PERFORM audit(p_actor, 'comment.' || p_action, 'comment',
		    v_id::text, v_before, comment_audit_json(v_id));
		v_count := v_count + 1;
	END LOOP;
	RETURN v_count;
END $$;

-- A moderator's edit, audited. No row if the comment does not exist.
CREATE FUNCTION comment_moderator_edit(p_actor bigint, p_id bigint,
	p_body text, p_html text) RETURNS TABLE (edited_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	v_before	jsonb := comment_audit_json(p_id);
BEGIN
	IF v_before IS NULL THEN
		RETURN;
	END IF;
	UPDATE comments SET body = p_body, html = p_html,
	    edited_at = now() WHERE id = p_id;
	PERFORM audit(p_actor, 'comment.edit', 'comment', p_id::text,
	    v_before, comment_audit_json(p_id));
	RETURN QUERY SELECT c.edited_at FROM comments c WHERE c.id = p_id;
END $$;

-- Applies a validated subset of settings, audited; returns them all.
CREATE FUNCTION settings_update(p_actor bigint, p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_before	jsonb := settings_json();
	v_key		text;
BEGIN
	FOR v_key IN SELECT jsonb_object_keys(p_changes) LOOP
		UPDATE settings SET value = p_changes->v_key, updated_at = now()
		    WHERE name = v_key;
	END LOOP;
	PERFORM audit(p_actor, 'settings.update', 'settings', 'settings',
	    v_before, settings_json());
	RETURN settings_json();
END $$;

-- Returns the new ban (a caller's own query would not see it yet).
CREATE FUNCTION ban_create(p_actor bigint, p_kind text, p_value text,
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

CREATE FUNCTION ban_delete(p_actor bigint, p_id bigint) RETURNS boolean
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
CREATE FUNCTION post_update(p_actor bigint, p_key text, p_open boolean,
	p_title text) RETURNS TABLE (key text, title text, url text,
	comment_count integer, open boolean)
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
	RETURN QUERY SELECT p.key, p.title, p.url, p.comment_count, p.open
	    FROM posts p WHERE p.key = p_key;
END $$;

-- Changes a role; the last admin cannot be demoted. err: 'not_found',
-- 'last_admin'.
CREATE FUNCTION user_set_role(p_actor bigint, p_id bigint, p_role text,
	OUT err text, OUT id bigint, OUT name text, OUT email text,
	OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_old	text;
BEGIN
	SELECT u.role INTO v_old FROM users u WHERE u.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		err := 'not_found';
		RETURN;
	END IF;
	IF v_old = 'admin' AND p_role <> 'admin' AND (SELECT count(*)
	    FROM users u WHERE u.role = 'admin') <= 1 THEN
		err := 'last_admin';
		RETURN;
	END IF;
	UPDATE users u SET role = p_role WHERE u.id = p_id;
	IF v_old <> p_role THEN
		PERFORM audit(p_actor, 'user.role', 'user', p_id::text,
		    jsonb_build_object('role', v_old),
		    jsonb_build_object('role', p_role));
	END IF;
	SELECT u.id, u.name, u.email, u.role INTO id, name, email, role
	    FROM users u WHERE u.id = p_id;
END $$;

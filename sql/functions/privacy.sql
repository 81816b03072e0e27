-- Privacy: what Parley holds about a commenter, exported and erased on
-- request, and network addresses forgotten after ip_retention_days.
-- Tables: sql/029_privacy.sql. Handlers: app/handler_privacy.c.
--
-- Who may ask for what:
--   a member (session; erase also needs the password): their account,
--     its sessions, votes, subscription and the comments posted logged in;
--   a guest (a link mailed to the address): the comments posted as a
--     guest with that address, and the address's subscription. Not an
--     account with that address: accounts' addresses are not proved, and
--     an account is its password's to export or erase;
--   a moderator (the admin page): both, for an address.

-- --------------------------------------------------------- requests

-- POST /api/v1/privacy/request: the same insert whoever asks, whatever the
-- address holds, so neither the answer nor its time tells anything. The
-- deliverer looks at it (privacy_requests_take).
CREATE OR REPLACE FUNCTION privacy_request(p_email text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO privacy_requests (email) VALUES (p_email)
	    ON CONFLICT (lower(email)) DO NOTHING;
	PERFORM mail_wake();
END $$;

-- The comments a guest posted with p_email.
CREATE OR REPLACE FUNCTION privacy_guest_comments(p_email text)
RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
	SELECT c.id FROM comments c
	WHERE lower(c.author_email) = lower(p_email) AND c.user_id IS NULL;
$$;

-- Whether a guest's link for p_email would find anything.
CREATE OR REPLACE FUNCTION privacy_has_data(p_email text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM privacy_guest_comments(p_email))
	    OR EXISTS (SELECT 1 FROM mail_addresses a
	        WHERE lower(a.email) = lower(p_email));
$$;

-- The deliverer's step before it claims mail: each request becomes a
-- mailed link if its address has data and may be mailed, at most one per
-- address every 10 minutes (a pending one tells the same); every request
-- is then forgotten. Returns how many requests were read.
CREATE OR REPLACE FUNCTION privacy_requests_take(p_limit integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v mail_addresses%ROWTYPE;
	n integer := 0;
BEGIN
	FOR r IN DELETE FROM privacy_requests WHERE id IN (
	    SELECT q.id FROM privacy_requests q ORDER BY q.id
	    FOR UPDATE SKIP LOCKED LIMIT p_limit) RETURNING email
	LOOP
		n := n + 1;
		CONTINUE WHEN mail_suppressed(r.email)
		    OR NOT privacy_has_data(r.email);
		v := mail_address(r.email);
		IF NOT EXISTS (SELECT 1 FROM mail_outbox o
		    WHERE o.address_id = v.id AND o.kind = 'privacy'
		    AND (o.state = 'pending'
		        OR o.created_at > now() - interval '10 minutes')) THEN
			PERFORM mail_queue(v.id, 'privacy', now());
		END IF;
	END LOOP;
	RETURN n;
END $$;

-- ----------------------------------------------------------- export

-- Comments as their author gets them back.
CREATE OR REPLACE FUNCTION privacy_comments_json(p_ids bigint[]) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object(
	    'id', c.id,
	    'post', jsonb_build_object('key', p.key, 'url', p.url,
	        'title', p.title),
	    'parent_id', c.parent_id,
	    'author_name', c.author_name, 'author_email', c.author_email,
	    'author_url', c.author_url, 'ip', host(c.ip),
	    'body', c.body, 'status', c.status, 'score', c.score,
	    'notify_replies', c.notify,
	    'created_at', rfc3339(c.created_at),
	    'edited_at', rfc3339(c.edited_at)) ORDER BY c.id), '[]'::jsonb)
	FROM comments c JOIN posts p ON p.id = c.post_id
	WHERE c.id = ANY (p_ids);
$$;

-- The subscriptions of the addresses (lower case), and the consent they
-- record.
CREATE OR REPLACE FUNCTION privacy_subscriptions_json(p_emails text[])
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object(
	    'email', a.email, 'state', a.state,
	    'created_at', rfc3339(a.created_at),
	    'confirmed_at', rfc3339(a.confirmed_at),
	    'last_replies_mail_at', rfc3339(a.replies_sent_at),
	    'last_digest_at', rfc3339(a.digest_sent_at))), '[]'::jsonb)
	FROM mail_addresses a WHERE lower(a.email) = ANY (p_emails);
$$;

-- Everything held about a guest address (p_email) and/or an account
-- (p_user), as the JSON a person downloads. Either may be NULL.
CREATE OR REPLACE FUNCTION privacy_export(p_email text, p_user bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	u users%ROWTYPE;
	v_ids bigint[];
	v_consent jsonb := '[]'::jsonb;
	v_out jsonb;
BEGIN
	IF p_user IS NOT NULL THEN
		SELECT * INTO u FROM users WHERE id = p_user;
	END IF;
	v_ids := ARRAY(SELECT c.id FROM comments c WHERE u.id IS NOT NULL
	    AND c.user_id = u.id
	    UNION SELECT g FROM privacy_guest_comments(p_email) g
	    WHERE p_email IS NOT NULL);
	-- Consent: to reply mail, given per guest comment or by a member's
	-- switch, and each address's confirmation.
	SELECT coalesce(jsonb_agg(x ORDER BY x->>'at'), '[]'::jsonb)
	    INTO v_consent FROM (
	    SELECT jsonb_build_object('what', 'reply notifications by e-mail',
	        'how', 'asked for with comment ' || c.id,
	        'at', rfc3339(c.created_at)) x
	    FROM comments c WHERE c.id = ANY (v_ids) AND c.notify
	    UNION ALL
	    SELECT jsonb_build_object('what', 'e-mail to ' || a.email,
	        'how', 'confirmed by the link mailed to it',
	        'at', rfc3339(a.confirmed_at))
	    FROM mail_addresses a WHERE a.confirmed_at IS NOT NULL
	    AND lower(a.email) IN (lower(p_email), lower(u.email))) s;
	v_out := jsonb_build_object(
	    'format', 'parley-personal-data/1',
	    'exported_at', rfc3339(now()),
	    'email', coalesce(p_email, u.email),
	    'account', CASE WHEN u.id IS NULL THEN NULL ELSE jsonb_build_object(
	        'id', u.id, 'name', u.name, 'email', u.email, 'role', u.role,
	        'created_at', rfc3339(u.created_at),
	        'notify_replies', u.notify_replies,
	        'mail_held', u.mail_held) END,
	    'sessions', CASE WHEN u.id IS NULL THEN '[]'::jsonb ELSE
	        (SELECT coalesce(jsonb_agg(jsonb_build_object(
	            'created_at', rfc3339(s.created_at),
	            'last_used_at', rfc3339(s.last_seen),
	            'expires_at', rfc3339(s.expires_at))
	            ORDER BY s.created_at), '[]'::jsonb)
	        FROM sessions s WHERE s.user_id = u.id) END,
	    'comments', privacy_comments_json(v_ids),
	    'votes', CASE WHEN u.id IS NULL THEN '[]'::jsonb ELSE
	        (SELECT coalesce(jsonb_agg(jsonb_build_object(
	            'comment_id', v.comment_id, 'post', p.key,
	            'value', v.value, 'at', rfc3339(v.created_at))
	            ORDER BY v.comment_id), '[]'::jsonb)
	        FROM votes v JOIN comments c ON c.id = v.comment_id
	        JOIN posts p ON p.id = c.post_id
	        WHERE v.voter = 'u:' || u.id) END,
	    'subscriptions', privacy_subscriptions_json(ARRAY[lower(p_email),
	        lower(u.email)]),
	    'consent', v_consent,
	    'notes', jsonb_build_array(
	        'A guest''s votes are kept under a keyed hash of the network '
	        'address they came from, not under an e-mail address, so they '
	        'cannot be found from one; they lose even that hash after '
	        'ip_retention_days.',
	        'Network addresses are kept ip_retention_days (' ||
	        coalesce((SELECT value::text FROM settings
	            WHERE name = 'ip_retention_days'), '90') ||
	        ' days here), then cleared.'));
	RETURN v_out;
END $$;

-- ------------------------------------------------------------ erase

-- An audit entry's comment, with its text gone.
CREATE OR REPLACE FUNCTION privacy_redact(p jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p ? 'body' THEN p || '{"body": "[erased]"}'::jsonb
	    ELSE p END;
$$;

-- Erases a guest address's data (p_email) and/or an account (p_user), for
-- p_by ('self', 'link' or 'moderator'; p_actor is the moderator). In one
-- transaction:
--   comments with replies become placeholders (name, e-mail, URL, address
--   and text cleared, status deleted, their votes gone); the others are
--   deleted, leaves first, so a chain of the person's own replies goes
--   whole;
--   the account's votes go and the scores they counted in are counted
--   again; the account goes with its sessions and known networks, and the
--   registration records of those networks;
--   subscriptions, queued mail, mail tokens, failed logins and pending
--   requests of the addresses go; each address is suppressed by its hash;
--   audit entries about the comments lose their text, those the account
--   made lose its name; hook events still queued about the comments lose
--   everything but the ids;
--   one commenter.erased event tells the blog's own systems, and the
--   audit log records the erasure under the address's hash.
-- Returns what was done, as counts.
CREATE OR REPLACE FUNCTION privacy_erase(p_email text, p_user bigint,
	p_by text, p_actor bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_emails text[];
	v_ids bigint[];
	v_round bigint[];
	v_deleted bigint[] := '{}';
	v_kept bigint[];
	v_voted bigint[] := '{}';
	v_hash text;
	v_summary jsonb;
BEGIN
	PERFORM set_config('parley.erasing', 'on', true);
	v_emails := ARRAY(SELECT DISTINCT lower(e) FROM unnest(ARRAY[p_email,
	    (SELECT u.email FROM users u WHERE u.id = p_user)]) e
	    WHERE e IS NOT NULL);
	v_hash := encode(mail_email_hash(coalesce(p_email, v_emails[1], '')),
	    'hex');
	v_ids := ARRAY(SELECT c.id FROM comments c WHERE p_user IS NOT NULL
	    AND c.user_id = p_user
	    UNION SELECT g FROM privacy_guest_comments(p_email) g
	    WHERE p_email IS NOT NULL);
	PERFORM 1 FROM comments WHERE id = ANY (v_ids) FOR UPDATE;

	IF p_user IS NOT NULL THEN
		WITH gone AS (DELETE FROM votes WHERE voter = 'u:' || p_user
		    RETURNING comment_id)
		SELECT coalesce(array_agg(DISTINCT comment_id), '{}')
		    INTO v_voted FROM gone;
	END IF;

	LOOP
		WITH gone AS (DELETE FROM comments c WHERE c.id = ANY (v_ids)
		    AND NOT EXISTS (SELECT 1 FROM comments r
		        WHERE r.parent_id = c.id)
		    RETURNING c.id)
		SELECT array_agg(id) INTO v_round FROM gone;
		EXIT WHEN v_round IS NULL;
		v_deleted := v_deleted || v_round;
	END LOOP;
	v_kept := ARRAY(SELECT unnest(v_ids) EXCEPT SELECT unnest(v_deleted));
	DELETE FROM votes WHERE comment_id = ANY (v_kept);
	UPDATE comments SET author_name = '', author_email = NULL,
	    author_url = NULL, ip = NULL, body = '', html = '',
	    status = 'deleted', verdict = NULL, reason = NULL,
	    edit_token_hash = NULL, user_id = NULL, notify = false, score = 0,
	    edited_at = NULL
	    WHERE id = ANY (v_kept);
	-- The trigger kept where they were, for a restore: nothing is left
	-- to restore.
	UPDATE comments SET status_before = NULL WHERE id = ANY (v_kept);
	UPDATE comments c SET score = coalesce((SELECT sum(v.value)
	    FROM votes v WHERE v.comment_id = c.id), 0)
	    WHERE c.id = ANY (v_voted);

	UPDATE audit_log SET before = privacy_redact(before),
	    after = privacy_redact(after)
	    WHERE target_type = 'comment'
	    AND target_id = ANY (ARRAY(SELECT unnest(v_ids)::text));
	UPDATE events SET data = jsonb_build_object('comment',
	    jsonb_build_object('id', (data->'comment'->>'id')::bigint,
	    'post', data->'comment'->'post', 'erased', true))
	    WHERE type LIKE 'comment.%'
	    AND (data->'comment'->>'id')::bigint = ANY (v_ids);

	IF p_user IS NOT NULL THEN
		-- The networks it registered or logged in from: their
		-- registration records go too (the throttle forgets one
		-- erasure's worth of them).
		DELETE FROM register_attempts WHERE net IN (SELECT n.net
		    FROM login_nets n WHERE n.user_id = p_user);
		UPDATE audit_log SET actor_name = 'an erased account'
		    WHERE actor_id = p_user;
		DELETE FROM users WHERE id = p_user;
	END IF;
	DELETE FROM mail_addresses WHERE lower(email) = ANY (v_emails);
	DELETE FROM privacy_requests WHERE lower(email) = ANY (v_emails);
	DELETE FROM auth_failures WHERE account = ANY (v_emails);
	INSERT INTO mail_suppressions (email_hash, reason)
	    SELECT mail_email_hash(e), 'erased' FROM unnest(v_emails) e
	    ON CONFLICT (email_hash) DO UPDATE SET reason = 'erased';

	v_summary := jsonb_build_object('deleted', cardinality(v_deleted),
	    'anonymized', cardinality(v_kept),
	    'votes', cardinality(v_voted), 'account', p_user IS NOT NULL);
	PERFORM event_emit('commenter.erased', jsonb_build_object(
	    'commenter', jsonb_build_object('email_sha256', v_hash,
	        'user_id', p_user),
	    'comments', jsonb_build_object(
	        'deleted', to_jsonb(v_deleted), 'anonymized', to_jsonb(v_kept)),
	    'by', p_by));
	PERFORM audit(p_actor, 'privacy.erase', 'email', v_hash, NULL,
	    v_summary || jsonb_build_object('by', p_by));
	PERFORM set_config('parley.erasing', 'off', true);
	RETURN v_summary;
END $$;

-- A moderator's export or erasure for an address: the guest's data and the
-- account with that address. A staff account is not erased this way
-- (demote it first): 'staff_account'. Otherwise 'ok' and the result.
CREATE OR REPLACE FUNCTION privacy_for_email(p_actor bigint, p_email text,
	p_erase boolean, OUT status text, OUT result jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	u users%ROWTYPE;
BEGIN
	SELECT * INTO u FROM users WHERE lower(email) = lower(p_email);
	IF p_erase AND u.role IN ('moderator', 'admin') THEN
		status := 'staff_account';
		RETURN;
	END IF;
	status := 'ok';
	IF p_erase THEN
		result := privacy_erase(p_email, u.id, 'moderator', p_actor);
	ELSE
		result := privacy_export(p_email, u.id);
	END IF;
END $$;

-- A member's own erasure (DELETE /api/v1/me, the password checked by the
-- caller): 'staff_account' for moderators and admins (an admin demotes
-- them first, so a site never loses its last admin this way), 'gone' if
-- the account no longer exists.
CREATE OR REPLACE FUNCTION privacy_erase_self(p_user bigint,
	OUT status text, OUT result jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	v_role text;
BEGIN
	SELECT role INTO v_role FROM users WHERE id = p_user FOR UPDATE;
	IF NOT FOUND THEN
		status := 'gone';
	ELSIF v_role <> 'reader' THEN
		status := 'staff_account';
	ELSE
		status := 'ok';
		result := privacy_erase(NULL, p_user, 'self', NULL);
	END IF;
END $$;

-- ------------------------------------------------------ a guest's link

-- The page a privacy link opens: the address and whether the link still
-- works. No row: unknown.
CREATE OR REPLACE FUNCTION privacy_link_peek(p_hash bytea,
	OUT email text, OUT usable boolean)
LANGUAGE sql STABLE AS $$
	SELECT a.email, t.used_at IS NULL AND t.expires_at > now()
	FROM mail_tokens t JOIN mail_addresses a ON a.id = t.address_id
	WHERE t.token_hash = p_hash AND t.kind = 'privacy';
$$;

-- The POST behind a privacy link: the link works once, for the one
-- action. status: 'ok' (result: the export, or the erasure's counts),
-- 'expired' (or used) or 'unknown' (an erasure deletes the link with the
-- address, so it is unknown afterwards).
CREATE OR REPLACE FUNCTION privacy_link_use(p_hash bytea, p_erase boolean,
	OUT status text, OUT result jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	t mail_tokens%ROWTYPE;
	v_email text;
BEGIN
	SELECT * INTO t FROM mail_tokens
	    WHERE token_hash = p_hash AND kind = 'privacy' FOR UPDATE;
	IF NOT FOUND THEN
		status := 'unknown';
		RETURN;
	END IF;
	IF t.used_at IS NOT NULL OR t.expires_at <= now() THEN
		status := 'expired';
		RETURN;
	END IF;
	UPDATE mail_tokens SET used_at = now() WHERE token_hash = p_hash;
	SELECT email INTO v_email FROM mail_addresses WHERE id = t.address_id;
	status := 'ok';
	IF p_erase THEN
		result := privacy_erase(v_email, NULL, 'link', NULL);
	ELSE
		result := privacy_export(v_email, NULL);
	END IF;
END $$;

-- -------------------------------------------------------- retention

-- The daily job (the deliverer runs it): network addresses older than
-- ip_retention_days are cleared from comments (moderators then see
-- "address expired"), guests' votes lose the hash of theirs (a vote of
-- its own, 'x:' and a random id, so it still counts and stays one), and
-- login records (known networks, failed logins, registrations) go.
-- Returns the counts.
CREATE OR REPLACE FUNCTION privacy_retention() RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_before timestamptz := now() - make_interval(days => coalesce((SELECT
	    value::text::integer FROM settings
	    WHERE name = 'ip_retention_days'), 90));
	v_comments integer;
	v_votes integer;
	v_logins integer;
	n integer;
BEGIN
	UPDATE comments SET ip = NULL
	    WHERE ip IS NOT NULL AND created_at < v_before;
	GET DIAGNOSTICS v_comments = ROW_COUNT;
	UPDATE votes SET voter = 'x:' || gen_random_uuid()
	    WHERE voter LIKE 'g:%' AND created_at < v_before;
	GET DIAGNOSTICS v_votes = ROW_COUNT;
	DELETE FROM login_nets WHERE last_ok < v_before;
	GET DIAGNOSTICS v_logins = ROW_COUNT;
	DELETE FROM auth_failures WHERE at < v_before;
	GET DIAGNOSTICS n = ROW_COUNT;
	v_logins := v_logins + n;
	DELETE FROM register_attempts WHERE at < v_before;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN jsonb_build_object('comments', v_comments, 'votes', v_votes,
	    'logins', v_logins + n);
END $$;

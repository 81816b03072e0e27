-- Hooks, second pass: URL schemes in any case, disabled hooks not
-- claimed, attempts recorded only for deliveries that still exist, the
-- deliverer's own statements as functions, and times written like the
-- rest of the API (RFC 3339 UTC to the second).

CREATE FUNCTION rfc3339(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
$$;

ALTER TABLE hooks DROP CONSTRAINT hooks_url_check;
ALTER TABLE hooks ADD CONSTRAINT hooks_url_check
    CHECK (url ~* '^https?://[^[:space:]]+$' AND octet_length(url) <= 2048);

CREATE OR REPLACE FUNCTION delivery_claim(p_limit integer,
	p_lease_seconds integer)
RETURNS TABLE (id bigint, uuid uuid, url text, secret bytea,
	old_secret bytea, event_uuid uuid, type text, data text,
	created_at timestamptz)
LANGUAGE sql AS $$
	WITH due AS (
		SELECT d.id FROM deliveries d JOIN hooks h ON h.id = d.hook_id
		WHERE d.state = 'pending' AND d.next_at <= now() AND h.enabled
		ORDER BY d.next_at, d.id
		FOR UPDATE OF d SKIP LOCKED LIMIT p_limit
	), claimed AS (
		UPDATE deliveries d
		SET next_at = now() + make_interval(secs => p_lease_seconds)
		FROM due WHERE d.id = due.id
		RETURNING d.id, d.uuid, d.hook_id, d.event_id
	)
	SELECT c.id, c.uuid, h.url, h.secret,
	    CASE WHEN h.old_secret_until > now() THEN h.old_secret END,
	    e.uuid, e.type, e.data::text, e.created_at
	FROM claimed c JOIN hooks h ON h.id = c.hook_id
	JOIN events e ON e.id = c.event_id;
$$;

CREATE OR REPLACE FUNCTION delivery_record(p_id bigint, p_status integer,
	p_duration_ms integer, p_error text, p_response text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_ok	boolean := p_status BETWEEN 200 AND 299;
	v_d	deliveries;
BEGIN
	UPDATE deliveries d SET attempts = d.attempts + 1,
	    last_status = p_status, last_error = p_error,
	    state = CASE WHEN v_ok THEN 'success'
	        WHEN d.created_at < now() - interval '1 day' THEN 'failed'
	        ELSE 'pending' END,
	    next_at = now() + make_interval(secs => least(3600,
	        power(2, least(d.attempts, 12))::integer * 5)
	        * (0.75 + random() / 2))
	    WHERE d.id = p_id RETURNING * INTO v_d;
	-- Deleted meanwhile (its hook went): nothing to record.
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO delivery_attempts (delivery_id, status, duration_ms, error,
	    response)
	VALUES (p_id, p_status, p_duration_ms, p_error, left(p_response, 1024));
	RETURN v_d.state;
END $$;

-- Gives claimed deliveries back at once (a deliverer stopping, or a batch
-- out of lease time) instead of leaving them to their lease.
CREATE FUNCTION delivery_release(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	UPDATE deliveries SET next_at = now()
	WHERE id = ANY (p_ids) AND state = 'pending' AND next_at > now();
$$;

-- Whether a claimed delivery is still to be sent: its hook may have been
-- disabled or deleted while a batch went on.
CREATE FUNCTION delivery_due(p_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM deliveries d JOIN hooks h ON h.id = d.hook_id
	    WHERE d.id = p_id AND d.state = 'pending' AND h.enabled);
$$;

CREATE OR REPLACE FUNCTION comment_event_data(c comments) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('comment', jsonb_build_object(
	    'id', c.id, 'post', p.key, 'parent_id', c.parent_id,
	    'status', c.status, 'author', jsonb_build_object(
	        'name', coalesce(u.name, c.author_name),
	        'email', coalesce(u.email, c.author_email),
	        'url', c.author_url, 'user_id', c.user_id),
	    'body', c.body, 'html', c.html,
	    'created_at', rfc3339(c.created_at),
	    'edited_at', rfc3339(c.edited_at),
	    'verdict', c.verdict, 'reason', c.reason))
	FROM posts p LEFT JOIN users u ON u.id = c.user_id
	WHERE p.id = c.post_id;
$$;

CREATE OR REPLACE FUNCTION hook_json(h hooks) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', h.id, 'url', h.url, 'kind', h.kind,
	    'events', to_jsonb(h.events), 'enabled', h.enabled,
	    'rotating_until', CASE WHEN h.old_secret_until > now()
	        THEN rfc3339(h.old_secret_until) END,
	    'created_at', rfc3339(h.created_at),
	    'deliveries', (SELECT jsonb_build_object(
	        'pending', count(*) FILTER (WHERE d.state = 'pending'),
	        'failed', count(*) FILTER (WHERE d.state = 'failed'),
	        'success', count(*) FILTER (WHERE d.state = 'success'))
	        FROM deliveries d WHERE d.hook_id = h.id));
$$;

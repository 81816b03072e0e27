-- Hooks: every change that makes an event writes it to the outbox
-- (events) from a trigger, in the transaction of the change itself: an
-- acknowledged change never loses its event. Each event fans out to one
-- delivery per enabled hook that wants it; parley-deliver sends them in
-- the background (app/deliver.c).

-- What an event says about a comment.
CREATE OR REPLACE FUNCTION comment_event_data(c comments) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT jsonb_build_object('comment', jsonb_build_object(
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
	WHERE p.id = c.post_id);
END $$;

-- Writes an event to the outbox.
CREATE OR REPLACE FUNCTION event_emit(p_type text, p_data jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO events (type, data) VALUES (p_type, p_data);
END $$;

-- comment.created, comment.approved, comment.updated, comment.deleted
-- (SPEC.md lists them), inserted directly: one executor set-up less per
-- comment than through event_emit. None for imported comments.
CREATE OR REPLACE FUNCTION comments_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- Not for an import's comments, nor an erasure's (they would carry
	-- what is erased): the trigger's WHEN.
	IF TG_OP = 'INSERT' THEN
		INSERT INTO events (type, data)
		VALUES ('comment.created', comment_event_data(NEW));
	ELSIF TG_OP = 'DELETE' THEN
		IF OLD.status <> 'deleted' THEN
			INSERT INTO events (type, data)
			VALUES ('comment.deleted', comment_event_data(OLD));
		END IF;
	ELSE
		IF NEW.status IS DISTINCT FROM OLD.status THEN
			INSERT INTO events (type, data)
			VALUES (CASE NEW.status
			    WHEN 'approved' THEN 'comment.approved'
			    WHEN 'spam' THEN 'comment.spammed'
			    WHEN 'deleted' THEN 'comment.deleted'
			    ELSE 'comment.held' END, comment_event_data(NEW));
		END IF;
		IF NEW.body IS DISTINCT FROM OLD.body THEN
			INSERT INTO events (type, data)
			VALUES ('comment.edited', comment_event_data(NEW));
		END IF;
	END IF;
	RETURN NULL;
END $$;

-- comment.created, comment.approved, comment.updated, comment.deleted
-- (SPEC.md lists them), inserted directly: one executor set-up less per
-- comment than through event_emit.
CREATE OR REPLACE TRIGGER comments_events AFTER INSERT OR DELETE OR UPDATE OF status, body
    ON comments FOR EACH ROW WHEN (NOT importing() AND NOT erasing())
    EXECUTE FUNCTION comments_events();

-- post.closed and post.opened.
CREATE OR REPLACE FUNCTION posts_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.open AND NOT NEW.open THEN
		PERFORM event_emit('post.closed', jsonb_build_object('post',
		    jsonb_build_object('key', NEW.key, 'title', NEW.title,
		    'url', NEW.url)));
	END IF;
	RETURN NULL;
END $$;

-- post.closed and post.opened.
CREATE OR REPLACE TRIGGER posts_events AFTER UPDATE OF open ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_events();

-- Fan-out: one delivery per enabled event hook that wants the type; the
-- deliverers are woken when the transaction commits.
CREATE OR REPLACE FUNCTION events_fan_out() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- A ping goes to the one hook that asked for it (hook_ping).
	IF NEW.type = 'ping' THEN
		RETURN NULL;
	END IF;
	INSERT INTO deliveries (hook_id, event_id)
	SELECT h.id, NEW.id FROM hooks h
	WHERE h.kind = 'event' AND h.enabled
	AND (cardinality(h.events) = 0 OR NEW.type = ANY (h.events));
	IF FOUND THEN
		IF announce_later() THEN
			PERFORM set_config('parley.deliveries_made', 'on', true);
		ELSE
			PERFORM pg_notify('parley_deliver', '');
		END IF;
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER events_fan_out AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_fan_out();

-- Claims up to p_limit due deliveries for p_lease_seconds: others skip
-- the rows while this transaction holds them, and after it the lease
-- keeps them away until the attempt is recorded (or the lease runs out,
-- when a deliverer died mid-attempt).
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

-- Records an attempt. Success ends the delivery; a failure schedules the
-- next attempt with exponential backoff and jitter (capped at an hour),
-- and after a day of failures the delivery is marked failed.
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

-- Sends a delivery again now (admin), whatever its state.
CREATE OR REPLACE FUNCTION delivery_redeliver(p_actor bigint, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE deliveries SET state = 'pending', next_at = now()
	    WHERE id = p_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM audit(p_actor, 'delivery.redeliver', 'delivery', p_id::text,
	    NULL, NULL);
	PERFORM pg_notify('parley_deliver', '');
	RETURN true;
END $$;

-- A test event for one hook (admin "ping").
CREATE OR REPLACE FUNCTION hook_ping(p_actor bigint, p_hook bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_event	bigint;
	v_del	bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM hooks WHERE id = p_hook) THEN
		RETURN NULL;
	END IF;
	INSERT INTO events (type, data) VALUES ('ping',
	    jsonb_build_object('hook_id', p_hook)) RETURNING id INTO v_event;
	INSERT INTO deliveries (hook_id, event_id) VALUES (p_hook, v_event)
	    RETURNING id INTO v_del;
	PERFORM audit(p_actor, 'hook.ping', 'hook', p_hook::text, NULL, NULL);
	PERFORM pg_notify('parley_deliver', '');
	RETURN v_del;
END $$;

-- Hooks as the admin API shows them (never the secret).
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

CREATE OR REPLACE FUNCTION hook_create(p_actor bigint, p_url text, p_kind text,
	p_events text[], p_enabled boolean, p_secret bytea) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_hook	hooks;
BEGIN
	INSERT INTO hooks (url, kind, events, enabled, secret)
	VALUES (p_url, p_kind, p_events, p_enabled, p_secret)
	RETURNING * INTO v_hook;
	PERFORM audit(p_actor, 'hook.create', 'hook', v_hook.id::text, NULL,
	    hook_json(v_hook));
	RETURN hook_json(v_hook);
END $$;

-- NULL leaves a field as it is. A new secret keeps the old one signing
-- for p_grace_seconds.
CREATE OR REPLACE FUNCTION hook_update(p_actor bigint, p_id bigint, p_url text,
	p_events text[], p_enabled boolean, p_secret bytea,
	p_grace_seconds integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_old	hooks;
	v_new	hooks;
BEGIN
	SELECT * INTO v_old FROM hooks WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE hooks SET url = coalesce(p_url, url),
	    events = coalesce(p_events, events),
	    enabled = coalesce(p_enabled, enabled),
	    secret = coalesce(p_secret, secret),
	    old_secret = CASE WHEN p_secret IS NOT NULL THEN v_old.secret
	        ELSE old_secret END,
	    old_secret_until = CASE WHEN p_secret IS NOT NULL
	        THEN now() + make_interval(secs => p_grace_seconds)
	        ELSE old_secret_until END
	    WHERE id = p_id RETURNING * INTO v_new;
	PERFORM audit(p_actor, CASE WHEN p_secret IS NOT NULL
	    THEN 'hook.rotate' ELSE 'hook.update' END, 'hook', p_id::text,
	    hook_json(v_old), hook_json(v_new));
	RETURN hook_json(v_new);
END $$;

CREATE OR REPLACE FUNCTION hook_delete(p_actor bigint, p_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_old	hooks;
BEGIN
	DELETE FROM hooks WHERE id = p_id RETURNING * INTO v_old;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM audit(p_actor, 'hook.delete', 'hook', p_id::text,
	    to_jsonb(v_old) - 'secret' - 'old_secret', NULL);
	RETURN true;
END $$;

-- The enabled verdict hook, if any (the first one), signed like event
-- deliveries during a rotation: with the old secret too, until the grace
-- period ends.
CREATE OR REPLACE FUNCTION verdict_hook()
RETURNS TABLE (url text, secret bytea, old_secret bytea)
LANGUAGE sql STABLE AS $$
	SELECT h.url, h.secret,
	    CASE WHEN h.old_secret_until > now() THEN h.old_secret END
	FROM hooks h
	WHERE h.kind = 'verdict' AND h.enabled ORDER BY h.id LIMIT 1;
$$;

-- Gives claimed deliveries back at once (a deliverer stopping, or a batch
-- out of lease time) instead of leaving them to their lease.
CREATE OR REPLACE FUNCTION delivery_release(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	UPDATE deliveries SET next_at = now()
	WHERE id = ANY (p_ids) AND state = 'pending' AND next_at > now();
$$;

-- Whether a claimed delivery is still to be sent: its hook may have been
-- disabled or deleted while a batch went on.
CREATE OR REPLACE FUNCTION delivery_due(p_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM deliveries d JOIN hooks h ON h.id = d.hook_id
	    WHERE d.id = p_id AND d.state = 'pending' AND h.enabled);
$$;

-- The outbox does not grow for ever: finished deliveries (and their
-- attempts) go after 30 days, and events without deliveries left with
-- them. parley-deliver calls this about once an hour.
CREATE OR REPLACE FUNCTION hooks_prune() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n	integer;
BEGIN
	DELETE FROM deliveries
	    WHERE state IN ('success', 'failed')
	    AND created_at < now() - interval '30 days';
	GET DIAGNOSTICS v_n = ROW_COUNT;
	DELETE FROM events e
	    WHERE e.created_at < now() - interval '30 days'
	    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id);
	RETURN v_n;
END $$;


-- New comments are announced after their commit, not inside it.
--
-- A NOTIFY takes a database-wide lock at commit and keeps it until the
-- commit record is on disk: every transaction that notifies waits for the
-- one before it to reach the disk, which defeats group commit and capped
-- posting at about 2,000 comments/s here. comment_create now marks its
-- transaction, the triggers leave the NOTIFYs to the caller, and the
-- worker that posted announces the post key (and new deliveries) as soon
-- as the commit is acknowledged, from its LISTEN connection, in a
-- transaction of its own that need not wait for the disk (listen.c).
-- Every other change (and any comment inserted outside comment_create)
-- still notifies from its trigger, in its own transaction.

-- The caller announces this transaction's changes after it commits.
CREATE FUNCTION announce_later() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('parley.announce_later', true), '')
	    = 'on';
$$;

-- Whether this transaction made deliveries that nobody was woken for.
CREATE FUNCTION deliveries_unannounced() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('parley.deliveries_made', true), '')
	    = 'on';
$$;

-- The thread triggers of the tables comment_create writes stay quiet in
-- its transaction.
DROP TRIGGER comments_thread_changed ON comments;
CREATE TRIGGER comments_thread_changed
    AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW WHEN (NOT announce_later())
    EXECUTE FUNCTION thread_changed();
DROP TRIGGER posts_thread_changed ON posts;
CREATE TRIGGER posts_thread_changed
    AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW WHEN (NOT announce_later())
    EXECUTE FUNCTION thread_changed();

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

-- The body of comment_create stays as it was, under a new name; the
-- function the server calls marks the transaction first.
ALTER FUNCTION comment_create(text, text, text, bigint, integer, bigint,
	text, text, text, text, text, text, inet, bytea, text, text, integer)
    RENAME TO comment_insert;

CREATE FUNCTION comment_create(
	p_key text, p_title text, p_url text, p_parent_id bigint,
	p_max_depth integer, p_user_id bigint, p_author_name text,
	p_author_email text, p_author_url text, p_body text, p_html text,
	p_status text, p_ip inet, p_edit_token_hash bytea,
	p_verdict text, p_reason text, p_rate_limit integer,
	OUT err text, OUT comment_id bigint, OUT parent_id bigint,
	OUT created_at timestamptz, OUT avatar_seed text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('parley.announce_later', 'on', true);
	SELECT * INTO err, comment_id, parent_id, created_at, avatar_seed
	    FROM comment_insert(p_key, p_title, p_url, p_parent_id,
	    p_max_depth, p_user_id, p_author_name, p_author_email,
	    p_author_url, p_body, p_html, p_status, p_ip, p_edit_token_hash,
	    p_verdict, p_reason, p_rate_limit);
END $$;

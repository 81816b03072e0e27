-- New comments are announced after their commit, not inside it.
--
-- A NOTIFY takes a database-wide lock at commit and keeps it until the
-- commit record is on disk: every transaction that notifies waits for the
-- one before it to reach the disk, which defeats group commit and capped
-- posting at about 2,000 comments/s. comment_create marks its
-- transaction, the triggers leave the NOTIFYs to the caller, and the
-- worker that posted announces the post key (and new deliveries) as soon
-- as the commit is acknowledged, from its LISTEN connection (listen.c).
-- Every other change (and any comment inserted outside comment_create)
-- notifies from its trigger, in its own transaction.
--
-- Whether the caller announces this transaction's changes after it
-- commits.
CREATE OR REPLACE FUNCTION announce_later() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('parley.announce_later', true), '')
	    = 'on';
$$;

-- An import's transaction (parley-import, the admin API) says so: its
-- comments are history, not news. The row triggers that make news
-- (events, stream, mail) skip them in their WHEN, so an import of
-- 200,000 comments queues no trigger call at all for them.
CREATE OR REPLACE FUNCTION importing() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('parley.importing', true), '') = 'on';
$$;

-- Set for the transaction of an erasure (privacy_erase): the audit log
-- lets its entries be redacted then (audit_log_immutable), and the
-- comments' event trigger stays quiet (one commenter.erased tells it all,
-- without the data).
CREATE OR REPLACE FUNCTION erasing() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('parley.erasing', true), '') = 'on';
$$;

-- Workers cache the answers to anonymous thread and count requests. Any
-- change that could alter one announces its post key on the channel
-- "parley_thread" (an empty payload: anything may have changed), in the
-- same transaction, so the message arrives exactly when the change is
-- visible; unless the transaction is one comment_create marked (see
-- announce_later).
CREATE OR REPLACE FUNCTION thread_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_key	text;
BEGIN
	IF TG_TABLE_NAME = 'posts' THEN
		v_key := CASE WHEN TG_OP = 'DELETE' THEN OLD.key ELSE NEW.key END;
	ELSIF TG_TABLE_NAME = 'comments' THEN
		SELECT p.key INTO v_key FROM posts p WHERE p.id =
		    CASE WHEN TG_OP = 'DELETE' THEN OLD.post_id ELSE NEW.post_id END;
	ELSE
		-- users: names and roles show in every thread.
		v_key := '';
	END IF;
	PERFORM pg_notify('parley_thread', coalesce(v_key, ''));
	RETURN NULL;
END $$;

-- The thread triggers of the tables comment_create writes stay quiet in
-- its transaction.
CREATE OR REPLACE TRIGGER comments_thread_changed
    AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW WHEN (NOT announce_later())
    EXECUTE FUNCTION thread_changed();

CREATE OR REPLACE TRIGGER posts_thread_changed
    AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW WHEN (NOT announce_later())
    EXECUTE FUNCTION thread_changed();

CREATE OR REPLACE TRIGGER users_thread_changed
    AFTER UPDATE OF name, role ON users
    FOR EACH ROW EXECUTE FUNCTION thread_changed();

-- Whether this transaction made deliveries that nobody was woken for.
CREATE OR REPLACE FUNCTION deliveries_unannounced() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('parley.deliveries_made', true), '')
	    = 'on';
$$;


-- What a worker sends on its LISTEN connection after a commit (listen.c):
-- the post keys that changed ('\n'-separated; NULL: every post; '': none)
-- and whether deliverers are to be woken. Returns the primary's WAL
-- insert position, read after the caller's commit: a standby whose replay
-- has passed it shows that commit (read-your-writes with
-- database_replica, app/replica.c).
CREATE OR REPLACE FUNCTION announce(p_keys text, p_deliveries boolean)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_key	text;
BEGIN
	FOREACH v_key IN ARRAY CASE WHEN p_keys IS NULL THEN ARRAY['']
	    ELSE string_to_array(p_keys, E'\n') END LOOP
		PERFORM pg_notify('parley_thread', v_key);
	END LOOP;
	IF p_deliveries THEN
		PERFORM pg_notify('parley_deliver', '');
	END IF;
	RETURN pg_current_wal_insert_lsn()::text;
END $$;

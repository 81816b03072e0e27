-- Workers cache the answers to anonymous thread and count requests. Any
-- change that could alter one announces its post key on the channel
-- "parley_thread" (an empty payload: anything may have changed), in the
-- same transaction, so the message arrives exactly when the change is
-- visible.

CREATE FUNCTION thread_changed() RETURNS trigger
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

CREATE TRIGGER comments_thread_changed
    AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION thread_changed();
CREATE TRIGGER posts_thread_changed
    AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION thread_changed();
CREATE TRIGGER users_thread_changed
    AFTER UPDATE OF name, role ON users
    FOR EACH ROW EXECUTE FUNCTION thread_changed();

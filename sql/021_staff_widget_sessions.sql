-- Moderators and admins logged in through the widget, on a blog's pages
-- where any of the blog's scripts could read the token from
-- localStorage, keep that session a short while only: a request from a
-- blog (an Origin that is not Parley's own) finds a staff session older
-- than p_staff_max_age gone. The admin page, on Parley's own origin, keeps
-- the usual lifetime. And, as sql/016 made sessions end: a session ends
-- session_max_age() after it began; sliding never carries it past that.
-- Replaces 002's session_user_get (its only other definition).

DROP FUNCTION session_user_get(bytea, integer);
CREATE FUNCTION session_user_get(p_token_hash bytea, p_ttl_seconds integer,
	p_staff_max_age integer)
RETURNS TABLE (id bigint, name text, email text, role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	UPDATE sessions SET last_seen = now(),
	    expires_at = least(now() + make_interval(secs => p_ttl_seconds),
	    created_at + session_max_age())
	    WHERE token_hash = p_token_hash AND expires_at > now()
	    AND last_seen < now() - interval '1 minute';
	RETURN QUERY SELECT u.id, u.name, u.email, u.role
	    FROM sessions s JOIN users u ON u.id = s.user_id
	    WHERE s.token_hash = p_token_hash AND s.expires_at > now()
	    AND s.created_at > now() - session_max_age()
	    AND (p_staff_max_age IS NULL OR u.role = 'reader' OR
	    s.created_at > now() - make_interval(secs => p_staff_max_age));
END $$;

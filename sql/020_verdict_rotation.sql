-- The verdict hook is signed like event deliveries during a rotation:
-- with the old secret too, until the grace period ends. Replaces 014's
-- verdict_hook (which returned the current secret only).

DROP FUNCTION verdict_hook();
CREATE FUNCTION verdict_hook()
RETURNS TABLE (url text, secret bytea, old_secret bytea)
LANGUAGE sql STABLE AS $$
	SELECT h.url, h.secret,
	    CASE WHEN h.old_secret_until > now() THEN h.old_secret END
	FROM hooks h
	WHERE h.kind = 'verdict' AND h.enabled ORDER BY h.id LIMIT 1;
$$;

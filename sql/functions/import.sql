-- Imports and exports: the jobs of the admin page's imports, the lock
-- that keeps imports one at a time, and the export's lines.

-- Held (as a session lock) by whoever imports, parley-import or a
-- worker's import thread, for as long as the import runs; its
-- connection closing (a crash included) lets go of it.
CREATE OR REPLACE FUNCTION import_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT 8097879414873325569::bigint; -- "parley", 0x0001
$$;

-- Jobs not done whose importer is gone: called with the lock held by
-- the caller's transaction, so no importer runs. A queued job has a
-- minute for its thread to start and take the lock.
CREATE OR REPLACE FUNCTION import_jobs_abandoned() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE import_jobs SET state = 'failed', finished_at = now(),
	    errors = errors || jsonb_build_array('The import stopped before '
		'it finished (its server went away); nothing of it was kept.')
	    WHERE state = 'running' OR (state = 'queued'
		AND created_at < now() - interval '1 minute');
END $$;

-- A new job, or NULL while another import runs or waits to start.
CREATE OR REPLACE FUNCTION import_job_start(p_format text, p_key text,
	p_bytes bigint, p_user bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF NOT pg_try_advisory_xact_lock(import_lock_key()) THEN
		RETURN NULL;
	END IF;
	PERFORM import_jobs_abandoned();
	IF EXISTS (SELECT 1 FROM import_jobs WHERE state = 'queued') THEN
		RETURN NULL;
	END IF;
	INSERT INTO import_jobs (format, key_mode, bytes, created_by)
	    VALUES (p_format, p_key, p_bytes, p_user) RETURNING id INTO v_id;
	PERFORM audit(p_user, 'import', 'import', v_id::text, NULL,
	    jsonb_build_object('format', p_format, 'key', p_key,
		'bytes', p_bytes));
	RETURN v_id;
END $$;

-- A job as the admin API shows it; one whose importer is gone is failed
-- first.
CREATE OR REPLACE FUNCTION import_job_get(p_id bigint)
	RETURNS SETOF import_jobs
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM import_jobs WHERE id = p_id
		AND state IN ('queued', 'running'))
	    AND pg_try_advisory_xact_lock(import_lock_key()) THEN
		PERFORM import_jobs_abandoned();
	END IF;
	RETURN QUERY SELECT * FROM import_jobs WHERE id = p_id;
END $$;

-- The importer's progress, and its end (p_state done or failed).
CREATE OR REPLACE FUNCTION import_job_update(p_id bigint, p_state text,
	p_bytes_read bigint, p_read bigint, p_imported bigint,
	p_skipped bigint, p_already bigint, p_orphans bigint,
	p_errors jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE import_jobs SET state = p_state, bytes_read = p_bytes_read,
	    read = p_read, imported = p_imported, skipped = p_skipped,
	    already = p_already, orphans = p_orphans, errors = p_errors,
	    finished_at = CASE WHEN p_state IN ('done', 'failed') THEN now()
		END
	    WHERE id = p_id;
END $$;

-- Parley's export, one JSON object a line: a header (format, version,
-- time, counts), then settings, accounts (never a password hash),
-- posts, comments (their Markdown source, status, times, score, author)
-- and bans. One statement, so one snapshot: the lines agree with each
-- other and with the header's counts. Comments come in id order, but an
-- importer must not count on a parent coming first.
CREATE OR REPLACE FUNCTION export_lines() RETURNS TABLE (line text)
LANGUAGE sql STABLE AS $$
	SELECT l FROM (
	SELECT 0 AS part, 0::bigint AS ord,
	    json_build_object('format', 'parley-export', 'version', 1,
	    'exported_at', rfc3339(now()),
	    'counts', json_build_object(
		'settings', (SELECT count(*) FROM settings),
		'users', (SELECT count(*) FROM users),
		'posts', (SELECT count(*) FROM posts),
		'comments', (SELECT count(*) FROM comments),
		'bans', (SELECT count(*) FROM bans)))::text AS l
	UNION ALL
	SELECT 1, row_number() OVER (ORDER BY name),
	    json_build_object('type', 'setting', 'name', name,
		'value', value)::text
	    FROM settings
	UNION ALL
	SELECT 2, id, json_build_object('type', 'user', 'id', id,
	    'email', email, 'name', name, 'role', role,
	    'created_at', rfc3339(created_at))::text
	    FROM users
	UNION ALL
	SELECT 3, id, json_build_object('type', 'post', 'key', key,
	    'title', title, 'url', url, 'open', open,
	    'created_at', rfc3339(created_at))::text
	    FROM posts
	UNION ALL
	SELECT 4, c.id, json_build_object('type', 'comment', 'id', c.id,
	    'post', p.key, 'parent_id', c.parent_id,
	    'author_name', c.author_name, 'author_email', c.author_email,
	    'author_url', c.author_url, 'user_id', c.user_id,
	    'ip', host(c.ip), 'body', c.body, 'status', c.status,
	    'created_at', rfc3339(c.created_at),
	    'edited_at', rfc3339(c.edited_at), 'score', c.score,
	    'verdict', c.verdict, 'reason', c.reason)::text
	    FROM comments c JOIN posts p ON p.id = c.post_id
	UNION ALL
	SELECT 5, id, json_build_object('type', 'ban', 'kind', kind,
	    'value', value, 'reason', reason,
	    'expires_at', rfc3339(expires_at),
	    'created_at', rfc3339(created_at))::text
	    FROM bans) lines
	ORDER BY part, ord;
$$;

-- Who took a copy of everyone's data, and when.
CREATE OR REPLACE FUNCTION export_audit(p_user bigint) RETURNS void
LANGUAGE sql AS $$
	SELECT audit(p_user, 'export', 'site', 'export', NULL, NULL);
$$;

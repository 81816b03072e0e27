-- Accounts, sessions, guest edit tokens and votes.

CREATE TABLE users (
	id		bigserial PRIMARY KEY,
	email		text NOT NULL CHECK (octet_length(email) <= 254),
	name		text NOT NULL,
	password_hash	text NOT NULL,
	role		text NOT NULL DEFAULT 'reader'
			CHECK (role IN ('reader', 'moderator', 'admin')),
	created_at	timestamptz NOT NULL DEFAULT now()
);
-- E-mails compare case-insensitively.
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Only a BLAKE2b hash of each session token is kept.
CREATE TABLE sessions (
	token_hash	bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, per client IP and per account e-mail, for throttling
-- that holds across workers and nodes.
CREATE TABLE login_failures (
	id	bigserial PRIMARY KEY,
	kind	text NOT NULL CHECK (kind IN ('ip', 'account')),
	key	text NOT NULL,
	at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (kind, key, at);

ALTER TABLE comments
	ADD COLUMN user_id bigint REFERENCES users (id) ON DELETE SET NULL,
	ADD COLUMN edit_token_hash bytea
	    CHECK (edit_token_hash IS NULL OR octet_length(edit_token_hash) = 32);
CREATE INDEX comments_user ON comments (user_id) WHERE user_id IS NOT NULL;

-- One vote per account ('u:ID') or per guest ('g:' + keyed hash of the IP).
CREATE TABLE votes (
	comment_id	bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	voter		text NOT NULL,
	value		smallint NOT NULL CHECK (value IN (-1, 1)),
	PRIMARY KEY (comment_id, voter)
);

-- Registers an account and opens its first session. err: 'email_taken'.
CREATE FUNCTION user_register(p_email text, p_name text, p_hash text,
	p_token_hash bytea, p_ttl_seconds integer,
	OUT err text, OUT id bigint, OUT name text, OUT email text,
	OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	BEGIN
		INSERT INTO users (email, name, password_hash)
		VALUES (p_email, p_name, p_hash)
		RETURNING users.id, users.name, users.email, users.role
		    INTO id, name, email, role;
	EXCEPTION WHEN unique_violation THEN
		err := 'email_taken';
		RETURN;
	END;
	INSERT INTO sessions (token_hash, user_id, expires_at)
	VALUES (p_token_hash, id, now() + make_interval(secs => p_ttl_seconds));
END $$;

-- The account behind an e-mail (NULLs when none) and, when failed logins
-- from this IP or for this account reached their limits within the
-- window, how many seconds until the next attempt is allowed.
CREATE FUNCTION login_lookup(p_email text, p_ip text, p_window_seconds integer,
	p_max_ip integer, p_max_account integer,
	OUT id bigint, OUT password_hash text, OUT name text, OUT email text,
	OUT role text, OUT retry_after integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_since	timestamptz := now() - make_interval(secs => p_window_seconds);
	v_wait	double precision := 0;
	v_at	timestamptz;
BEGIN
	SELECT u.id, u.password_hash, u.name, u.email, u.role
	    INTO id, password_hash, name, email, role
	    FROM users u WHERE lower(u.email) = lower(p_email);

	-- The oldest failure that still counts against each limit: once it
	-- leaves the window, one more attempt is allowed.
	SELECT f.at INTO v_at FROM login_failures f
	    WHERE f.kind = 'ip' AND f.key = p_ip AND f.at > v_since
	    ORDER BY f.at DESC OFFSET p_max_ip - 1 LIMIT 1;
	IF FOUND THEN
		v_wait := greatest(v_wait, extract(epoch FROM
		    v_at + make_interval(secs => p_window_seconds) - now()));
	END IF;
	SELECT f.at INTO v_at FROM login_failures f
	    WHERE f.kind = 'account' AND f.key = lower(p_email)
	    AND f.at > v_since
	    ORDER BY f.at DESC OFFSET p_max_account - 1 LIMIT 1;
	IF FOUND THEN
		v_wait := greatest(v_wait, extract(epoch FROM
		    v_at + make_interval(secs => p_window_seconds) - now()));
	END IF;
	retry_after := ceil(v_wait)::integer;
END $$;

CREATE FUNCTION login_failed(p_email text, p_ip text) RETURNS void
LANGUAGE sql AS $$
	-- Old failures no longer count for anything.
	DELETE FROM login_failures WHERE at < now() - interval '1 day';
	INSERT INTO login_failures (kind, key) VALUES
	    ('ip', p_ip), ('account', lower(p_email));
$$;

-- Opens a session after a successful login; stores a stronger password
-- hash when one is given and forgets the account's failed attempts.
CREATE FUNCTION session_create(p_user_id bigint, p_token_hash bytea,
	p_ttl_seconds integer, p_new_hash text,
	OUT id bigint, OUT name text, OUT email text, OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF p_new_hash IS NOT NULL THEN
		UPDATE users SET password_hash = p_new_hash WHERE id = p_user_id;
	END IF;
	INSERT INTO sessions (token_hash, user_id, expires_at)
	VALUES (p_token_hash, p_user_id,
	    now() + make_interval(secs => p_ttl_seconds));
	SELECT u.id, u.name, u.email, u.role INTO id, name, email, role
	    FROM users u WHERE u.id = p_user_id;
	DELETE FROM login_failures
	    WHERE kind = 'account' AND key = lower(email);
END $$;

-- The account of a live session, or no row. Expiry slides forward on use,
-- written at most once a minute per session to keep reads cheap.
CREATE FUNCTION session_user_get(p_token_hash bytea, p_ttl_seconds integer)
RETURNS TABLE (id bigint, name text, email text, role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	UPDATE sessions SET last_seen = now(),
	    expires_at = now() + make_interval(secs => p_ttl_seconds)
	    WHERE token_hash = p_token_hash AND expires_at > now()
	    AND last_seen < now() - interval '1 minute';
	RETURN QUERY SELECT u.id, u.name, u.email, u.role
	    FROM sessions s JOIN users u ON u.id = s.user_id
	    WHERE s.token_hash = p_token_hash AND s.expires_at > now();
END $$;

-- Sets a new password hash and ends every other session of the account.
CREATE FUNCTION user_password_set(p_user_id bigint, p_hash text,
	p_keep_token_hash bytea) RETURNS void
LANGUAGE sql AS $$
	UPDATE users SET password_hash = p_hash WHERE id = p_user_id;
	DELETE FROM sessions WHERE user_id = p_user_id
	    AND token_hash <> p_keep_token_hash;
$$;

-- Creates or promotes an admin (make admin). A NULL hash keeps the
-- existing password of an existing account.
CREATE FUNCTION user_make_admin(p_email text, p_hash text, p_name text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	UPDATE users SET role = 'admin',
	    password_hash = coalesce(p_hash, password_hash)
	    WHERE lower(email) = lower(p_email) RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		IF p_hash IS NULL THEN
			RAISE EXCEPTION 'a new account needs a password';
		END IF;
		INSERT INTO users (email, name, password_hash, role)
		VALUES (p_email, p_name, p_hash, 'admin') RETURNING id INTO v_id;
	END IF;
	RETURN v_id;
END $$;

-- Sets, changes or withdraws (value 0) a vote and returns the score.
-- err: 'not_found' (no such approved comment), 'own_comment'.
CREATE FUNCTION vote_set(p_comment_id bigint, p_voter text, p_value integer,
	p_user_id bigint, OUT err text, OUT score integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_author	bigint;
	v_old		integer;
BEGIN
	SELECT c.user_id INTO v_author FROM comments c
	    WHERE c.id = p_comment_id AND c.status = 'approved' FOR UPDATE;
	IF NOT FOUND THEN
		err := 'not_found';
		RETURN;
	END IF;
	IF p_user_id IS NOT NULL AND v_author = p_user_id THEN
		err := 'own_comment';
		RETURN;
	END IF;
	SELECT v.value INTO v_old FROM votes v
	    WHERE v.comment_id = p_comment_id AND v.voter = p_voter;
	v_old := coalesce(v_old, 0);
	IF p_value = 0 THEN
		DELETE FROM votes WHERE comment_id = p_comment_id
		    AND voter = p_voter;
	ELSE
		INSERT INTO votes (comment_id, voter, value)
		VALUES (p_comment_id, p_voter, p_value)
		ON CONFLICT (comment_id, voter) DO UPDATE SET value = p_value;
	END IF;
	UPDATE comments c SET score = c.score - v_old + p_value
	    WHERE c.id = p_comment_id RETURNING c.score INTO score;
END $$;

-- A comment's edits: new body and HTML, edited now. No row when the
-- comment is gone (deleted or spam).
CREATE FUNCTION comment_edit(p_id bigint, p_body text, p_html text)
RETURNS TABLE (edited_at timestamptz)
LANGUAGE sql AS $$
	UPDATE comments SET body = p_body, html = p_html, edited_at = now()
	    WHERE id = p_id AND status IN ('approved', 'pending')
	    RETURNING edited_at;
$$;

-- Whom an avatar stands for: the account, else the guest's e-mail, else
-- the name. Only a keyed hash of it leaves the server.
CREATE FUNCTION avatar_seed(p_user_id bigint, p_email text, p_name text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_user_id IS NOT NULL THEN 'u:' || p_user_id
	    WHEN p_email IS NOT NULL THEN 'e:' || lower(p_email)
	    ELSE 'n:' || p_name END;
$$;

-- comment_create gains the author's account and the guest's edit token,
-- and refuses a guest e-mail that belongs to an account.
DROP FUNCTION comment_create(text, text, text, bigint, integer, text, text,
    text, text, text, text, inet);

CREATE FUNCTION comment_create(
	p_key text, p_title text, p_url text, p_parent_id bigint,
	p_max_depth integer, p_user_id bigint, p_author_name text,
	p_author_email text, p_author_url text, p_body text, p_html text,
	p_status text, p_ip inet, p_edit_token_hash bytea,
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
	-- Nobody may pose as a member by using a member's e-mail.
	IF p_user_id IS NULL AND p_author_email IS NOT NULL AND EXISTS (
	    SELECT 1 FROM users u WHERE lower(u.email) = lower(p_author_email))
	THEN
		err := 'email_taken';
		RETURN;
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
	    author_email, author_url, body, html, status, ip, edit_token_hash)
	VALUES (v_post.id, v_parent,
	    CASE WHEN v_parent IS NULL THEN 0 ELSE v_depth + 1 END,
	    p_user_id, p_author_name, p_author_email, p_author_url, p_body,
	    p_html, p_status, p_ip, p_edit_token_hash)
	RETURNING comments.id, comments.parent_id, comments.created_at,
	    public.avatar_seed(p_user_id, p_author_email, p_author_name)
	    INTO comment_id, parent_id, created_at, avatar_seed;
END $$;

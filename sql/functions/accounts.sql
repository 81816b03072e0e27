-- Registers an account and opens its first session; the registering
-- block is known to the new account from then on. err: 'email_taken'.
CREATE OR REPLACE FUNCTION user_register(p_email text, p_name text, p_hash text,
	p_token_hash bytea, p_ttl_seconds integer, p_net text,
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
	VALUES (p_token_hash, id, now() + least(
	    make_interval(secs => p_ttl_seconds), session_max_age()));
	PERFORM login_net_proved(id, p_net);
END $$;

-- Failed-login throttling that parallel guesses cannot outrun: each
-- attempt is counted before its password is checked, under a lock per
-- account and per block, and given back when the login succeeds.
--
-- The account behind an e-mail (NULLs when none) and how many seconds the
-- caller must wait before trying; when it need not (retry_after 0), the
-- attempt counts as failed from here on, until session_create or
-- user_password_set takes it back. p_net: the client's block (see
-- netaddr_limit_key). p_ceiling: whether the account's own ceiling
-- applies (not for a logged-in caller checking the current password).
--
-- The scopes, each with free tries, then a wait of 15 s doubling with
-- each failure, at most 15 minutes after the latest:
--   this account from this block: 10 a day (the owner's typos; a guesser
--     next to the owner);
--   this block, any account: 30 an hour (one machine trying many);
--   this account, any block: 100 a day (guessing spread over many
--     addresses; reaching it takes ten blocks or more).
-- The last two do not apply to a block the account has proved itself
-- from: the owner at home gets in while others guess elsewhere.
CREATE OR REPLACE FUNCTION login_lookup(p_email text, p_net text, p_ceiling boolean,
	OUT id bigint, OUT password_hash text, OUT name text, OUT email text,
	OUT role text, OUT retry_after integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_account	text := lower(p_email);
	v_known		boolean;
	v_n		bigint;
	v_latest	timestamptz;
	v_wait		double precision;
BEGIN
	-- Concurrent attempts on one account or from one block queue here,
	-- so each one sees the attempts before it (always in this order).
	PERFORM pg_advisory_xact_lock(hashtextextended('login:a:' ||
	    v_account, 0));
	PERFORM pg_advisory_xact_lock(hashtextextended('login:n:' || p_net,
	    0));

	SELECT u.id, u.password_hash, u.name, u.email, u.role
	    INTO id, password_hash, name, email, role
	    FROM users u WHERE lower(u.email) = v_account;
	v_known := EXISTS (SELECT 1 FROM login_nets k WHERE k.user_id = id
	    AND k.net = p_net AND k.last_ok > now() - interval '90 days');

	SELECT count(*), max(x.at) INTO v_n, v_latest FROM (SELECT f.at
	    FROM auth_failures f WHERE f.account = v_account
	    AND f.net = p_net AND f.at > now() - interval '1 day'
	    ORDER BY f.at DESC LIMIT 64) x;
	v_wait := throttle_wait(v_n, v_latest, 10, 15, 900);
	IF NOT v_known THEN
		SELECT count(*), max(x.at) INTO v_n, v_latest FROM (SELECT f.at
		    FROM auth_failures f WHERE f.net = p_net
		    AND f.at > now() - interval '1 hour'
		    ORDER BY f.at DESC LIMIT 64) x;
		v_wait := greatest(v_wait,
		    throttle_wait(v_n, v_latest, 30, 15, 900));
	END IF;
	IF NOT v_known AND p_ceiling THEN
		SELECT count(*), max(x.at) INTO v_n, v_latest FROM (SELECT f.at
		    FROM auth_failures f WHERE f.account = v_account
		    AND f.at > now() - interval '1 day'
		    ORDER BY f.at DESC LIMIT 160) x;
		v_wait := greatest(v_wait,
		    throttle_wait(v_n, v_latest, 100, 15, 900));
	END IF;
	retry_after := greatest(ceil(v_wait), 0)::integer;
	IF retry_after > 0 THEN
		RETURN;
	END IF;

	DELETE FROM auth_failures WHERE at < now() - interval '1 day';
	INSERT INTO auth_failures (account, net) VALUES (v_account, p_net);
END $$;

-- Opens a session after a successful login; stores a stronger password
-- hash when one is given. The attempt was not a failure after all: the
-- failures from the client's block p_ip are forgotten (not the guesses
-- made elsewhere).
CREATE OR REPLACE FUNCTION session_create(p_user_id bigint,
	p_token_hash bytea, p_ttl_seconds integer, p_new_hash text,
	p_ip text, OUT id bigint, OUT name text, OUT email text,
	OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF p_new_hash IS NOT NULL THEN
		UPDATE users SET password_hash = p_new_hash WHERE id = p_user_id;
	END IF;
	INSERT INTO sessions (token_hash, user_id, expires_at)
	VALUES (p_token_hash, p_user_id, now() + least(
	    make_interval(secs => p_ttl_seconds), session_max_age()));
	SELECT u.id, u.name, u.email, u.role INTO id, name, email, role
	    FROM users u WHERE u.id = p_user_id;
	PERFORM login_net_proved(p_user_id, p_ip);
END $$;

-- The account of a live session, or no row. Expiry slides forward on use,
-- written at most once a minute per session to keep reads cheap; a
-- session still ends session_max_age() after it began.
--
-- Moderators and admins logged in through the widget, on a blog's pages
-- where any of the blog's scripts could read the token from
-- localStorage, keep that session a short while only: a request from a
-- blog (an Origin that is not Parley's own) finds a staff session older
-- than p_staff_max_age gone. The admin page, on Parley's own origin, keeps
-- the usual lifetime (p_staff_max_age NULL).
CREATE OR REPLACE FUNCTION session_user_get(p_token_hash bytea, p_ttl_seconds integer,
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

-- Sets a new password hash and ends every other session of the account.
-- Changing a password checks the current one: those checks count against
-- the same failed-login limits as logging in (login_lookup counts the
-- attempt), and a successful change takes the attempt back. p_ip is the
-- client's block, proved by the current password.
CREATE OR REPLACE FUNCTION user_password_set(p_user_id bigint, p_hash text,
	p_keep_token_hash bytea, p_ip text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE users SET password_hash = p_hash WHERE id = p_user_id;
	DELETE FROM sessions WHERE user_id = p_user_id
	    AND token_hash <> p_keep_token_hash;
	PERFORM login_net_proved(p_user_id, p_ip);
END $$;

-- Creates or promotes an admin (make admin). The command line always sets
-- the password it is given (scripts/admin.sh generates one when none
-- is), and ends the account's sessions.
CREATE OR REPLACE FUNCTION user_make_admin(p_email text, p_hash text,
	p_name text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	IF p_hash IS NULL THEN
		RAISE EXCEPTION 'make admin always sets a password';
	END IF;
	UPDATE users SET role = 'admin', password_hash = p_hash
	    WHERE lower(email) = lower(p_email) RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		INSERT INTO users (email, name, password_hash, role)
		VALUES (p_email, p_name, p_hash, 'admin') RETURNING id INTO v_id;
	END IF;
	DELETE FROM sessions WHERE user_id = v_id;
	RETURN v_id;
END $$;

-- Changes a role; the last admin cannot be demoted.
-- err: 'not_found', 'last_admin', 'forbidden' (the actor is no longer an
-- admin: demoted while its request was on its way).
--
-- Role changes run one at a time (a transaction-level advisory lock):
-- each sees the admins as the change before it left them, so two admins
-- demoting each other, or both stepping down, at once never leave none.
-- Locking the admins' rows instead (in id order) still deadlocked under
-- load: the audit entry's foreign-key check on the actor's row waited on
-- a change that waited on this one.
CREATE OR REPLACE FUNCTION user_set_role(p_actor bigint, p_id bigint,
	p_role text, OUT err text, OUT id bigint, OUT name text,
	OUT email text, OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_old	text;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('user_set_role', 0));
	IF p_actor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u
	    WHERE u.id = p_actor AND u.role = 'admin') THEN
		err := 'forbidden';
		RETURN;
	END IF;
	SELECT u.role INTO v_old FROM users u WHERE u.id = p_id;
	IF NOT FOUND THEN
		err := 'not_found';
		RETURN;
	END IF;
	IF v_old = 'admin' AND p_role <> 'admin' AND (SELECT count(*)
	    FROM users u WHERE u.role = 'admin') <= 1 THEN
		err := 'last_admin';
		RETURN;
	END IF;
	UPDATE users u SET role = p_role WHERE u.id = p_id;
	IF v_old <> p_role THEN
		PERFORM audit(p_actor, 'user.role', 'user', p_id::text,
		    jsonb_build_object('role', v_old),
		    jsonb_build_object('role', p_role));
	END IF;
	SELECT u.id, u.name, u.email, u.role INTO id, name, email, role
	    FROM users u WHERE u.id = p_id;
END $$;

-- The account proved itself from this block: its failures from there
-- (the attempt just made among them) are forgotten, and the block is
-- known from now on.
CREATE OR REPLACE FUNCTION login_net_proved(p_user_id bigint, p_net text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM auth_failures f USING users u WHERE u.id = p_user_id
	    AND f.account = lower(u.email) AND f.net = p_net;
	INSERT INTO login_nets (user_id, net) VALUES (p_user_id, p_net)
	    ON CONFLICT (user_id, net) DO UPDATE SET last_ok = now();
	DELETE FROM login_nets WHERE user_id = p_user_id
	    AND last_ok < now() - interval '90 days';
END $$;

-- A session lasts at most this long after it began, however often it is
-- used (the sliding session_ttl_seconds aside).
CREATE OR REPLACE FUNCTION session_max_age() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
	SELECT interval '90 days';
$$;

-- A registration from a block: 10 an hour free, then 1 minute doubling
-- with each one more, at most an hour after the latest. Counted before
-- the password is hashed, whatever the outcome (the hash is the cost).
-- retry_after > 0: refused and not counted.
CREATE OR REPLACE FUNCTION register_attempt(p_net text, OUT retry_after integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_n		bigint;
	v_latest	timestamptz;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('register:' || p_net,
	    0));
	SELECT count(*), max(x.at) INTO v_n, v_latest FROM (SELECT r.at
	    FROM register_attempts r WHERE r.net = p_net
	    AND r.at > now() - interval '1 hour'
	    ORDER BY r.at DESC LIMIT 64) x;
	retry_after := greatest(ceil(throttle_wait(v_n, v_latest, 10, 60,
	    3600)), 0)::integer;
	IF retry_after > 0 THEN
		RETURN;
	END IF;
	DELETE FROM register_attempts WHERE at < now() - interval '1 day';
	INSERT INTO register_attempts (net) VALUES (p_net);
END $$;

-- A change of role, and a password set from the command line, end every
-- session of the account: an address registered ahead of its promotion
-- (e-mail squatting) keeps no session, and no password, into the admin
-- role. Role changes end sessions by trigger, whatever made them.
CREATE OR REPLACE FUNCTION role_changed_end_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM sessions WHERE user_id = NEW.id;
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER users_role_changed
    AFTER UPDATE OF role ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION role_changed_end_sessions();


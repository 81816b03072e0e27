-- Accounts hardened (issue #12: findings 5, 6 and 12, and sessions).
--
-- Failed logins no longer lock an account: ten wrong passwords for an
-- e-mail blocked the right one from everywhere, and password changes
-- with it. Failures are now counted per (account, address block), per
-- address block, and per account, and past each scope's free tries the
-- wait (429 with Retry-After) starts at 15 s and doubles with every
-- failure, up to 15 minutes: never a wall. An account's owner coming from a block they
-- have logged in from before is judged by that pair alone, so guesses
-- from elsewhere cannot keep them out.
--
-- Address blocks: an IPv6 client is limited by its /64 (one subscriber's
-- usual allocation: one /64 held 2^64 addresses, each with limits of its
-- own), an IPv4 client by its address. The server computes the block
-- (netaddr_limit_key() in app/netaddr.c) for the keys it passes here:
-- failed logins, registrations, guest voters. limit_net() below is the
-- same rule for the addresses stored with comments.
--
-- Registration is throttled per block. The last-admin check is race-free,
-- and sessions end 90 days after they began, however often they are used.

-- The block an address is limited as (see app/netaddr.h).
CREATE FUNCTION limit_net(p_ip inet) RETURNS cidr
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT network(set_masklen(p_ip,
	    CASE family(p_ip) WHEN 6 THEN 64 ELSE 32 END));
$$;

-- Replaces 003's. An IPv6 client is counted by its /64. Posts from one
-- address already queue in comment_create (004) before this check; posts
-- from one /64 queue here too, so parallel posts from many addresses of
-- it cannot all pass. VOLATILE (003 said STABLE) so that the reads after
-- that lock see what the one before it committed.
CREATE OR REPLACE FUNCTION rate_wait(p_user_id bigint, p_ip inet,
	p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	v_at	timestamptz;
	v_wait	double precision := 0;
	v_net	cidr;
BEGIN
	IF p_limit <= 0 THEN
		RETURN 0;
	END IF;
	IF p_ip IS NOT NULL AND family(p_ip) = 6 THEN
		v_net := limit_net(p_ip);
		PERFORM pg_advisory_xact_lock(hashtextextended(
		    'rate:' || v_net::text, 0));
		-- A range the (ip, created_at) index answers with any plan;
		-- <<= alone it uses only when the block is a constant.
		SELECT c.created_at INTO v_at FROM comments c
		    WHERE c.ip BETWEEN set_masklen(v_net::inet, 128)
		    AND set_masklen(broadcast(v_net), 128) AND c.ip <<= v_net
		    AND c.created_at > now() - interval '1 minute'
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
		IF FOUND THEN
			v_wait := extract(epoch FROM
			    v_at + interval '1 minute' - now());
		END IF;
	ELSIF p_ip IS NOT NULL THEN
		SELECT c.created_at INTO v_at FROM comments c
		    WHERE c.ip = p_ip
		    AND c.created_at > now() - interval '1 minute'
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
		IF FOUND THEN
			v_wait := extract(epoch FROM
			    v_at + interval '1 minute' - now());
		END IF;
	END IF;
	IF p_user_id IS NOT NULL THEN
		SELECT c.created_at INTO v_at FROM comments c
		    WHERE c.user_id = p_user_id
		    AND c.created_at > now() - interval '1 minute'
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
		IF FOUND THEN
			v_wait := greatest(v_wait, extract(epoch FROM
			    v_at + interval '1 minute' - now()));
		END IF;
	END IF;
	RETURN greatest(ceil(v_wait), 0)::integer;
END $$;

-- Seconds still to wait after p_n failures (or attempts) in a scope, the
-- latest at p_latest: none while fewer than p_free, then p_unit seconds,
-- doubling with each one more, at most p_cap, all counted from the
-- latest. 0 or less: no wait.
CREATE FUNCTION throttle_wait(p_n bigint, p_latest timestamptz,
	p_free integer, p_unit integer, p_cap integer)
RETURNS double precision
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_n < p_free OR p_latest IS NULL THEN 0
	    ELSE extract(epoch FROM p_latest - now()) +
	    least(p_cap, p_unit * 2 ^ least(p_n - p_free, 40)) END;
$$;

-- Failed logins and failed checks of the current password: the e-mail
-- tried (lower case, whether or not an account has it) and the block it
-- came from. An attempt is written before its password is checked and
-- taken back when the password proves right.
CREATE TABLE auth_failures (
	id	bigserial PRIMARY KEY,
	account	text NOT NULL,
	net	text NOT NULL,
	at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_account ON auth_failures (account, net, at);
CREATE INDEX auth_failures_net ON auth_failures (net, at);
CREATE INDEX auth_failures_at ON auth_failures (at);

-- Blocks an account has proved itself from (logged in, registered or
-- changed its password), for 90 days.
CREATE TABLE login_nets (
	user_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	net	text NOT NULL,
	last_ok	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, net)
);

-- Registrations by block, for their throttle.
CREATE TABLE register_attempts (
	id	bigserial PRIMARY KEY,
	net	text NOT NULL,
	at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX register_attempts_net ON register_attempts (net, at);
CREATE INDEX register_attempts_at ON register_attempts (at);

-- 004 and 010 counted failures per e-mail and per exact address.
DROP FUNCTION login_lookup(text, text, integer, integer, integer);
DROP TABLE login_failures;

-- Replaces 010's (which took the limits as arguments). The account
-- behind an e-mail (NULLs when none) and how many seconds the caller must
-- wait before trying; when it need not (retry_after 0), the attempt
-- counts as failed from here on, until session_create or
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
CREATE FUNCTION login_lookup(p_email text, p_net text, p_ceiling boolean,
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

-- The account proved itself from this block: its failures from there
-- (the attempt just made among them) are forgotten, and the block is
-- known from now on.
CREATE FUNCTION login_net_proved(p_user_id bigint, p_net text)
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
CREATE FUNCTION session_max_age() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
	SELECT interval '90 days';
$$;

-- Replaces 010's: p_ip is the client's block; a success forgets the
-- failures from that block only (not the guesses made elsewhere).
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

-- Replaces 010's: p_ip is the client's block, proved by the current
-- password.
CREATE OR REPLACE FUNCTION user_password_set(p_user_id bigint, p_hash text,
	p_keep_token_hash bytea, p_ip text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE users SET password_hash = p_hash WHERE id = p_user_id;
	DELETE FROM sessions WHERE user_id = p_user_id
	    AND token_hash <> p_keep_token_hash;
	PERFORM login_net_proved(p_user_id, p_ip);
END $$;

-- A registration from a block: 10 an hour free, then 1 minute doubling
-- with each one more, at most an hour after the latest. Counted before
-- the password is hashed, whatever the outcome (the hash is the cost).
-- retry_after > 0: refused and not counted.
CREATE FUNCTION register_attempt(p_net text, OUT retry_after integer)
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

-- Replaces 002's: the registering block is known to the new account.
DROP FUNCTION user_register(text, text, text, bytea, integer);
CREATE FUNCTION user_register(p_email text, p_name text, p_hash text,
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

-- Replaces 003's. Two admins demoting each other (or each stepping down)
-- at once each counted the other as the admin who would remain, and both
-- went. Every role change now first locks all admins, in id order (so
-- two changes cannot deadlock), and then sees the admins as the change
-- before it left them: whether its actor is still an admin (else
-- 'forbidden': demoted while the request was on its way), and whether
-- the target is the last one. FOR NO KEY UPDATE: foreign-key checks of
-- other writes (comments, sessions, the audit log) do not wait for it.
-- err: 'not_found', 'last_admin', 'forbidden'.
CREATE OR REPLACE FUNCTION user_set_role(p_actor bigint, p_id bigint,
	p_role text, OUT err text, OUT id bigint, OUT name text,
	OUT email text, OUT role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_old	text;
BEGIN
	PERFORM 1 FROM users u WHERE u.role = 'admin' ORDER BY u.id
	    FOR NO KEY UPDATE;
	IF p_actor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u
	    WHERE u.id = p_actor AND u.role = 'admin') THEN
		err := 'forbidden';
		RETURN;
	END IF;
	SELECT u.role INTO v_old FROM users u WHERE u.id = p_id
	    FOR NO KEY UPDATE;
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

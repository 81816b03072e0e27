-- Whom an avatar stands for: the account, else the guest's e-mail, else
-- the name. Only a keyed hash of it leaves the server.
--
-- Functions on the posting path keep their plans. PostgreSQL 15 parses
-- and plans the body of a LANGUAGE sql function on every call unless it
-- can inline it, and it inlines only a single expression whose volatility
-- is no stricter than declared; so the functions that read tables are
-- PL/pgSQL (which caches each statement's plan for the session), and
-- avatar_seed and rfc3339 say STABLE, as their operations are (text ||
-- bigint, to_char). Measured with track_functions while posting, it
-- saved about 0.5 ms of database CPU per comment.
CREATE OR REPLACE FUNCTION avatar_seed(p_user_id bigint, p_email text,
	p_name text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_user_id IS NOT NULL THEN 'u:' || p_user_id
	    WHEN p_email IS NOT NULL THEN 'e:' || lower(p_email)
	    ELSE 'n:' || p_name END;
$$;

-- All settings as one JSON object.
CREATE OR REPLACE FUNCTION settings_json() RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_object_agg(name, value), '{}')
	    FROM settings);
END $$;

-- The audit log is append-only, whoever asks, but for an erasure
-- (privacy_erase): a person's right to have their data erased reaches
-- the texts and names the log quotes, which it then redacts in place.
CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND erasing() THEN
		RETURN NULL;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only';
END $$;

CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- An audit entry; every moderator action writes one in its transaction.
CREATE OR REPLACE FUNCTION audit(p_actor bigint, p_action text, p_type text,
	p_target text, p_before jsonb, p_after jsonb) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO audit_log (actor_id, actor_name, action, target_type,
	    target_id, before, after)
	SELECT p_actor, coalesce((SELECT name || ' <' || email || '>'
	    FROM users WHERE id = p_actor), 'system'), p_action, p_type,
	    p_target, p_before, p_after;
$$;

-- Applies a validated subset of settings, audited; returns them all.
CREATE OR REPLACE FUNCTION settings_update(p_actor bigint, p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_before	jsonb := settings_json();
	v_key		text;
BEGIN
	FOR v_key IN SELECT jsonb_object_keys(p_changes) LOOP
		UPDATE settings SET value = p_changes->v_key, updated_at = now()
		    WHERE name = v_key;
	END LOOP;
	PERFORM audit(p_actor, 'settings.update', 'settings', 'settings',
	    v_before, settings_json());
	RETURN settings_json();
END $$;

-- Times written like the rest of the API: RFC 3339, UTC, to the second.
CREATE OR REPLACE FUNCTION rfc3339(t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
$$;

-- Sites: the origins that may write to Parley from a browser, besides the
-- configuration file's. Workers keep the list in memory; a change is
-- announced on "parley_sites" with the new list as its payload (at most
-- 50 origins of 100 bytes, well under NOTIFY's 8000 bytes), so every
-- worker of every node uses it from its next request, with no query.
CREATE OR REPLACE FUNCTION sites_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('parley_sites', NEW.value::text);
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER settings_sites_changed
    AFTER INSERT OR UPDATE OF value ON settings
    FOR EACH ROW WHEN (NEW.name = 'allowed_origins')
    EXECUTE FUNCTION sites_changed();

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
CREATE OR REPLACE FUNCTION limit_net(p_ip inet) RETURNS cidr
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT network(set_masklen(p_ip,
	    CASE family(p_ip) WHEN 6 THEN 64 ELSE 32 END));
$$;

-- Seconds still to wait after p_n failures (or attempts) in a scope, the
-- latest at p_latest: none while fewer than p_free, then p_unit seconds,
-- doubling with each one more, at most p_cap, all counted from the
-- latest. 0 or less: no wait.
CREATE OR REPLACE FUNCTION throttle_wait(p_n bigint, p_latest timestamptz,
	p_free integer, p_unit integer, p_cap integer)
RETURNS double precision
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_n < p_free OR p_latest IS NULL THEN 0
	    ELSE extract(epoch FROM p_latest - now()) +
	    least(p_cap, p_unit * 2 ^ least(p_n - p_free, 40)) END;
$$;


-- Mail: the outbox's producers (a reply approved, a comment held, a
-- subscription asked for) and its consumer's steps (claim, what to tell,
-- a token, the record), and the links in mail (confirm, unsubscribe).
-- Tables: sql/027_mail.sql. The deliverer: app/mail_send.c.

-- The hash a suppression is kept under: the lower-cased address's SHA-256.
CREATE OR REPLACE FUNCTION mail_email_hash(p_email text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
	SELECT sha256(convert_to(lower(p_email), 'UTF8'));
$$;

CREATE OR REPLACE FUNCTION mail_suppressed(p_email text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM mail_suppressions
	    WHERE email_hash = mail_email_hash(p_email));
$$;

-- Wakes the deliverers after the commit (see events_fan_out).
CREATE OR REPLACE FUNCTION mail_wake() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF announce_later() THEN
		PERFORM set_config('parley.deliveries_made', 'on', true);
	ELSE
		PERFORM pg_notify('parley_deliver', '');
	END IF;
END $$;

-- The address's row, made if new.
CREATE OR REPLACE FUNCTION mail_address(p_email text) RETURNS mail_addresses
LANGUAGE plpgsql AS $$
DECLARE
	v mail_addresses%ROWTYPE;
BEGIN
	SELECT * INTO v FROM mail_addresses WHERE lower(email) = lower(p_email);
	IF NOT FOUND THEN
		INSERT INTO mail_addresses (email) VALUES (p_email)
		    ON CONFLICT (lower(email)) DO NOTHING;
		SELECT * INTO v FROM mail_addresses
		    WHERE lower(email) = lower(p_email);
	END IF;
	RETURN v;
END $$;

-- Queues one mail of p_kind for the address, due at p_at, unless one
-- waits already (it will tell what was gathered meanwhile).
CREATE OR REPLACE FUNCTION mail_queue(p_address bigint, p_kind text,
	p_at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO mail_outbox (address_id, kind, next_at)
	VALUES (p_address, p_kind, greatest(p_at, now()))
	ON CONFLICT (address_id, kind) WHERE state = 'pending' DO NOTHING;
	IF FOUND THEN
		PERFORM mail_wake();
	END IF;
END $$;

-- Someone asked for mail at p_email (a guest's "notify", a member's
-- switch). 'subscribed' when the address is confirmed already,
-- 'confirming' when a confirmation is (or was lately) sent, 'suppressed'
-- when Parley may not mail it. A confirmation goes at most once an hour
-- per address, so the switch cannot be used to flood someone's inbox.
CREATE OR REPLACE FUNCTION mail_subscribe(p_email text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v mail_addresses%ROWTYPE;
BEGIN
	IF p_email IS NULL OR mail_suppressed(p_email) THEN
		RETURN 'suppressed';
	END IF;
	v := mail_address(p_email);
	IF v.state = 'confirmed' THEN
		RETURN 'subscribed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM mail_outbox o
	    WHERE o.address_id = v.id AND o.kind = 'confirm'
	    AND (o.state = 'pending' OR o.created_at > now() - interval '1 hour'))
	THEN
		PERFORM mail_queue(v.id, 'confirm', now());
	END IF;
	RETURN 'confirming';
END $$;

-- The address a reply to p_parent is told to: its author's, if they
-- asked for replies and confirmed, and if the reply is not their own.
CREATE OR REPLACE FUNCTION mail_reply_recipient(p_parent bigint,
	p_user_id bigint, p_email text) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT a.id
	FROM comments p
	LEFT JOIN users u ON u.id = p.user_id
	JOIN mail_addresses a ON lower(a.email) = lower(coalesce(u.email,
	    p.author_email))
	WHERE p.id = p_parent
	AND (u.notify_replies OR (p.user_id IS NULL AND p.notify))
	AND a.state = 'confirmed'
	AND (p_user_id IS NULL OR p.user_id IS DISTINCT FROM p_user_id)
	AND lower(a.email) IS DISTINCT FROM lower(coalesce(
	    (SELECT r.email FROM users r WHERE r.id = p_user_id), p_email))
	AND NOT mail_suppressed(a.email);
$$;

-- A reply became visible: its parent's author hears of it, at most one
-- mail per 15 minutes (later replies are gathered into the next one).
-- The address's row is read FOR SHARE: a mail to it being recorded as
-- sent (mail_record updates the row) is waited for, so this reply either
-- was seen by that record, which queued the next mail, or sees the new
-- time of the last one; never a second mail at once. Replies to one
-- address do not wait for each other.
CREATE OR REPLACE FUNCTION mail_reply_approved(p_id bigint, p_parent bigint,
	p_user_id bigint, p_email text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_to bigint := mail_reply_recipient(p_parent, p_user_id, p_email);
	v_last timestamptz;
BEGIN
	IF v_to IS NULL THEN
		RETURN;
	END IF;
	SELECT replies_sent_at INTO v_last FROM mail_addresses
	    WHERE id = v_to FOR SHARE;
	INSERT INTO mail_items (address_id, kind, comment_id)
	VALUES (v_to, 'reply', p_id) ON CONFLICT DO NOTHING;
	PERFORM mail_queue(v_to, 'replies',
	    coalesce(v_last + interval '15 minutes', now()));
END $$;

-- A comment was held: each moderator who asked for digests hears of it
-- in the next one, at most every moderator_digest_minutes.
CREATE OR REPLACE FUNCTION mail_comment_held(p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_every interval := make_interval(mins => coalesce((SELECT
	    value::text::integer FROM settings
	    WHERE name = 'moderator_digest_minutes'), 15));
	v record;
BEGIN
	-- FOR SHARE: as in mail_reply_approved.
	FOR v IN SELECT a.id, a.digest_sent_at FROM users u
	    JOIN mail_addresses a ON lower(a.email) = lower(u.email)
	    WHERE u.mail_held AND u.role IN ('moderator', 'admin')
	    AND a.state = 'confirmed'
	    FOR SHARE OF a
	LOOP
		INSERT INTO mail_items (address_id, kind, comment_id)
		VALUES (v.id, 'held', p_id) ON CONFLICT DO NOTHING;
		PERFORM mail_queue(v.id, 'digest',
		    coalesce(v.digest_sent_at + v_every, now()));
	END LOOP;
END $$;

-- In the transaction of the change itself, so an acknowledged reply
-- never loses its mail. Imports bring history, not news.
CREATE OR REPLACE FUNCTION comments_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status = 'approved' AND NEW.parent_id IS NOT NULL
	    AND (TG_OP = 'INSERT' OR OLD.status <> 'approved') THEN
		PERFORM mail_reply_approved(NEW.id, NEW.parent_id, NEW.user_id,
		    NEW.author_email);
	ELSIF NEW.status = 'pending'
	    AND (TG_OP = 'INSERT' OR OLD.status <> 'pending') THEN
		PERFORM mail_comment_held(NEW.id);
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER comments_mail AFTER INSERT OR UPDATE OF status
    ON comments FOR EACH ROW
    WHEN (NOT importing())
    EXECUTE FUNCTION comments_mail();

-- A guest's comment asked for replies (POST /api/v1/comments with
-- "notify": true), or a member's: the member's switch goes on.
CREATE OR REPLACE FUNCTION mail_comment_notify(p_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_user bigint;
	v_email text;
BEGIN
	SELECT c.user_id, coalesce(u.email, c.author_email)
	    INTO v_user, v_email
	    FROM comments c LEFT JOIN users u ON u.id = c.user_id
	    WHERE c.id = p_id AND c.status IN ('approved', 'pending');
	IF v_email IS NULL THEN
		RETURN NULL;
	END IF;
	IF v_user IS NULL THEN
		UPDATE comments SET notify = true WHERE id = p_id;
	ELSE
		UPDATE users SET notify_replies = true WHERE id = v_user;
	END IF;
	RETURN mail_subscribe(v_email);
END $$;

-- A member's switches (PATCH /api/v1/me/mail): NULL leaves one as it is.
-- Turning one on asks for the address's confirmation if it has none
-- (mail_subscribe). mail: as mail_user_get says it afterwards.
CREATE OR REPLACE FUNCTION mail_user_set(p_user bigint,
	p_notify_replies boolean, p_mail_held boolean,
	OUT notify_replies boolean, OUT mail_held boolean, OUT mail text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v users%ROWTYPE;
BEGIN
	UPDATE users u SET
	    notify_replies = coalesce(p_notify_replies, u.notify_replies),
	    mail_held = coalesce(p_mail_held, u.mail_held)
	    WHERE u.id = p_user RETURNING u.* INTO v;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF p_notify_replies OR p_mail_held THEN
		PERFORM mail_subscribe(v.email);
	END IF;
	SELECT g.notify_replies, g.mail_held, g.mail
	    INTO notify_replies, mail_held, mail FROM mail_user_get(p_user) g;
END $$;

-- A member's switches and whether their address is confirmed.
CREATE OR REPLACE FUNCTION mail_user_get(p_user bigint,
	OUT notify_replies boolean, OUT mail_held boolean, OUT mail text)
LANGUAGE sql STABLE AS $$
	SELECT u.notify_replies, u.mail_held,
	    CASE WHEN mail_suppressed(u.email) THEN 'suppressed'
	    WHEN a.state = 'confirmed' THEN 'subscribed'
	    WHEN a.state = 'unsubscribed' THEN 'unsubscribed'
	    WHEN a.id IS NOT NULL THEN 'confirming' END
	FROM users u LEFT JOIN mail_addresses a
	    ON lower(a.email) = lower(u.email)
	WHERE u.id = p_user;
$$;

-- ------------------------------------------------------ the deliverer

-- Claims due mail for p_lease_seconds, as delivery_claim does hooks.
CREATE OR REPLACE FUNCTION mail_claim(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (id bigint, kind text, address_id bigint, email text)
LANGUAGE sql AS $$
	WITH due AS (
		SELECT o.id FROM mail_outbox o
		WHERE o.state = 'pending' AND o.next_at <= now()
		ORDER BY o.next_at, o.id
		FOR UPDATE SKIP LOCKED LIMIT p_limit
	), claimed AS (
		UPDATE mail_outbox o
		SET next_at = now() + make_interval(secs => p_lease_seconds)
		FROM due WHERE o.id = due.id
		RETURNING o.id, o.kind, o.address_id
	)
	SELECT c.id, c.kind, c.address_id, a.email
	FROM claimed c JOIN mail_addresses a ON a.id = c.address_id;
$$;

-- Whether a claimed mail may go now: 'send', 'cancel' (nothing left to
-- tell, unsubscribed or suppressed: the mail is dropped) or 'later' (a
-- cap is reached: the mail waits; its new time is set here). The caps
-- count what left in the last hour, for the address and for the site.
CREATE OR REPLACE FUNCTION mail_check(p_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	o mail_outbox%ROWTYPE;
	a mail_addresses%ROWTYPE;
	v_cap_one integer := coalesce((SELECT value::text::integer
	    FROM settings WHERE name = 'mail_recipient_hourly_max'), 6);
	v_cap_all integer := coalesce((SELECT value::text::integer
	    FROM settings WHERE name = 'mail_hourly_max'), 1000);
	v_first timestamptz;
BEGIN
	SELECT * INTO o FROM mail_outbox WHERE id = p_id AND state = 'pending';
	IF NOT FOUND THEN
		RETURN 'gone';
	END IF;
	SELECT * INTO a FROM mail_addresses WHERE id = o.address_id;
	-- A privacy link goes whatever the address's state: its owner asked.
	IF mail_suppressed(a.email)
	    OR (o.kind = 'confirm' AND a.state = 'confirmed')
	    OR (o.kind IN ('replies', 'digest') AND (a.state <> 'confirmed'
	        OR NOT EXISTS (SELECT 1 FROM mail_items_due(p_id)))) THEN
		UPDATE mail_outbox SET state = 'cancelled' WHERE id = p_id;
		RETURN 'cancel';
	END IF;
	SELECT min(sent_at) INTO v_first FROM (SELECT x.sent_at
	    FROM mail_outbox x WHERE x.address_id = a.id AND x.state = 'sent'
	    AND x.sent_at > now() - interval '1 hour'
	    ORDER BY x.sent_at DESC LIMIT v_cap_one) s
	    HAVING count(*) >= v_cap_one;
	IF v_first IS NULL THEN
		SELECT min(sent_at) INTO v_first FROM (SELECT x.sent_at
		    FROM mail_outbox x WHERE x.state = 'sent'
		    AND x.sent_at > now() - interval '1 hour'
		    ORDER BY x.sent_at DESC LIMIT v_cap_all) s
		    HAVING count(*) >= v_cap_all;
	END IF;
	IF v_first IS NOT NULL THEN
		UPDATE mail_outbox SET next_at = v_first + interval '1 hour'
		    WHERE id = p_id;
		RETURN 'later';
	END IF;
	RETURN 'send';
END $$;

-- What a notification or digest tells: the replies still approved, or the
-- comments still held, oldest first (at most 50; the rest wait for the
-- next mail).
CREATE OR REPLACE FUNCTION mail_items_due(p_id bigint)
RETURNS TABLE (item_id bigint, comment_id bigint, author_name text,
	body text, reason text, post_key text, post_title text, post_url text,
	created_at timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT i.id, c.id, c.author_name, c.body, c.reason, p.key, p.title,
	    p.url, c.created_at
	FROM mail_outbox o
	JOIN mail_items i ON i.address_id = o.address_id
	    AND i.kind = CASE o.kind WHEN 'replies' THEN 'reply' ELSE 'held' END
	JOIN comments c ON c.id = i.comment_id
	JOIN posts p ON p.id = c.post_id
	WHERE o.id = p_id
	AND c.status = CASE o.kind WHEN 'replies' THEN 'approved'
	    ELSE 'pending' END
	ORDER BY i.id LIMIT 50;
$$;

-- Records an attempt: success ends the mail, keeps the hash of its link's
-- token (made by the deliverer, which alone saw the token) and forgets
-- what it told (up to p_last_item: items gathered while it was sent wait
-- for the next one, queued here); a failure is tried again with backoff
-- for a day; a permanent refusal of the address (p_refused) suppresses
-- it. One commit per mail: should it be lost after the mail left, the
-- mail goes again, with a token that works.
CREATE OR REPLACE FUNCTION mail_record(p_id bigint, p_sent boolean,
	p_status integer, p_error text, p_refused boolean, p_last_item bigint,
	p_token_hash bytea)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	o mail_outbox%ROWTYPE;
	v_email text;
BEGIN
	-- The address first, then the mail: the order the producers lock in
	-- (mail_reply_approved: its FOR SHARE, then the outbox), so they wait
	-- for this record instead of deadlocking with it.
	IF p_sent THEN
		PERFORM 1 FROM mail_addresses a
		    JOIN mail_outbox x ON a.id = x.address_id
		    WHERE x.id = p_id FOR NO KEY UPDATE OF a;
	END IF;
	SELECT * INTO o FROM mail_outbox WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR o.state <> 'pending' THEN
		RETURN 'gone';
	END IF;
	IF p_sent THEN
		INSERT INTO mail_tokens (token_hash, address_id, kind, expires_at)
		VALUES (p_token_hash, o.address_id,
		    CASE WHEN o.kind IN ('confirm', 'privacy') THEN o.kind
		    ELSE 'unsubscribe' END,
		    CASE WHEN o.kind IN ('confirm', 'privacy')
		    THEN now() + interval '48 hours' END);
		UPDATE mail_outbox SET state = 'sent', sent_at = now(),
		    attempts = attempts + 1, last_status = p_status,
		    last_error = NULL WHERE id = p_id;
		IF o.kind IN ('confirm', 'privacy') THEN
			RETURN 'sent';
		END IF;
		DELETE FROM mail_items WHERE address_id = o.address_id
		    AND kind = CASE o.kind WHEN 'replies' THEN 'reply'
		    ELSE 'held' END AND id <= coalesce(p_last_item, 0);
		IF o.kind = 'replies' THEN
			UPDATE mail_addresses SET replies_sent_at = now()
			    WHERE id = o.address_id;
		ELSE
			UPDATE mail_addresses SET digest_sent_at = now()
			    WHERE id = o.address_id;
		END IF;
		IF EXISTS (SELECT 1 FROM mail_items WHERE
		    address_id = o.address_id AND kind = CASE o.kind
		    WHEN 'replies' THEN 'reply' ELSE 'held' END) THEN
			PERFORM mail_queue(o.address_id, o.kind,
			    now() + CASE o.kind WHEN 'replies'
			    THEN interval '15 minutes' ELSE make_interval(
			    mins => coalesce((SELECT value::text::integer
			    FROM settings WHERE name =
			    'moderator_digest_minutes'), 15)) END);
		END IF;
		RETURN 'sent';
	END IF;
	IF p_refused OR o.created_at < now() - interval '1 day' THEN
		UPDATE mail_outbox SET state = 'failed', failed_at = now(),
		    attempts = attempts + 1, last_status = p_status,
		    last_error = p_error WHERE id = p_id;
		IF p_refused THEN
			SELECT email INTO v_email FROM mail_addresses
			    WHERE id = o.address_id;
			INSERT INTO mail_suppressions (email_hash, reason)
			VALUES (mail_email_hash(v_email), 'refused: ' ||
			    left(coalesce(p_error, ''), 200))
			ON CONFLICT DO NOTHING;
		END IF;
		RETURN 'failed';
	END IF;
	UPDATE mail_outbox SET attempts = attempts + 1, last_status = p_status,
	    last_error = p_error,
	    next_at = now() + least(interval '1 hour',
	        interval '30 seconds' * (2 ^ least(o.attempts, 10)))
	WHERE id = p_id;
	RETURN 'retry';
END $$;

-- Gives claimed mail back at once (a stop), as delivery_release.
CREATE OR REPLACE FUNCTION mail_release(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	UPDATE mail_outbox SET next_at = now()
	WHERE id = ANY (p_ids) AND state = 'pending' AND next_at > now();
$$;

-- Old mail and expired confirmation and privacy links go now and then.
CREATE OR REPLACE FUNCTION mail_prune() RETURNS void
LANGUAGE sql AS $$
	DELETE FROM mail_outbox WHERE state <> 'pending'
	    AND created_at < now() - interval '7 days';
	DELETE FROM mail_tokens WHERE kind IN ('confirm', 'privacy')
	    AND expires_at < now() - interval '7 days';
$$;

-- --------------------------------------------------- links in mail

-- What a link's token stands for, for the page that asks to confirm:
-- the address and whether the token still works. No row: unknown.
CREATE OR REPLACE FUNCTION mail_token_peek(p_hash bytea, p_kind text,
	OUT email text, OUT usable boolean)
LANGUAGE sql STABLE AS $$
	SELECT a.email, (t.used_at IS NULL OR t.kind = 'unsubscribe')
	    AND (t.expires_at IS NULL OR t.expires_at > now())
	FROM mail_tokens t JOIN mail_addresses a ON a.id = t.address_id
	WHERE t.token_hash = p_hash AND t.kind = p_kind;
$$;

-- The POST behind a confirmation link: 'confirmed', 'expired' (or used),
-- 'unknown'. Single use.
CREATE OR REPLACE FUNCTION mail_confirm(p_hash bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t mail_tokens%ROWTYPE;
BEGIN
	SELECT * INTO t FROM mail_tokens
	    WHERE token_hash = p_hash AND kind = 'confirm' FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	IF t.used_at IS NOT NULL OR t.expires_at <= now() THEN
		RETURN 'expired';
	END IF;
	UPDATE mail_tokens SET used_at = now() WHERE token_hash = p_hash;
	UPDATE mail_addresses SET state = 'confirmed', confirmed_at = now()
	    WHERE id = t.address_id;
	RETURN 'confirmed';
END $$;

-- The POST behind an unsubscribe link, and RFC 8058's one-click POST:
-- 'unsubscribed' (again, harmlessly, when repeated) or 'unknown'. Waiting
-- mail to the address is dropped, and its members' switches go off.
CREATE OR REPLACE FUNCTION mail_unsubscribe(p_hash bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_address bigint;
BEGIN
	SELECT address_id INTO v_address FROM mail_tokens
	    WHERE token_hash = p_hash AND kind = 'unsubscribe';
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	UPDATE mail_addresses SET state = 'unsubscribed' WHERE id = v_address;
	UPDATE mail_outbox SET state = 'cancelled'
	    WHERE address_id = v_address AND state = 'pending';
	DELETE FROM mail_items WHERE address_id = v_address;
	UPDATE users SET notify_replies = false, mail_held = false
	    WHERE lower(email) = (SELECT lower(email) FROM mail_addresses
	    WHERE id = v_address);
	RETURN 'unsubscribed';
END $$;

-- Mail: reply notifications with double opt-in and moderators' digests
-- of held comments (README, "E-mail notifications"). Mail goes through an
-- outbox written in the transaction of the change that causes it; the
-- deliverer (app/mail_send.c, beside the hooks) sends it.

-- Each address Parley may mail, confirmed once by double opt-in. An
-- address that unsubscribes is mailed nothing more until it confirms
-- again.
CREATE TABLE mail_addresses (
    id bigserial PRIMARY KEY,
    email text NOT NULL CHECK (octet_length(email) <= 254),
    state text NOT NULL DEFAULT 'unconfirmed'
        CHECK (state IN ('unconfirmed', 'confirmed', 'unsubscribed')),
    confirmed_at timestamptz,
    -- When the last reply notification or digest left: the next waits
    -- 15 minutes (or the digest interval) after it.
    replies_sent_at timestamptz,
    digest_sent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mail_addresses_email ON mail_addresses (lower(email));

-- Addresses never to be mailed again: a relay's permanent refusal, or an
-- erasure. Only a hash of the lower-cased address is kept.
CREATE TABLE mail_suppressions (
    email_hash bytea PRIMARY KEY CHECK (octet_length(email_hash) = 32),
    reason text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Tokens in mailed links, 32 random bytes made by the deliverer as it
-- sends; only their BLAKE2b hash is kept. A confirmation is used once and
-- expires after 48 hours; an unsubscribe token never expires.
CREATE TABLE mail_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    address_id bigint NOT NULL REFERENCES mail_addresses (id)
        ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('confirm', 'unsubscribe')),
    expires_at timestamptz,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_tokens_address ON mail_tokens (address_id);

-- One mail to send: a confirmation, the replies gathered for an address,
-- or a moderator's digest. At most one of each kind waits per address.
CREATE TABLE mail_outbox (
    id bigserial PRIMARY KEY,
    address_id bigint NOT NULL REFERENCES mail_addresses (id)
        ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('confirm', 'replies', 'digest')),
    state text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    next_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    last_status integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE UNIQUE INDEX mail_outbox_waiting ON mail_outbox (address_id, kind)
    WHERE state = 'pending';
CREATE INDEX mail_outbox_due ON mail_outbox (next_at) WHERE state = 'pending';
-- The caps count what left in the last hour.
CREATE INDEX mail_outbox_sent ON mail_outbox (sent_at) WHERE state = 'sent';

-- What a waiting notification or digest will tell: the approved replies
-- to an address's comments, or the comments held for a moderator.
CREATE TABLE mail_items (
    id bigserial PRIMARY KEY,
    address_id bigint NOT NULL REFERENCES mail_addresses (id)
        ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('reply', 'held')),
    comment_id bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (address_id, kind, comment_id)
);
CREATE INDEX mail_items_comment ON mail_items (comment_id);

-- A guest's comment asks for replies by e-mail ("notify": true); a
-- member asks once for all their comments, and a moderator for digests.
ALTER TABLE comments ADD COLUMN notify boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN notify_replies boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN mail_held boolean NOT NULL DEFAULT false;

INSERT INTO settings (name, value) VALUES
    ('moderator_digest_minutes', '15'),
    -- Mails one address gets in an hour at most, and the whole site.
    ('mail_recipient_hourly_max', '6'),
    ('mail_hourly_max', '1000')
ON CONFLICT (name) DO NOTHING;

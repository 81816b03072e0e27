-- Privacy (sql/functions/privacy.sql): a commenter's data exported and
-- erased on request, and network addresses kept only ip_retention_days.

-- A guest proves an address by a link mailed to it: the outbox's new kind
-- of mail and of token.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('confirm', 'replies', 'digest', 'privacy'));
ALTER TABLE mail_tokens DROP CONSTRAINT mail_tokens_kind_check;
ALTER TABLE mail_tokens ADD CONSTRAINT mail_tokens_kind_check
    CHECK (kind IN ('confirm', 'unsubscribe', 'privacy'));

-- Requests for such a link, as POST /api/v1/privacy/request received
-- them. Every request is written the same way, whether or not the address
-- has data, so the answer tells nothing; the deliverer then mails a link
-- only to an address that has data (privacy_requests_take) and deletes
-- the request within seconds.
CREATE TABLE privacy_requests (
    id bigserial PRIMARY KEY,
    email text NOT NULL CHECK (octet_length(email) <= 254),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX privacy_requests_email ON privacy_requests (lower(email));

-- When a vote was cast: a guest's vote is keyed by a hash of its network
-- address, which is forgotten after ip_retention_days like the others.
-- Votes cast before this migration count from now.
-- No index for it, nor for comments' addresses by age: the daily job
-- reads them once a day, while every vote and comment would pay for one.
ALTER TABLE votes ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

INSERT INTO settings (name, value) VALUES ('ip_retention_days', '90')
ON CONFLICT (name) DO NOTHING;

-- A guest's comments by their address, whatever their status (export,
-- erase, and whether a privacy request has anything to mail about). It
-- replaces the approved-only index the first-comment rule used: one index
-- on comments, not two.
DROP INDEX comments_email_approved;
CREATE INDEX comments_email ON comments (lower(author_email))
    WHERE author_email IS NOT NULL;

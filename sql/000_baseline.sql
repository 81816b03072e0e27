-- Parley's schema as migrations 001-021 left it, squashed into one file
-- before any production database existed. Tables, indexes and settings
-- only: every function and trigger lives once, in sql/functions/, and is
-- applied after the numbered migrations on every migrate (see
-- scripts/migrate.sh). A database migrated before the squash has 001-021
-- recorded; migrate records this file as applied there, since its schema
-- is the same (the migration test compares the two).

-- ------------------------------------------------------------ readers

-- Posts and comments: the readers' side of Parley. A post's approved
-- count is counted where it is read (post_comment_count, an index-only
-- count): a stored count made every comment of a post wait for the
-- previous one's commit.
CREATE TABLE posts (
	id		bigserial PRIMARY KEY,
	key		text NOT NULL UNIQUE
			CHECK (octet_length(key) BETWEEN 1 AND 256),
	title		text NOT NULL DEFAULT '',
	url		text NOT NULL DEFAULT '',
	open		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now()
);

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

CREATE TABLE comments (
	id		bigserial PRIMARY KEY,
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	parent_id	bigint REFERENCES comments (id),
	-- 0 for top-level comments; replies are parent's depth + 1.
	depth		smallint NOT NULL DEFAULT 0 CHECK (depth >= 0),
	author_name	text NOT NULL,
	author_email	text,
	author_url	text,
	body		text NOT NULL,
	html		text NOT NULL,
	status		text NOT NULL
			CHECK (status IN ('pending', 'approved', 'spam', 'deleted')),
	score		integer NOT NULL DEFAULT 0,
	ip		inet,
	-- The moderation pipeline's verdict and its reason.
	verdict		text,
	reason		text,
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	edited_at	timestamptz,
	user_id		bigint REFERENCES users (id) ON DELETE SET NULL,
	-- A guest's edit token, hashed (BLAKE2b).
	edit_token_hash	bytea
	    CHECK (edit_token_hash IS NULL OR octet_length(edit_token_hash) = 32)
);

CREATE INDEX comments_post_created ON comments (post_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_user ON comments (user_id) WHERE user_id IS NOT NULL;
-- The rate limit (rate_wait) and the first-comment rule (comment_facts).
CREATE INDEX comments_ip_created ON comments (ip, created_at)
    WHERE ip IS NOT NULL;
CREATE INDEX comments_user_created ON comments (user_id, created_at)
    WHERE user_id IS NOT NULL;
CREATE INDEX comments_email_approved ON comments (lower(author_email))
    WHERE status = 'approved' AND author_email IS NOT NULL;
-- The moderation queue.
CREATE INDEX comments_status_id ON comments (status, id DESC);
-- Counts, and duplicates found by the body's hash.
CREATE INDEX comments_post_approved ON comments (post_id)
    WHERE status = 'approved';
CREATE INDEX comments_post_body ON comments (post_id, md5(body));

-- One vote per account ('u:ID') or per guest ('g:' + keyed hash of the IP).
CREATE TABLE votes (
	comment_id	bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	voter		text NOT NULL,
	value		smallint NOT NULL CHECK (value IN (-1, 1)),
	PRIMARY KEY (comment_id, voter)
);

-- ------------------------------------------------------------ accounts

-- Only a BLAKE2b hash of each session token is kept.
CREATE TABLE sessions (
	token_hash	bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

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

-- ------------------------------------------------------------ moderation

-- Settings as JSON values; SPEC.md lists them.
CREATE TABLE settings (
	name		text PRIMARY KEY,
	value		jsonb NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

INSERT INTO settings (name, value) VALUES
	('require_approval', 'false'),
	('first_comment_approval', 'true'),
	('max_links', '2'),
	('hold_words', '[]'),
	('disallowed_words', '[]'),
	('rate_limit_per_minute', '5'),
	('edit_window_seconds', '900'),
	('max_depth', '5'),
	('allow_guests', 'true'),
	-- How long the pipeline waits for the verdict hook.
	('verdict_timeout_ms', '2000'),
	-- Sites: the origins that may write to Parley from a browser,
	-- besides the configuration file's (sites_changed announces them).
	('allowed_origins', '[]');

CREATE TABLE bans (
	id		bigserial PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('account', 'email', 'ip')),
	value		text NOT NULL,
	reason		text NOT NULL DEFAULT '',
	expires_at	timestamptz,
	created_by	bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	-- An IP ban holds an address or a CIDR block.
	CHECK (kind <> 'ip' OR value::cidr IS NOT NULL)
);

CREATE INDEX bans_kind ON bans (kind);

-- Append-only (audit_log_append_only).
CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	actor_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	actor_name	text NOT NULL,
	action		text NOT NULL,
	target_type	text NOT NULL,
	target_id	text NOT NULL,
	before		jsonb,
	after		jsonb,
	at		timestamptz NOT NULL DEFAULT now()
);

-- ------------------------------------------------------------ hooks

-- Hooks: signed event webhooks fed by an outbox, and the verdict hook.
--
-- Every change that makes an event writes it to the outbox (events) from
-- a trigger, in the transaction of the change itself: an acknowledged
-- change never loses its event. Each event fans out to one delivery per
-- enabled hook that wants it; parley-deliver sends them in the
-- background, claiming due deliveries with FOR UPDATE SKIP LOCKED so
-- several deliverers never send the same attempt at once.
CREATE TABLE hooks (
	id			bigserial PRIMARY KEY,
	-- Any case of scheme.
	url			text NOT NULL CHECK (url ~* '^https?://[^[:space:]]+$'
				    AND octet_length(url) <= 2048),
	kind			text NOT NULL CHECK (kind IN ('event', 'verdict')),
	-- Event types wanted; empty: all of them.
	events			text[] NOT NULL DEFAULT '{}',
	enabled			boolean NOT NULL DEFAULT true,
	-- nonce || crypto_secretbox(secret), under the server's key.
	secret			bytea NOT NULL,
	-- After a rotation the previous secret signs too, until then.
	old_secret		bytea,
	old_secret_until	timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
	id		bigserial PRIMARY KEY,
	uuid		uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
	type		text NOT NULL,
	data		jsonb NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deliveries (
	id		bigserial PRIMARY KEY,
	-- X-Parley-Delivery: the same on every attempt, for receivers to
	-- drop repeats.
	uuid		uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
	hook_id		bigint NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
	event_id	bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	state		text NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'success', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	last_status	integer,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_hook ON deliveries (hook_id, id DESC);

CREATE TABLE delivery_attempts (
	id		bigserial PRIMARY KEY,
	delivery_id	bigint NOT NULL REFERENCES deliveries (id)
			ON DELETE CASCADE,
	at		timestamptz NOT NULL DEFAULT now(),
	status		integer,		-- HTTP status; NULL: no answer
	duration_ms	integer NOT NULL,
	error		text,
	response	text			-- the first bytes of the answer
);

CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);

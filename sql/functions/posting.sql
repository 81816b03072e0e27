-- What the server calls to post a comment: comment_insert, in a
-- transaction marked so that its thread triggers stay quiet and the
-- worker announces the post after the commit (see announce_later).
-- Its arguments grew ("notify"): the old one goes first.
DROP FUNCTION IF EXISTS comment_create(text, text, text, bigint, integer,
    bigint, text, text, text, text, text, text, inet, bytea, text, text,
    integer);
-- p_notify: the author asked for replies by e-mail; mail says what came
-- of it (mail_comment_notify), NULL when not asked.
CREATE OR REPLACE FUNCTION comment_create(
	p_key text, p_title text, p_url text, p_parent_id bigint,
	p_max_depth integer, p_user_id bigint, p_author_name text,
	p_author_email text, p_author_url text, p_body text, p_html text,
	p_status text, p_ip inet, p_edit_token_hash bytea,
	p_verdict text, p_reason text, p_rate_limit integer, p_notify boolean,
	OUT err text, OUT comment_id bigint, OUT parent_id bigint,
	OUT created_at timestamptz, OUT avatar_seed text, OUT mail text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('parley.announce_later', 'on', true);
	SELECT * INTO err, comment_id, parent_id, created_at, avatar_seed
	    FROM comment_insert(p_key, p_title, p_url, p_parent_id,
	    p_max_depth, p_user_id, p_author_name, p_author_email,
	    p_author_url, p_body, p_html, p_status, p_ip, p_edit_token_hash,
	    p_verdict, p_reason, p_rate_limit);
	IF err IS NULL AND p_notify THEN
		mail := mail_comment_notify(comment_id);
	END IF;
END $$;

-- Sets, changes or withdraws (value 0) a vote and returns the score and
-- the key of the comment's post: the worker that took the vote drops that
-- post's cached answers at once, so the voter's next read shows the new
-- score (the other workers hear of it from the comments trigger).
-- err: 'not_found' (no such approved comment), 'own_comment'.
CREATE OR REPLACE FUNCTION vote_set(p_comment_id bigint, p_voter text, p_value integer,
	p_user_id bigint, OUT err text, OUT score integer, OUT post text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_author	bigint;
	v_old		integer;
BEGIN
	SELECT c.user_id, p.key INTO v_author, post
	    FROM comments c JOIN posts p ON p.id = c.post_id
	    WHERE c.id = p_comment_id AND c.status = 'approved'
	    FOR UPDATE OF c;
	IF NOT FOUND THEN
		err := 'not_found';
		post := NULL;
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

-- The first unexpired ban that matches an account, e-mail or IP; no row
-- when none. A SQL set-returning function, so PostgreSQL inlines it into
-- the statement that calls it (planned once, with it).
CREATE OR REPLACE FUNCTION ban_find(p_user_id bigint, p_email text, p_ip inet)
RETURNS TABLE (id bigint, kind text, reason text)
LANGUAGE sql STABLE AS $$
	SELECT b.id, b.kind, b.reason FROM bans b
	WHERE (b.expires_at IS NULL OR b.expires_at > now())
	AND ((b.kind = 'account' AND b.value = p_user_id::text)
	    OR (b.kind = 'email' AND lower(b.value) = lower(p_email))
	    OR (b.kind = 'ip' AND p_ip <<= b.value::inet))
	ORDER BY b.id LIMIT 1;
$$;

-- The rate limit. Seconds until one more comment is allowed, when the
-- last minute already holds p_limit comments from this block (an IPv6
-- client is counted by its /64) or this account; 0 otherwise. Posts from
-- one address already queue in comment_insert before this check; posts
-- from one /64 queue here too, so parallel posts from many addresses of
-- it cannot all pass. VOLATILE so that the reads after that lock see
-- what the one before it committed.
CREATE OR REPLACE FUNCTION rate_wait(p_user_id bigint, p_ip inet,
	p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	v_net		cidr;
	v_by_ip		timestamptz;	-- the p_limit-th latest of the minute
	v_by_user	timestamptz;
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
		SELECT c.created_at INTO v_by_ip FROM comments c
		    WHERE c.ip BETWEEN set_masklen(v_net::inet, 128)
		    AND set_masklen(broadcast(v_net), 128) AND c.ip <<= v_net
		    AND c.created_at > now() - interval '1 minute'
		    AND c.import_source IS NULL
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
	ELSIF p_ip IS NOT NULL THEN
		SELECT c.created_at INTO v_by_ip FROM comments c
		    WHERE c.ip = p_ip
		    AND c.created_at > now() - interval '1 minute'
		    AND c.import_source IS NULL
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
	END IF;
	IF p_user_id IS NOT NULL THEN
		SELECT c.created_at INTO v_by_user FROM comments c
		    WHERE c.user_id = p_user_id
		    AND c.created_at > now() - interval '1 minute'
		    ORDER BY c.created_at DESC OFFSET p_limit - 1 LIMIT 1;
	END IF;
	-- That comment leaves the minute's window at +1 minute; greatest()
	-- skips a NULL (fewer than p_limit comments: no wait).
	RETURN coalesce(ceil(extract(epoch FROM greatest(v_by_ip, v_by_user)
	    + interval '1 minute' - now())), 0)::integer;
END $$;

-- Everything the pipeline needs to judge a new comment, in one row: the
-- settings, whether the post is open, a ban, the rate limit's wait, a
-- duplicate (found by the body's hash), whether the author has an
-- approved comment, and the verdict hook.
CREATE OR REPLACE FUNCTION comment_facts(p_key text, p_user_id bigint,
	p_email text, p_ip inet, p_body text, p_author_name text,
	OUT settings jsonb, OUT post_open boolean, OUT ban_kind text,
	OUT ban_reason text, OUT rate_wait integer, OUT duplicate boolean,
	OUT prior_approved boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_post	posts%ROWTYPE;
BEGIN
	SELECT coalesce(jsonb_object_agg(s.name, s.value), '{}')
	    INTO settings FROM public.settings s;
	SELECT * INTO v_post FROM posts p WHERE p.key = p_key;
	post_open := coalesce(v_post.open, true);
	SELECT b.kind, b.reason INTO ban_kind, ban_reason
	    FROM ban_find(p_user_id, p_email, p_ip) b;
	rate_wait := public.rate_wait(p_user_id, p_ip,
	    (settings->>'rate_limit_per_minute')::integer);
	-- The same author posting the same text under the same post lately.
	-- The body's hash finds the candidates (OFFSET 0 keeps the planner
	-- from trading that index for the post's recent comments, which a
	-- plan cached while the table was small would scan in thousands).
	SELECT EXISTS (SELECT 1 FROM (SELECT * FROM comments c
	    WHERE c.post_id = v_post.id AND md5(c.body) = md5(p_body)
	    AND c.import_source IS NULL OFFSET 0) c
	    WHERE c.body = p_body
	    AND c.created_at > now() - interval '10 minutes'
	    AND c.status <> 'deleted'
	    AND CASE WHEN p_user_id IS NOT NULL THEN c.user_id = p_user_id
	        WHEN p_email IS NOT NULL THEN lower(c.author_email) = lower(p_email)
	        ELSE c.ip IS NOT DISTINCT FROM p_ip
	        AND c.author_name = p_author_name END)
	    INTO duplicate;
	SELECT p_email IS NOT NULL AND EXISTS (SELECT 1 FROM comments c
	    WHERE lower(c.author_email) = lower(p_email)
	    AND c.status = 'approved')
	    INTO prior_approved;
END $$;

-- Creates a comment, and its post on the post's first comment, in one
-- statement so a rejected comment leaves nothing behind: every check runs
-- before the first write. Returns one row; err is NULL on success, else a
-- code the caller maps to an HTTP answer. No comment locks its post.
--
-- The depth cap: threads nest at most p_max_depth levels (top level
-- counts as one); a reply past that attaches to its parent's nearest
-- ancestor that may have children.
--
-- A reply may only go under an approved comment, or under the replier's
-- own held one (others' held comments stay invisible). A guest e-mail
-- that belongs to an account is refused. The rate limit is checked again
-- under a lock per address, so concurrent requests on several workers or
-- nodes cannot slip past it together.
CREATE OR REPLACE FUNCTION comment_insert(
	p_key text, p_title text, p_url text, p_parent_id bigint,
	p_max_depth integer, p_user_id bigint, p_author_name text,
	p_author_email text, p_author_url text, p_body text, p_html text,
	p_status text, p_ip inet, p_edit_token_hash bytea,
	p_verdict text, p_reason text, p_rate_limit integer,
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
	IF p_user_id IS NULL AND p_author_email IS NOT NULL AND EXISTS (
	    SELECT 1 FROM users u WHERE lower(u.email) = lower(p_author_email))
	THEN
		err := 'email_taken';
		RETURN;
	END IF;

	IF p_rate_limit > 0 THEN
		PERFORM pg_advisory_xact_lock(hashtextextended(
		    'rate:' || coalesce(p_ip::text, '-'), 0));
		IF p_user_id IS NOT NULL THEN
			PERFORM pg_advisory_xact_lock(hashtextextended(
			    'rate:u:' || p_user_id, 0));
		END IF;
		IF rate_wait(p_user_id, p_ip, p_rate_limit) > 0 THEN
			err := 'rate_limited';
			RETURN;
		END IF;
	END IF;

	SELECT * INTO v_post FROM posts WHERE key = p_key;

	IF p_parent_id IS NOT NULL THEN
		SELECT c.depth INTO v_depth FROM comments c
		    WHERE c.id = p_parent_id AND c.post_id = v_post.id
		    AND (c.status = 'approved' OR (c.status = 'pending'
		    AND c.user_id = p_user_id));
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
		SELECT * INTO v_post FROM posts WHERE key = p_key;
		IF NOT v_post.open THEN
			err := 'post_closed';
			RETURN;
		END IF;
	ELSIF v_post.title = '' AND p_title <> '' THEN
		UPDATE posts SET title = p_title, url = p_url WHERE id = v_post.id;
	END IF;

	-- Before the insert's check of the parent locks that row.
	IF p_status = 'approved' THEN
		PERFORM stream_lock(v_post.id);
	END IF;
	INSERT INTO comments (post_id, parent_id, depth, user_id, author_name,
	    author_email, author_url, body, html, status, ip, edit_token_hash,
	    verdict, reason)
	VALUES (v_post.id, v_parent,
	    CASE WHEN v_parent IS NULL THEN 0 ELSE v_depth + 1 END,
	    p_user_id, p_author_name, p_author_email, p_author_url, p_body,
	    p_html, p_status, p_ip, p_edit_token_hash, p_verdict, p_reason)
	RETURNING comments.id, comments.parent_id, comments.created_at,
	    public.avatar_seed(p_user_id, p_author_email, p_author_name)
	    INTO comment_id, parent_id, created_at, avatar_seed;
END $$;

-- Changes through the readers' endpoints (PATCH and DELETE
-- /api/v1/comments/ID), in one function:
-- * an author may change or remove a held comment and a spam one alike,
--   so the edit token cannot tell the two apart (a spammer learns
--   nothing);
-- * a moderator acting on someone else's comment is audited like the
--   same action from the admin page (comment.edit, comment.trash);
-- * an author's edit is judged again by the content stages: p_status,
--   p_verdict and p_reason, when not NULL, are its new verdict.
-- No row when the comment is gone (or, for authors, already deleted).
CREATE OR REPLACE FUNCTION comment_change(p_id bigint, p_actor bigint,
	p_as_moderator boolean, p_delete boolean, p_body text, p_html text,
	p_status text, p_verdict text, p_reason text)
RETURNS TABLE (edited_at timestamptz, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_status	text;
	v_before	jsonb;
BEGIN
	-- Before the row's lock (stream_lock).
	PERFORM stream_lock(c.post_id) FROM comments c WHERE c.id = p_id;
	SELECT c.status INTO v_status FROM comments c WHERE c.id = p_id
	    FOR UPDATE;
	IF NOT FOUND OR v_status = 'deleted' OR (NOT p_as_moderator AND
	    v_status NOT IN ('approved', 'pending', 'spam')) THEN
		RETURN;
	END IF;
	v_before := comment_audit_json(p_id);
	IF p_delete THEN
		UPDATE comments c SET status = 'deleted' WHERE c.id = p_id;
	ELSE
		UPDATE comments c SET body = p_body, html = p_html,
		    edited_at = now(),
		    status = coalesce(p_status, c.status),
		    verdict = coalesce(p_verdict, c.verdict),
		    reason = coalesce(p_reason, c.reason)
		    WHERE c.id = p_id;
	END IF;
	IF p_as_moderator THEN
		PERFORM audit(p_actor, CASE WHEN p_delete THEN 'comment.trash'
		    ELSE 'comment.edit' END, 'comment', p_id::text, v_before,
		    comment_audit_json(p_id));
	END IF;
	RETURN QUERY SELECT c.edited_at, c.status FROM comments c
	    WHERE c.id = p_id;
END $$;


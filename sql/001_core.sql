-- Posts and comments: the readers' side of Parley.

CREATE TABLE posts (
	id		bigserial PRIMARY KEY,
	key		text NOT NULL UNIQUE
			CHECK (octet_length(key) BETWEEN 1 AND 256),
	title		text NOT NULL DEFAULT '',
	url		text NOT NULL DEFAULT '',
	open		boolean NOT NULL DEFAULT true,
	-- Approved comments, kept by a trigger so counts never scan comments.
	comment_count	integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);

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
	verdict		text,
	reason		text,
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	edited_at	timestamptz
);

CREATE INDEX comments_post_created ON comments (post_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- Keeps posts.comment_count equal to the number of approved comments.
CREATE FUNCTION comments_count_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'approved' THEN
		UPDATE posts SET comment_count = comment_count - 1
		    WHERE id = OLD.post_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'approved' THEN
		UPDATE posts SET comment_count = comment_count + 1
		    WHERE id = NEW.post_id;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER comments_count AFTER INSERT OR DELETE OR UPDATE OF status, post_id
    ON comments FOR EACH ROW EXECUTE FUNCTION comments_count_trigger();

-- Creates a comment, and its post on the post's first comment, in one
-- statement so a rejected comment leaves nothing behind: every check runs
-- before the first write. Returns one row; err is NULL on success, else a
-- code the caller maps to an HTTP answer.
--
-- Threads nest at most p_max_depth levels (top level counts as one); a reply
-- past that attaches to its parent's nearest ancestor that may have
-- children.
CREATE FUNCTION comment_create(
	p_key text, p_title text, p_url text, p_parent_id bigint,
	p_max_depth integer, p_author_name text, p_author_email text,
	p_author_url text, p_body text, p_html text, p_status text, p_ip inet,
	OUT err text, OUT comment_id bigint, OUT parent_id bigint,
	OUT created_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_post		posts%ROWTYPE;
	v_parent	bigint := p_parent_id;
	v_depth		integer;
	v_up		bigint;
BEGIN
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
		-- A post created without a title takes the first one offered.
		UPDATE posts SET title = p_title, url = p_url WHERE id = v_post.id;
	END IF;

	INSERT INTO comments (post_id, parent_id, depth, author_name,
	    author_email, author_url, body, html, status, ip)
	VALUES (v_post.id, v_parent,
	    CASE WHEN v_parent IS NULL THEN 0 ELSE v_depth + 1 END,
	    p_author_name, p_author_email, p_author_url, p_body, p_html,
	    p_status, p_ip)
	RETURNING comments.id, comments.parent_id, comments.created_at
	    INTO comment_id, parent_id, created_at;
END $$;

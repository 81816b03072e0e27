-- Atom feeds of comments (app/feed.c): the newest approved comments of
-- one post, or of the whole site when p_key is NULL, newest first, at
-- most p_limit. Only what a feed shows leaves the database: never an
-- e-mail, an IP or a held comment.
--
-- A post's feed has one row more than its comments when it has none:
-- the post's columns with NULL comment columns, so the feed still gets
-- the post's title and URL. An unknown post gives no row at all.
--
-- PL/pgSQL, like the other functions that read tables (common.sql): each
-- branch's plan is cached for the session. Its columns cannot change
-- with CREATE OR REPLACE: a change needs a DROP FUNCTION first.
CREATE OR REPLACE FUNCTION feed_comments(p_key text, p_limit int)
	RETURNS TABLE (post_key text, post_title text, post_url text,
	    post_created text, id bigint, parent_id bigint,
	    author_name text, html text, created_at text, edited_at text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_key IS NOT NULL THEN
		-- comments_post_created, read backwards.
		RETURN QUERY
		SELECT p.key, p.title, p.url, rfc3339(p.created_at),
		    c.id, c.parent_id, coalesce(u.name, c.author_name),
		    c.html, rfc3339(c.created_at), rfc3339(c.edited_at)
		FROM posts p
		LEFT JOIN LATERAL (SELECT * FROM comments c
		    WHERE c.post_id = p.id AND c.status = 'approved'
		    ORDER BY c.created_at DESC, c.id DESC
		    LIMIT p_limit) c ON true
		LEFT JOIN users u ON u.id = c.user_id
		WHERE p.key = p_key
		ORDER BY c.created_at DESC, c.id DESC;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT p.key, p.title, p.url, rfc3339(p.created_at),
	    c.id, c.parent_id, coalesce(u.name, c.author_name),
	    c.html, rfc3339(c.created_at), rfc3339(c.edited_at)
	FROM (SELECT * FROM comments c WHERE c.status = 'approved'
	    ORDER BY c.created_at DESC, c.id DESC
	    LIMIT p_limit) c
	JOIN posts p ON p.id = c.post_id
	LEFT JOIN users u ON u.id = c.user_id
	ORDER BY c.created_at DESC, c.id DESC;
END $$;

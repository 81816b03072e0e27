-- The demo post #198 and a small discussion, inserted only if the post is
-- not there yet. The HTML is what the Markdown renderer makes of the body.
DO $$
DECLARE
	v_post	bigint;
	v_top	bigint;
BEGIN
	IF EXISTS (SELECT 1 FROM posts WHERE key = '198') THEN
		RETURN;
	END IF;
	INSERT INTO posts (key, title, url)
	VALUES ('198', 'Getting to ''Yes'' With North Korea',
	    'http://127.0.0.1:8080/')
	RETURNING id INTO v_post;

	INSERT INTO comments (post_id, author_name, author_email, body, html,
	    status, created_at)
	VALUES (v_post, 'Mina Park', 'mina@example.org',
	    'A useful summary. The part about sequencing (what each side gives first) is where past talks stalled, and I wish it had gone further into **verification**.',
	    E'<p>A useful summary. The part about sequencing (what each side gives first) is where past talks stalled, and I wish it had gone further into <strong>verification</strong>.</p>\n',
	    'approved', now() - interval '2 hours')
	RETURNING id INTO v_top;

	INSERT INTO comments (post_id, parent_id, depth, author_name,
	    author_email, author_url, body, html, status, created_at)
	VALUES (v_post, v_top, 1, 'Tom Okafor', 'tom@example.org',
	    'https://example.org/tom',
	    'Agreed. Verification is what turns a statement into an agreement; without inspectors on the ground both sides are left guessing.',
	    E'<p>Agreed. Verification is what turns a statement into an agreement; without inspectors on the ground both sides are left guessing.</p>\n',
	    'approved', now() - interval '1 hour');
END $$;

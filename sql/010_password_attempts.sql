-- Changing a password checks the current one: those checks count against
-- the same failed-login limits as logging in (login_lookup counts the
-- attempt), and a successful change takes the attempt back.
DROP FUNCTION user_password_set(bigint, text, bytea);
CREATE FUNCTION user_password_set(p_user_id bigint, p_hash text,
	p_keep_token_hash bytea, p_ip text) RETURNS void
LANGUAGE sql AS $$
	UPDATE users SET password_hash = p_hash WHERE id = p_user_id;
	DELETE FROM sessions WHERE user_id = p_user_id
	    AND token_hash <> p_keep_token_hash;
	DELETE FROM login_failures WHERE kind = 'account'
	    AND key = (SELECT lower(email) FROM users WHERE id = p_user_id);
	DELETE FROM login_failures WHERE id = (SELECT f.id
	    FROM login_failures f WHERE f.kind = 'ip' AND f.key = p_ip
	    ORDER BY f.at DESC LIMIT 1);
$$;

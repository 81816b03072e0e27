-- A change of role, and a password set from the command line, end every
-- session of the account: an address registered ahead of its promotion
-- (e-mail squatting) keeps no session, and no password, into the admin
-- role. Role changes end sessions by trigger, whatever made them.

CREATE FUNCTION role_changed_end_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM sessions WHERE user_id = NEW.id;
	RETURN NULL;
END $$;

CREATE TRIGGER users_role_changed
    AFTER UPDATE OF role ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION role_changed_end_sessions();

-- Replaces 002's: the command line always sets the password it is given
-- (scripts/admin.sh generates one when none is), and ends the sessions.
CREATE OR REPLACE FUNCTION user_make_admin(p_email text, p_hash text,
	p_name text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	IF p_hash IS NULL THEN
		RAISE EXCEPTION 'make admin always sets a password';
	END IF;
	UPDATE users SET role = 'admin', password_hash = p_hash
	    WHERE lower(email) = lower(p_email) RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		INSERT INTO users (email, name, password_hash, role)
		VALUES (p_email, p_name, p_hash, 'admin') RETURNING id INTO v_id;
	END IF;
	DELETE FROM sessions WHERE user_id = v_id;
	RETURN v_id;
END $$;

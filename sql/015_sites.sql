-- Sites: the origins that may write to Parley from a browser, besides the
-- configuration file's. Workers keep the list in memory; a change is
-- announced on "parley_sites" with the new list as its payload (at most
-- 50 origins of 100 bytes, well under NOTIFY's 8000 bytes), so every
-- worker of every node uses it from its next request, with no query.

INSERT INTO settings (name, value) VALUES ('allowed_origins', '[]')
    ON CONFLICT (name) DO NOTHING;

CREATE FUNCTION sites_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('parley_sites', NEW.value::text);
	RETURN NULL;
END $$;

CREATE TRIGGER settings_sites_changed
    AFTER INSERT OR UPDATE OF value ON settings
    FOR EACH ROW WHEN (NEW.name = 'allowed_origins')
    EXECUTE FUNCTION sites_changed();

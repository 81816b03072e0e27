-- Imported comments remember where they came from (a format, "wxr" or
-- "disqus") and their id there, so that importing the same file again
-- adds nothing, and replies find their parents by the export's ids.
ALTER TABLE comments ADD COLUMN import_source text,
    ADD COLUMN import_id text;
CREATE UNIQUE INDEX comments_import ON comments (import_source, import_id)
    WHERE import_source IS NOT NULL;

-- Imports started from the admin page (POST /api/v1/admin/import): each
-- runs in a thread of the worker that took the file, which writes its
-- progress here, so any worker of any node can answer
-- GET /api/v1/admin/import/ID. The importer holds an advisory lock for
-- as long as it runs (import_lock() in sql/functions/import.sql): a job
-- still "running" whose lock is free lost its worker.
CREATE TABLE import_jobs (
    id bigserial PRIMARY KEY,
    format text NOT NULL CHECK (format IN ('wxr', 'disqus', 'parley')),
    key_mode text NOT NULL CHECK (key_mode IN ('id', 'path')),
    state text NOT NULL DEFAULT 'queued'
	CHECK (state IN ('queued', 'running', 'done', 'failed')),
    bytes bigint NOT NULL,
    bytes_read bigint NOT NULL DEFAULT 0,
    read bigint NOT NULL DEFAULT 0,
    imported bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    already bigint NOT NULL DEFAULT 0,
    orphans bigint NOT NULL DEFAULT 0,
    errors jsonb NOT NULL DEFAULT '[]',
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

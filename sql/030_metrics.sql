-- /metrics reads the queues' failures of the last hour at every scrape:
-- a failed hook attempt by its time, and a mail given up by the time it
-- was (failed_at, set by mail_record), each through a small partial index.
CREATE INDEX delivery_attempts_failed ON delivery_attempts (at)
    WHERE status IS NULL OR status NOT BETWEEN 200 AND 299;
ALTER TABLE mail_outbox ADD COLUMN failed_at timestamptz;
CREATE INDEX mail_outbox_failed ON mail_outbox (failed_at)
    WHERE state = 'failed';

-- Pipeline stage 10: how long to wait for the verdict hook.
INSERT INTO settings (name, value) VALUES ('verdict_timeout_ms', '2000');

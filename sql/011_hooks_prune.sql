-- The outbox does not grow for ever: finished deliveries (and their
-- attempts) go after 30 days, and events without deliveries left with
-- them. parley-deliver calls this about once an hour.
CREATE FUNCTION hooks_prune() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n	integer;
BEGIN
	DELETE FROM deliveries
	    WHERE state IN ('success', 'failed')
	    AND created_at < now() - interval '30 days';
	GET DIAGNOSTICS v_n = ROW_COUNT;
	DELETE FROM events e
	    WHERE e.created_at < now() - interval '30 days'
	    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id);
	RETURN v_n;
END $$;

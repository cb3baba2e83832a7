-- The leader's sweep for references parked while their target was being stored concurrently (under
-- READ COMMITTED neither transaction sees the other): applies open references, at most $1 of them
-- and none older than $2 seconds, whose target now exists; marks them resolved. Returns the
-- number of signals ended.
WITH open AS (
SELECT p.* FROM pending_references p WHERE p.resolved_at IS NULL
AND p.created_at > now() - make_interval(secs => $2) ORDER BY p.id DESC LIMIT $1),
candidates AS (
SELECT o.id AS pid, s.id FROM open o JOIN signals s ON s.source = o.ref_source
AND s.external_id = o.ref_identifier
UNION ALL
SELECT o.id, s.id FROM open o JOIN cap_messages m ON m.source = o.ref_source
AND m.identifier = o.ref_identifier JOIN signals s ON s.cap_message_id = m.id),
arrived AS (
SELECT o.id FROM open o WHERE EXISTS (SELECT 1 FROM candidates c WHERE c.pid = o.id)
OR EXISTS (SELECT 1 FROM cap_messages m WHERE m.source = o.ref_source AND m.identifier = o.ref_identifier)),
targets AS (
SELECT DISTINCT ON (s.id) s.id, o.action, o.ended_by, o.ended_at FROM candidates c
JOIN open o ON o.id = c.pid JOIN signals s ON s.id = c.id
WHERE s.partner = o.partner AND s.status = o.status AND s.state = 'active'
ORDER BY s.id, o.ended_at),
resolved AS (
UPDATE pending_references p SET resolved_at = now() FROM arrived a WHERE p.id = a.id RETURNING 1),
ended AS (
UPDATE signals s SET state = CASE WHEN t.action = 'cancel' THEN 'cancelled' ELSE 'superseded' END,
ended_at = t.ended_at, ended_by = t.ended_by FROM targets t WHERE s.id = t.id AND s.state = 'active'
RETURNING 1)
SELECT count(*) FROM ended

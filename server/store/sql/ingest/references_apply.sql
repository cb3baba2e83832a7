-- A reference names (source, identifier): a CAP message's identifier (all its signals) or a
-- signal's external_id. Only active signals of the referrer's partner and status are touched: a
-- partner never ends another partner's signals, an exercise never an actual one. Targets are found
-- by two index lookups (signals (source, external_id); cap_messages (source, identifier) ->
-- signals_cap_message), never by scanning.
-- $1: [{i, partner, source, identifier, action 'cancel'|'update', status, ended_by, ended_at}].
-- References to nothing stored yet are parked in pending_references, while the referrer's partner
-- has fewer than $2 open ones (ingest.max_pending_references; concurrent transactions of one
-- partner may each fill the last places, so the bound is exceeded by at most their references);
-- the rest are dropped. Returns (signals ended, references parked, the dropped inputs' i as
-- "3,7" or '').
WITH input AS (
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, partner text, source text, identifier text,
action text, status text, ended_by text, ended_at timestamptz)),
candidates AS (
SELECT x.i, s.id FROM input x JOIN signals s ON s.source = x.source AND s.external_id = x.identifier
UNION ALL
SELECT x.i, s.id FROM input x JOIN cap_messages m ON m.source = x.source AND m.identifier = x.identifier
JOIN signals s ON s.cap_message_id = m.id),
targets AS (
SELECT DISTINCT ON (s.id) s.id, x.action, x.ended_by, x.ended_at FROM candidates c
JOIN input x ON x.i = c.i JOIN signals s ON s.id = c.id
WHERE s.partner = x.partner AND s.status = x.status AND s.state = 'active'
ORDER BY s.id, x.i),
ended AS (
UPDATE signals s SET state = CASE WHEN t.action = 'cancel' THEN 'cancelled' ELSE 'superseded' END,
ended_at = t.ended_at, ended_by = t.ended_by FROM targets t WHERE s.id = t.id AND s.state = 'active'
RETURNING 1),
unknown AS (
SELECT x.*, row_number() OVER (PARTITION BY x.partner ORDER BY x.i) AS n FROM input x
WHERE NOT EXISTS (SELECT 1 FROM cap_messages m WHERE m.source = x.source AND m.identifier = x.identifier)
AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.source = x.source AND s.external_id = x.identifier)),
room AS (
SELECT q.partner, $2::bigint - (SELECT count(*) FROM (SELECT 1 FROM pending_references p
WHERE p.partner = q.partner AND p.resolved_at IS NULL LIMIT $2::bigint) c) AS free
FROM (SELECT DISTINCT partner FROM unknown) q),
parked AS (
INSERT INTO pending_references (partner, ref_source, ref_identifier, action, status, ended_by, ended_at)
SELECT u.partner, u.source, u.identifier, u.action, u.status, u.ended_by, u.ended_at FROM unknown u
JOIN room r ON r.partner = u.partner WHERE u.n <= r.free
RETURNING 1)
SELECT (SELECT count(*) FROM ended), (SELECT count(*) FROM parked),
(SELECT coalesce(string_agg(u.i::text, ',' ORDER BY u.i), '') FROM unknown u JOIN room r ON r.partner = u.partner
WHERE u.n > r.free)

-- Inserts new signals (ON CONFLICT DO NOTHING). A reference parked earlier for a new signal (by its
-- external_id, or by its CAP message's identifier; same partner and status) ends it on arrival: the
-- row is inserted already cancelled or superseded, and the parked references of the rows actually
-- inserted are marked resolved, in this one statement (no extra round trip for the group commit).
-- A reference parked concurrently with the insert is applied by the leader's sweep
-- (pending_references_sweep).
WITH input AS (
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, source text, external_id text, payload text,
msg_type text, status text, kind text, categories text[], theme text, urgency text, severity text,
certainty text, sent_at timestamptz, onset_at timestamptz, expires_at timestamptz,
municipalities text[], headline text, refs jsonb, partner text, cap_message_id uuid, cap_info_index int,
cap_identifier text)),
parked_all AS (
SELECT x.i, p.id AS pid, p.action, p.ended_by, p.ended_at FROM input x JOIN pending_references p
ON p.resolved_at IS NULL AND p.ref_source = x.source AND p.partner = x.partner AND p.status = x.status
AND (p.ref_identifier = x.external_id OR p.ref_identifier = x.cap_identifier)),
parked AS (SELECT DISTINCT ON (i) i, action, ended_by, ended_at FROM parked_all ORDER BY i, ended_at),
inserted AS (
INSERT INTO signals (source, external_id, content_hash, msg_type, status, kind, categories, theme,
urgency, severity, certainty, sent_at, onset_at, expires_at, municipalities, headline, refs, payload,
received_by, partner, cap_message_id, cap_info_index, state, ended_at, ended_by)
SELECT x.source, x.external_id, sha256(decode(x.payload, 'base64')), x.msg_type, x.status, x.kind,
x.categories, x.theme, x.urgency, x.severity, x.certainty, x.sent_at, x.onset_at, x.expires_at,
x.municipalities, x.headline, x.refs, decode(x.payload, 'base64'), $2, x.partner, x.cap_message_id,
x.cap_info_index,
CASE p.action WHEN 'cancel' THEN 'cancelled' WHEN 'update' THEN 'superseded' ELSE 'active' END,
p.ended_at, p.ended_by
FROM input x LEFT JOIN parked p ON p.i = x.i ORDER BY x.i
ON CONFLICT (source, external_id) DO NOTHING
RETURNING source, external_id, id, received_at),
resolved AS (
UPDATE pending_references p SET resolved_at = now()
FROM parked_all a JOIN input x ON x.i = a.i
JOIN inserted n ON n.source = x.source AND n.external_id = x.external_id
WHERE p.id = a.pid RETURNING 1)
SELECT source, external_id, id::text, extract(epoch FROM received_at)::float8 FROM inserted

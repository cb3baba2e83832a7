-- The engine's columns of a signal (times in microseconds, -1 for none).
-- Signals by id ($1: JSON array of ids), of any status (test and system signals count for their
-- source's freshness; only actual and exercise signals enter a picture).
SELECT id::text, source, theme, municipalities, status, state, msg_type, kind, severity, certainty, urgency,
(extract(epoch FROM sent_at) * 1000000)::bigint,
coalesce((extract(epoch FROM onset_at) * 1000000)::bigint, -1),
coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, -1),
(extract(epoch FROM received_at) * 1000000)::bigint
FROM signals WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)

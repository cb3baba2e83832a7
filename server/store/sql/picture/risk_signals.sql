-- Summaries of signals by id ($1: JSON array), in no particular order.
SELECT id::text, source, external_id, kind, severity, certainty, urgency, headline, state,
(extract(epoch FROM sent_at) * 1000000)::bigint,
coalesce((extract(epoch FROM onset_at) * 1000000)::bigint, -1),
coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, -1)
FROM signals WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)

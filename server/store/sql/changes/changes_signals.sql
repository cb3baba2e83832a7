-- Signals by id ($1: JSON array) with payload and lifecycle.
SELECT id::text, status, state, payload, (extract(epoch FROM received_at) * 1000000)::bigint,
coalesce(ended_by, ''), coalesce((extract(epoch FROM ended_at) * 1000000)::bigint, 0)
FROM signals WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)

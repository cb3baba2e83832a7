-- A signal with its canonical payload and lifecycle.
SELECT id::text, source, external_id, payload, cap_message_id::text, status, state,
extract(epoch FROM received_at)::float8 FROM signals WHERE id = $1::uuid

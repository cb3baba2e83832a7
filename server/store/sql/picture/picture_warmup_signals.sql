-- Signals that can contribute at the warm-up instant: active, and expiring after $1 (microseconds),
-- or without expiry and starting after $2.
SELECT id::text, source, theme, municipalities, status, state, msg_type, kind, severity, certainty, urgency,
(extract(epoch FROM sent_at) * 1000000)::bigint,
coalesce((extract(epoch FROM onset_at) * 1000000)::bigint, -1),
coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, -1),
(extract(epoch FROM received_at) * 1000000)::bigint
FROM signals
WHERE status IN ('actual', 'exercise') AND state = 'active' AND expires_at IS NOT NULL
AND expires_at > to_timestamp($1::bigint / 1000000.0)
UNION ALL SELECT id::text, source, theme, municipalities, status, state, msg_type, kind, severity, certainty, urgency,
(extract(epoch FROM sent_at) * 1000000)::bigint,
coalesce((extract(epoch FROM onset_at) * 1000000)::bigint, -1),
coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, -1),
(extract(epoch FROM received_at) * 1000000)::bigint
FROM signals
WHERE status IN ('actual', 'exercise') AND state = 'active' AND expires_at IS NULL
AND coalesce(onset_at, sent_at) > to_timestamp($2::bigint / 1000000.0)

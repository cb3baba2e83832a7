-- applied_at stays the time the signal was first mirrored (its propagation), a later body
-- (cancelled, superseded) only updates the lifecycle.
INSERT INTO mirror_signals (peer, id, status, state, received_at, ended_at, body)
SELECT $1, x.id, x.status, x.state, to_timestamp(x.received_us / 1000000.0),
CASE WHEN x.ended_us > 0 THEN to_timestamp(x.ended_us / 1000000.0) END, decode(x.body, 'base64')
FROM jsonb_to_recordset($2::jsonb) AS x(id text, status text, state text, received_us bigint, ended_us bigint,
body text)
ON CONFLICT (peer, id) DO UPDATE SET status = EXCLUDED.status, state = EXCLUDED.state,
ended_at = EXCLUDED.ended_at, body = EXCLUDED.body

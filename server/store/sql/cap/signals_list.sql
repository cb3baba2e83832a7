-- Stored signals, newest first, filtered; keyset pagination on (received_at, id).
-- $1 status, $2 state or '', $3 theme (the code and its sub-themes) or '', $4 municipality or '',
-- $5 source or '', $6 cursor received_at in microseconds since the epoch or -1, $7 cursor id,
-- $8 limit.
SELECT id::text, source, external_id, payload, coalesce(cap_message_id::text, ''), status, state,
(extract(epoch FROM received_at) * 1000000)::bigint, coalesce(ended_by, ''),
coalesce((extract(epoch FROM ended_at) * 1000000)::bigint, 0)
FROM signals WHERE status = $1 AND ($2 = '' OR state = $2)
AND ($3 = '' OR theme = $3 OR theme LIKE $3 || '.%') AND ($4 = '' OR $4 = ANY (municipalities))
AND ($5 = '' OR source = $5)
AND ($6::bigint < 0 OR (received_at, id) < ('epoch'::timestamptz + $6::bigint * interval '1 microsecond', $7::uuid))
ORDER BY received_at DESC, id DESC LIMIT $8

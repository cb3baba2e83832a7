-- $2: a state, or '' for all; oldest change first, at most $3.
SELECT id::text, subscription::text, change_xid::text, change_seq, kind, object, state, attempts,
(extract(epoch FROM next_attempt_at) * 1000000)::bigint, coalesce(last_error, ''),
(extract(epoch FROM created_at) * 1000000)::bigint,
coalesce((extract(epoch FROM finished_at) * 1000000)::bigint, 0)
FROM webhook_deliveries WHERE subscription = $1::uuid AND ($2 = '' OR state = $2)
ORDER BY change_xid, change_seq LIMIT $3

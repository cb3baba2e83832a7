-- Enqueues deliveries ($1: JSON array), each for a subscription that still exists; a subscription
-- with $2 deliveries pending gets further ones as dead ("queue full"), so the queue stays bounded
-- and nothing is dropped unseen (dead letters are listed and can be re-queued). Idempotent per
-- (subscription, change).
WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(subscription uuid, xid text, seq bigint,
at_us bigint, kind text, object text, body text)),
ranked AS (SELECT x.*, row_number() OVER (PARTITION BY x.subscription ORDER BY x.xid::xid8, x.seq) AS n,
(SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = x.subscription AND d.state = 'pending')
AS pending FROM input x JOIN subscriptions s ON s.id = x.subscription)
INSERT INTO webhook_deliveries (subscription, change_xid, change_seq, change_at, kind, object, body, state,
last_error, finished_at)
SELECT subscription, xid::xid8, seq, to_timestamp(at_us / 1000000.0), kind, object, body,
CASE WHEN pending + n > $2 THEN 'dead' ELSE 'pending' END,
CASE WHEN pending + n > $2 THEN 'queue full: ' || $2 || ' deliveries pending' END,
CASE WHEN pending + n > $2 THEN now() END
FROM ranked ON CONFLICT (subscription, change_xid, change_seq) DO NOTHING

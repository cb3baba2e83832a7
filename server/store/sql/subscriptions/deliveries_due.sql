-- The head of every subscription's queue (its oldest pending delivery by cursor) when due; at most $1.
SELECT d.id::text, d.subscription::text, s.url, s.secret, d.body, d.attempts
FROM (SELECT DISTINCT ON (subscription) * FROM webhook_deliveries WHERE state = 'pending'
ORDER BY subscription, change_xid, change_seq) d JOIN subscriptions s ON s.id = d.subscription
WHERE d.next_attempt_at <= now() ORDER BY d.next_attempt_at LIMIT $1

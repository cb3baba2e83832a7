WITH d AS (UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, finished_at = now(),
last_error = NULL WHERE id = $1::uuid AND state = 'pending' RETURNING subscription)
UPDATE subscriptions s SET last_delivered_at = now() FROM d WHERE s.id = d.subscription

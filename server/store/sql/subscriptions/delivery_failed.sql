-- A failed attempt ($2: the error): dead after $4 attempts, else retried after $3 milliseconds.
WITH d AS (UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2,
state = CASE WHEN attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END,
finished_at = CASE WHEN attempts + 1 >= $4 THEN now() END,
next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)
WHERE id = $1::uuid AND state = 'pending' RETURNING subscription)
UPDATE subscriptions s SET last_error = $2, last_error_at = now() FROM d WHERE s.id = d.subscription

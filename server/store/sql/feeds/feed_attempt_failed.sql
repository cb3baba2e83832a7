-- One more failed attempt at an entry ($2) with the error ($3); the attempts so far.
INSERT INTO cap_feed_attempts (feed, entry_key, attempts, last_error) VALUES ($1, $2, 1, $3)
ON CONFLICT (feed, entry_key) DO UPDATE SET attempts = cap_feed_attempts.attempts + 1,
last_error = EXCLUDED.last_error, last_attempt_at = now() RETURNING attempts

-- A failed poll: the error, one more consecutive error, next attempt after $3 seconds (backoff).
UPDATE cap_feeds SET last_attempt_at = now(), last_error = $2, consecutive_errors = consecutive_errors + 1,
next_poll_at = now() + make_interval(secs => $3::float8) WHERE name = $1

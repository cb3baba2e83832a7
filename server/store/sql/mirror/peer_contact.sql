-- A successful call that brought nothing to apply; $2: the peer's status (NULL: keep the last one).
UPDATE peers SET last_contact_at = now(), consecutive_errors = 0, last_error = NULL,
status = coalesce(decode($2, 'base64'), status), status_at = CASE WHEN $2 IS NULL THEN status_at ELSE now() END
WHERE name = $1

-- A failed call; $3: forget the cursor (the next attempt starts from a snapshot).
UPDATE peers SET last_error = $2, last_error_at = now(), consecutive_errors = consecutive_errors + 1,
cursor = CASE WHEN $3 THEN NULL ELSE cursor END WHERE name = $1

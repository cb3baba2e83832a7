-- After applying changes: the new cursor, how many changes, when the newest happened ($4 us; 0: keep).
UPDATE peers SET cursor = $2, changes_applied = changes_applied + $3,
last_change_at = CASE WHEN $4::bigint > 0 THEN to_timestamp($4::bigint / 1000000.0) ELSE last_change_at END,
last_contact_at = now(), consecutive_errors = 0, last_error = NULL WHERE name = $1

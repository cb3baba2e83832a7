-- After a snapshot: the region it names, the cursor to follow from, one more snapshot.
UPDATE peers SET region = $2, region_name = $3, cursor = $4, synced_at = now(), snapshots = snapshots + 1,
last_contact_at = now(), consecutive_errors = 0, last_error = NULL WHERE name = $1

-- Forgets mirrored signals received before $1 (microseconds) and risks that left the picture
-- before it, at most $2 of each; the number deleted.
WITH s AS (DELETE FROM mirror_signals WHERE ctid IN (SELECT ctid FROM mirror_signals
WHERE received_at < to_timestamp($1::bigint / 1000000.0) LIMIT $2) RETURNING 1),
r AS (DELETE FROM mirror_risks WHERE ctid IN (SELECT ctid FROM mirror_risks WHERE NOT in_picture
AND applied_at < to_timestamp($1::bigint / 1000000.0) LIMIT $2) RETURNING 1)
SELECT (SELECT count(*) FROM s)::int + (SELECT count(*) FROM r)::int

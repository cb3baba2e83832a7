-- Parked references older than $1 seconds (resolved or not), at most $2 per call: the retention
-- of pending_references (ingest.pending_references_retention). Returns the number deleted.
WITH old AS (SELECT id FROM pending_references WHERE created_at < now() - make_interval(secs => $1)
ORDER BY created_at LIMIT $2),
gone AS (DELETE FROM pending_references p USING old WHERE p.id = old.id RETURNING 1)
SELECT count(*) FROM gone

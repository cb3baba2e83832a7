-- Deletes at most $2 delivered or dead deliveries finished before $1 (microseconds).
WITH del AS (DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries
WHERE state <> 'pending' AND finished_at < to_timestamp($1::bigint / 1000000.0) LIMIT $2) RETURNING 1)
SELECT count(*) FROM del

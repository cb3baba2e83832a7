-- Re-queues a dead delivery: pending again, attempts from 0, due now.
UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
WHERE subscription = $1::uuid AND id = $2::uuid AND state = 'dead' RETURNING id

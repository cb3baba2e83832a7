-- The fence: share-locks the lease row, so a takeover waits until this transaction ends.
SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp()
FOR SHARE

INSERT INTO leases AS l (name, holder, epoch, expires_at, acquired_at, renewed_at)
VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::float8), clock_timestamp(),
clock_timestamp())
-- Times are taken when the update runs, i.e. after any wait for a fenced write's row lock.
ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = l.epoch + 1,
expires_at = clock_timestamp() + make_interval(secs => $3::float8), acquired_at = clock_timestamp(),
renewed_at = clock_timestamp()
WHERE l.holder IS NULL OR l.expires_at < clock_timestamp()
RETURNING epoch

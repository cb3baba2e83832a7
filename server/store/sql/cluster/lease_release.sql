UPDATE leases SET holder = NULL, expires_at = clock_timestamp()
WHERE name = $1 AND holder = $2 AND epoch = $3

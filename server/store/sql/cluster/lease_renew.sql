UPDATE leases SET expires_at = clock_timestamp() + make_interval(secs => $4::float8),
renewed_at = clock_timestamp()
WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp() RETURNING epoch

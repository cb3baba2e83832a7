SELECT holder, epoch, extract(epoch FROM expires_at)::float8, expires_at > clock_timestamp()
FROM leases WHERE name = $1

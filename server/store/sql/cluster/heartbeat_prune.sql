DELETE FROM leader_heartbeats WHERE at < clock_timestamp() - make_interval(secs => $1::float8)

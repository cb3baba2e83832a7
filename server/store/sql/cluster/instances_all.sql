SELECT node_id, region, version, http_address, grpc_address, extract(epoch FROM started_at)::float8,
extract(epoch FROM last_seen_at)::float8, last_seen_at > now() - make_interval(secs => $1::float8)
FROM instances ORDER BY node_id

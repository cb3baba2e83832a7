INSERT INTO instances (node_id, region, version, http_address, grpc_address, started_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision), now())
ON CONFLICT (node_id) DO UPDATE SET region = EXCLUDED.region, version = EXCLUDED.version,
http_address = EXCLUDED.http_address, grpc_address = EXCLUDED.grpc_address,
started_at = EXCLUDED.started_at, last_seen_at = now()

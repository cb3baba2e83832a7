-- Creates the peer's row when missing (the endpoint is informational: where it was followed from).
INSERT INTO peers (name, endpoint) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET endpoint = EXCLUDED.endpoint
WHERE peers.endpoint IS DISTINCT FROM EXCLUDED.endpoint

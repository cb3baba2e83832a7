UPDATE instances SET last_seen_at = now() WHERE node_id = $1

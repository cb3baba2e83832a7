INSERT INTO mirror_region_states (peer, region, version, grip_level, phase, set_at, body)
VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint / 1000000.0) END,
decode($7, 'base64'))
ON CONFLICT (peer) DO UPDATE SET region = EXCLUDED.region, version = EXCLUDED.version,
grip_level = EXCLUDED.grip_level, phase = EXCLUDED.phase, set_at = EXCLUDED.set_at, body = EXCLUDED.body
WHERE mirror_region_states.version <= EXCLUDED.version

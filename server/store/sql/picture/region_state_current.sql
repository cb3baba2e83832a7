SELECT version, coalesce(grip_level, ''), phase, reason, set_by,
(extract(epoch FROM set_at) * 1000000)::bigint FROM region_states WHERE region = $1
ORDER BY version DESC LIMIT 1

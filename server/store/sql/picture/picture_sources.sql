SELECT s.id, s.partner, coalesce(extract(epoch FROM s.expected_interval)::bigint, 0),
coalesce((extract(epoch FROM h.last_signal_at) * 1000000)::bigint, -1)
FROM sources s LEFT JOIN source_health h ON h.source = s.id ORDER BY s.id

SELECT id, partner, extract(epoch FROM expected_interval)::bigint FROM sources ORDER BY id

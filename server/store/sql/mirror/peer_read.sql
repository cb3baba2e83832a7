-- Bodies travel base64-encoded (rows inside one JSON array parameter); lists of peers as a JSON array.
SELECT name, endpoint, coalesce(region, ''), coalesce(region_name, ''), coalesce(cursor, ''),
coalesce((extract(epoch FROM synced_at) * 1000000)::bigint, 0), snapshots, changes_applied,
coalesce((extract(epoch FROM last_contact_at) * 1000000)::bigint, 0),
coalesce((extract(epoch FROM last_change_at) * 1000000)::bigint, 0), coalesce(last_error, ''),
coalesce((extract(epoch FROM last_error_at) * 1000000)::bigint, 0), consecutive_errors, status,
coalesce((extract(epoch FROM status_at) * 1000000)::bigint, 0)
FROM peers WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY region NULLS LAST, name

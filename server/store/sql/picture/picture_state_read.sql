SELECT coalesce((extract(epoch FROM computed_at) * 1000000)::bigint, 0), coalesce(computed_by, ''),
coalesce(epoch, 0), signals_in_effect, active_incidents, active_warnings,
(SELECT count(*) FROM risks r WHERE r.picture = $1 AND r.in_picture)::int,
(extract(epoch FROM now()) * 1000000)::bigint, lag_seconds
FROM picture_state WHERE picture = $1

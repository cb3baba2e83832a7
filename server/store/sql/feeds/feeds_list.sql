-- All feeds with their state; $1: only those due now (enabled, next_poll_at passed).
SELECT name, url, partner, extract(epoch FROM poll_interval)::float8, enabled,
extract(epoch FROM created_at)::float8, coalesce(etag, ''), coalesce(last_modified, ''),
extract(epoch FROM last_attempt_at)::float8, extract(epoch FROM last_success_at)::float8,
coalesce(last_error, ''), consecutive_errors, extract(epoch FROM next_poll_at)::float8, entries_seen,
array_to_json(allow_hosts)::text
FROM cap_feeds WHERE NOT $1::bool OR (enabled AND next_poll_at <= now()) ORDER BY name

-- A poll that fetched and handled the feed: validators ('' = none), next poll after $4 seconds.
UPDATE cap_feeds SET etag = NULLIF($2, ''), last_modified = NULLIF($3, ''), last_attempt_at = now(),
last_success_at = now(), last_error = NULL, consecutive_errors = 0,
next_poll_at = now() + make_interval(secs => $4::float8) WHERE name = $1

INSERT INTO cap_feeds (name, url, partner, poll_interval, allow_hosts)
VALUES ($1, $2, $3, make_interval(secs => $4::float8), ARRAY(SELECT jsonb_array_elements_text($5::jsonb)))

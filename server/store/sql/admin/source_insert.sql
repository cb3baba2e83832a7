INSERT INTO sources (id, partner, expected_interval) VALUES ($1, $2, make_interval(secs => $3::float8))

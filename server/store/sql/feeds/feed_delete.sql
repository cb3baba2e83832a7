DELETE FROM cap_feeds WHERE name = $1 RETURNING name

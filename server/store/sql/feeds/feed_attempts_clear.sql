DELETE FROM cap_feed_attempts WHERE feed = $1 AND entry_key = $2

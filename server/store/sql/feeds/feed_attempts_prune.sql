-- After a successful poll: attempt counts of entries marked since, or not tried for 30 days.
DELETE FROM cap_feed_attempts a WHERE a.feed = $1 AND (a.last_attempt_at < now() - interval '30 days'
OR EXISTS (SELECT 1 FROM cap_feed_entries e WHERE e.feed = a.feed AND e.entry_key = a.entry_key))

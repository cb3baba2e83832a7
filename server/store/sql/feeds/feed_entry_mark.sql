-- Marks one entry version as handled ('' message id: none) and counts it on the feed.
WITH ins AS (INSERT INTO cap_feed_entries (feed, entry_key, entry_id, cap_message_id, outcome, detail, seen_by)
VALUES ($1, $2, $3, NULLIF($4, '')::uuid, $5, NULLIF($6, ''), $7) ON CONFLICT DO NOTHING RETURNING 1)
UPDATE cap_feeds SET entries_seen = entries_seen + (SELECT count(*) FROM ins) WHERE name = $1

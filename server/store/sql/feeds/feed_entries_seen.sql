-- Which of the entry keys ($2, a JSON array of strings) the feed has marked already.
SELECT entry_key FROM cap_feed_entries WHERE feed = $1
AND entry_key IN (SELECT jsonb_array_elements_text($2::jsonb))

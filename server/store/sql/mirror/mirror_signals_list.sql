-- Mirrored signals of the peers in $1, newest first, at most $2.
SELECT peer, body FROM mirror_signals WHERE peer IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY received_at DESC, id LIMIT $2

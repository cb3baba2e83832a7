-- The stored message with that key: id, received_at, whether `raw` ($3, base64) is the same bytes.
SELECT id::text, extract(epoch FROM received_at)::float8, content_hash = sha256(decode($3, 'base64'))
FROM cap_messages WHERE source = $1 AND identifier = $2

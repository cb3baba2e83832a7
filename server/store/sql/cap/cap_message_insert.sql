-- Inserts the message; no row when (source, identifier) is taken.
INSERT INTO cap_messages (source, identifier, sent, sent_at, status, msg_type, scope, cap_version, refs,
raw, content_hash, info_count, via, partner, received_by)
VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8, $9::jsonb, decode($10, 'base64'),
sha256(decode($10, 'base64')), $11, $12, $13, $14)
ON CONFLICT (source, identifier) DO NOTHING
RETURNING id::text, extract(epoch FROM received_at)::float8

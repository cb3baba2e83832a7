SELECT x.i, s.id::text, extract(epoch FROM s.received_at)::float8,
s.content_hash = sha256(decode(x.payload, 'base64'))
FROM jsonb_to_recordset($1::jsonb) AS x(i int, source text, external_id text, payload text)
JOIN signals s ON s.source = x.source AND s.external_id = x.external_id

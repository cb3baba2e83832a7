-- Nothing inserted (no row returned) when the partner does not exist.
INSERT INTO subscriptions (partner, name, url, filter, secret, created_by)
SELECT $1, $2, $3, $4::jsonb, $5, $6 WHERE EXISTS (SELECT 1 FROM partners WHERE name = $1) RETURNING id::text

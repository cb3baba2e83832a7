SELECT id, partner, array_to_string(scopes, ','), extract(epoch FROM created_at)::float8,
extract(epoch FROM revoked_at)::float8 FROM tokens ORDER BY created_at, id

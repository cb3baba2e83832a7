SELECT id, partner, encode(digest, 'hex'), array_to_string(scopes, ','),
extract(epoch FROM created_at)::float8 FROM tokens WHERE revoked_at IS NULL

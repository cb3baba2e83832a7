INSERT INTO tokens (id, partner, digest, scopes) VALUES ($1, $2, decode($3, 'hex'), string_to_array($4, ','))

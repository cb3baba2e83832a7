SELECT coalesce(cursor, '') FROM peers WHERE name = $1 FOR UPDATE

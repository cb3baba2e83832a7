INSERT INTO sources (id, partner) VALUES ($1, $2)

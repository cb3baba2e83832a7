INSERT INTO partners (name) VALUES ($1)

SELECT 1 FROM tokens WHERE id = $1

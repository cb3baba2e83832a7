SELECT name FROM regions WHERE code = $1

-- Every SQL statement vikd runs outside migrations/, by name. Prepared statements are registered on
-- each pooled connection when it is opened (libpqxx prepares them lazily on first use); DDL and
-- session statements that PostgreSQL cannot PREPARE are marked `prepared = false` and run as is.
SELECT 1

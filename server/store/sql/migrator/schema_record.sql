INSERT INTO schema_migrations (version, name, checksum, applied_by) VALUES ($1, $2, $3, $4)

-- Session-level advisory lock serialising `migrate` across instances. Key: 'vik.migrate' hashed.
SELECT pg_advisory_lock(hashtext('vik.migrate'))

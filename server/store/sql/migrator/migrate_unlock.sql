SELECT pg_advisory_unlock(hashtext('vik.migrate'))

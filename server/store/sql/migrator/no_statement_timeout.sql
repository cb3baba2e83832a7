-- On the dedicated migration session only: migrations and the lock wait may take longer than the
-- service's statement timeout.
-- prepared: false
SET statement_timeout = 0

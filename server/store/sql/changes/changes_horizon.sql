-- The newest pruned position, and the snapshot's xmin and xmax.
SELECT xid::text, seq, pg_snapshot_xmin(pg_current_snapshot())::text, pg_snapshot_xmax(pg_current_snapshot())::text
FROM change_log_horizon

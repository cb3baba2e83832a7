-- The keeper's cursor and the bounds of the current snapshot's transaction ids.
SELECT cursor_xid::text, cursor_seq, pg_snapshot_xmin(pg_current_snapshot())::text,
pg_snapshot_xmax(pg_current_snapshot())::text FROM picture_state WHERE picture = 'actual'

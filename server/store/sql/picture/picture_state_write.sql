-- $1 picture, $2 cursor xid (text), $3 cursor seq, $4 node, $5 epoch, $6..$8 counts, $9 lag seconds.
UPDATE picture_state SET cursor_xid = $2::text::xid8, cursor_seq = $3, computed_at = now(), computed_by = $4,
epoch = $5, signals_in_effect = $6, active_incidents = $7, active_warnings = $8, lag_seconds = $9
WHERE picture = $1

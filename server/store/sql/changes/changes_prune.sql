-- Deletes at most $2 change rows written before $1 (microseconds) that the picture keeper has read,
-- and moves the horizon to the newest deleted position; the number deleted.
WITH cut AS (SELECT c.xid, c.seq FROM changes c, picture_state p
WHERE p.picture = 'actual' AND c.at < to_timestamp($1::bigint / 1000000.0)
AND (c.xid, c.seq) <= (p.cursor_xid, p.cursor_seq) ORDER BY c.xid, c.seq LIMIT $2),
del AS (DELETE FROM changes d USING cut WHERE d.xid = cut.xid AND d.seq = cut.seq RETURNING d.xid, d.seq),
top AS (SELECT xid, seq FROM del ORDER BY xid DESC, seq DESC LIMIT 1),
upd AS (UPDATE change_log_horizon h SET xid = top.xid, seq = top.seq, pruned_at = now() FROM top
WHERE (top.xid, top.seq) > (h.xid, h.seq) RETURNING 1)
SELECT count(*)::int FROM del

-- Change-log rows after the cursor ($1 xid as text, $2 seq) that are final: written by transactions
-- older than every transaction still running, so no row can later appear before them. Ordered by
-- the xid8 column (not its text: an output column named xid would take over ORDER BY xid). Read by
-- the picture keeper and the public feed.
SELECT c.xid::text AS xid_text, c.seq, (extract(epoch FROM c.at) * 1000000)::bigint, c.picture, c.kind, c.object
FROM changes c
WHERE (c.xid, c.seq) > ($1::text::xid8, $2::bigint) AND c.xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY c.xid, c.seq LIMIT $3

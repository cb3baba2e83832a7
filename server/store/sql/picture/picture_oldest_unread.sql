-- When the oldest committed change after the cursor was written (microseconds); no row when none.
SELECT (extract(epoch FROM at) * 1000000)::bigint FROM changes WHERE (xid, seq) > ($1::text::xid8, $2::bigint)
ORDER BY xid, seq LIMIT 1

-- The region's current alerts of one status ($2: 'actual', 'exercise', ...) for the CAP index:
-- active, not expired, not a cancel, placed in the region (at least one municipality); one row per
-- CAP message. $1: limit. Reads at most 4 x $1 of the newest matching signals (index
-- signals_current), so its cost does not grow with the history stored.
SELECT id::text, source, headline, categories, extract(epoch FROM sent_at)::float8,
extract(epoch FROM received_at)::float8, extract(epoch FROM expires_at)::float8, severity FROM (
SELECT DISTINCT ON (coalesce(cap_message_id, id)) * FROM (
SELECT * FROM signals WHERE status = $2 AND state = 'active' AND msg_type <> 'cancel'
AND (expires_at IS NULL OR expires_at > now()) AND municipalities <> '{}'
ORDER BY sent_at DESC LIMIT $1 * 4) AS newest
-- newest first by index; up to 4 infos per message
ORDER BY coalesce(cap_message_id, id), cap_info_index NULLS FIRST) AS current
ORDER BY sent_at DESC, id LIMIT $1

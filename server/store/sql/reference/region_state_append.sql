-- Appends version $2 when the current version is $2 - 1 (0: none yet); no row when it is not (a
-- concurrent writer won: the primary key serialises them).
INSERT INTO region_states (region, version, grip_level, phase, reason, set_by)
SELECT $1, $2, nullif($3, ''), $4, $5, $6
WHERE coalesce((SELECT max(version) FROM region_states WHERE region = $1), 0) = $2 - 1
ON CONFLICT (region, version) DO NOTHING
RETURNING (extract(epoch FROM set_at) * 1000000)::bigint

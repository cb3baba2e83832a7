-- 0012: reserved on branch `subscriptions` for 0012_mirror.sql (peer mirroring, developed on main).
-- The migrator requires contiguous versions, so this branch carries an empty placeholder. DELETE
-- THIS FILE when merging: main's 0012_mirror.sql takes its place (two files with version 12 are
-- refused at start-up). No database outside tests has applied it.
SELECT 1;

-- A bid or renewal never waits long for a (possibly frozen) fenced writer's row lock: it fails
-- fast (55P03 -> ABORTED) and the next round tries again with a fresh local deadline.
-- prepared: false
SET LOCAL lock_timeout = '500ms'

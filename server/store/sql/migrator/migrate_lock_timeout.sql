-- ... but waiting for another instance's migration run is bounded.
-- prepared: false
SET lock_timeout = '120s'

-- Parked references are bounded per partner (ingest.max_pending_references: the open ones of a
-- partner are counted on every park) and pruned after a retention (ingest.pending_references_retention,
-- oldest first, by the leader's sweep).
CREATE INDEX pending_references_open_by_partner ON pending_references (partner) WHERE resolved_at IS NULL;
CREATE INDEX pending_references_created ON pending_references (created_at);

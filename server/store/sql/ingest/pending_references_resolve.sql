-- Marks the references parked for a CAP message as resolved once it is stored ($1 source, $2
-- identifier). Its signals were already ended on insert (signals_insert); this covers messages
-- without signals (Ack, Error, no <info>).
UPDATE pending_references SET resolved_at = now()
WHERE resolved_at IS NULL AND ref_source = $1 AND ref_identifier = $2

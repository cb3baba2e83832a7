-- Ordinals are unique: the rows of the file first move their old ordinals out of the way.
UPDATE grip_levels SET ordinal = -1000 - ordinal
WHERE code IN (SELECT code FROM jsonb_to_recordset($1::jsonb) AS x(code text))

UPDATE crisis_phases SET ordinal = -1000 - ordinal
WHERE code IN (SELECT code FROM jsonb_to_recordset($1::jsonb) AS x(code text))

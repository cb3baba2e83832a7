UPDATE themes t SET parent = nullif(x.parent, '')
FROM jsonb_to_recordset($1::jsonb) AS x(code text, parent text) WHERE t.code = x.code

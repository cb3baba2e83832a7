UPDATE municipalities m SET successor = nullif(x.successor, '')
FROM jsonb_to_recordset($1::jsonb) AS x(gm_code text, successor text) WHERE m.gm_code = x.gm_code

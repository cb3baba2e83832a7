-- Successors are set in a second statement, once every municipality of the file exists.
INSERT INTO municipalities (gm_code, name, region_code, valid_from, valid_to)
SELECT gm_code, name, region, nullif(valid_from, '')::date, nullif(valid_to, '')::date
FROM jsonb_to_recordset($1::jsonb) AS x(gm_code text, name text, region text, valid_from text, valid_to text)
ON CONFLICT (gm_code) DO UPDATE SET name = EXCLUDED.name, region_code = EXCLUDED.region_code,
valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to

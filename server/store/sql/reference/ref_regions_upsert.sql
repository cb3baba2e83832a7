INSERT INTO regions (code, nr, name, province)
SELECT code, nr, name, nullif(province, '') FROM jsonb_to_recordset($1::jsonb)
AS x(code text, nr int, name text, province text)
ON CONFLICT (code) DO UPDATE SET nr = EXCLUDED.nr, name = EXCLUDED.name, province = EXCLUDED.province

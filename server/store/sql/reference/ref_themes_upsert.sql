-- Parents are set in a second statement, once every theme of the file exists.
INSERT INTO themes (code, label, cap_category)
SELECT code, label, nullif(cap_category, '') FROM jsonb_to_recordset($1::jsonb)
AS x(code text, label text, cap_category text)
ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, cap_category = EXCLUDED.cap_category

INSERT INTO impact_classes (code, label_nl, label_en)
SELECT code, label_nl, label_en FROM jsonb_to_recordset($1::jsonb) AS x(code text, label_nl text, label_en text)
ON CONFLICT (code) DO UPDATE SET label_nl = EXCLUDED.label_nl, label_en = EXCLUDED.label_en

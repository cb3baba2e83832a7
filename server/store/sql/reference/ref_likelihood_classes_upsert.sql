INSERT INTO likelihood_classes (code, label_nl, chance, description)
SELECT code, label_nl, chance, description FROM jsonb_to_recordset($1::jsonb)
AS x(code text, label_nl text, chance text, description text)
ON CONFLICT (code) DO UPDATE SET label_nl = EXCLUDED.label_nl, chance = EXCLUDED.chance,
description = EXCLUDED.description

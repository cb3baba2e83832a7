INSERT INTO grip_levels (code, ordinal, label, description)
SELECT code, ordinal, label, description FROM jsonb_to_recordset($1::jsonb)
AS x(code text, ordinal int, label text, description text)
ON CONFLICT (code) DO UPDATE SET ordinal = EXCLUDED.ordinal, label = EXCLUDED.label,
description = EXCLUDED.description

INSERT INTO cap_category_themes (cap_category, theme)
SELECT cap_category, theme FROM jsonb_to_recordset($1::jsonb) AS x(cap_category text, theme text)
ON CONFLICT (cap_category) DO UPDATE SET theme = EXCLUDED.theme

INSERT INTO mirror_risks (peer, picture, id, theme, municipality, level, priority, in_picture, body)
SELECT $1, x.picture, x.id, x.theme, x.municipality, x.level, x.priority, x.in_picture, decode(x.body, 'base64')
FROM jsonb_to_recordset($2::jsonb) AS x(picture text, id text, theme text, municipality text, level int,
priority int, in_picture boolean, body text)
ON CONFLICT (peer, picture, id) DO UPDATE SET theme = EXCLUDED.theme, municipality = EXCLUDED.municipality,
level = EXCLUDED.level, priority = EXCLUDED.priority, in_picture = EXCLUDED.in_picture, body = EXCLUDED.body,
applied_at = now()

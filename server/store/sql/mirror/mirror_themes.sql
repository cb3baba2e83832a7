-- Per peer of $1 and theme: the highest level and the number of risks of picture $2 at level >= $3.
SELECT m.peer, m.theme, max(m.level)::int, count(*)::int, coalesce(min(t.label), '')
FROM mirror_risks m LEFT JOIN themes t ON t.code = m.theme
WHERE m.peer IN (SELECT jsonb_array_elements_text($1::jsonb)) AND m.picture = $2 AND m.in_picture
AND m.level >= $3 AND m.theme <> '' GROUP BY m.peer, m.theme

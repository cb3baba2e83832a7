-- What an assessment names that does not exist: ($1 theme or '', $2 municipality or '', $3 region,
-- $4 partners JSON array, $5 likelihood codes JSON array, $6 impact codes JSON array).
SELECT 'theme', $1 WHERE $1 <> '' AND NOT EXISTS (SELECT 1 FROM themes WHERE code = $1)
UNION ALL SELECT 'municipality', $2 WHERE $2 <> '' AND NOT EXISTS
(SELECT 1 FROM municipalities WHERE gm_code = $2 AND region_code = $3)
UNION ALL SELECT 'partners', p FROM jsonb_array_elements_text($4::jsonb) p
WHERE NOT EXISTS (SELECT 1 FROM partners WHERE name = p)
UNION ALL SELECT 'likelihood', c FROM jsonb_array_elements_text($5::jsonb) c
WHERE NOT EXISTS (SELECT 1 FROM likelihood_classes WHERE code = c)
UNION ALL SELECT 'impact', c FROM jsonb_array_elements_text($6::jsonb) c
WHERE NOT EXISTS (SELECT 1 FROM impact_classes WHERE code = c)

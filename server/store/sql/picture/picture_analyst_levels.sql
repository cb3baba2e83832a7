-- The current analyst level (-1: none) of risks ($1: JSON [{picture, risk_id}]), or of every
-- assessed risk when $1 is null.
SELECT DISTINCT ON (a.picture, a.risk_id) a.picture, a.risk_id, coalesce(a.analyst_level, -1)
FROM risk_assessments a WHERE $1::jsonb IS NULL OR (a.picture, a.risk_id) IN
(SELECT x.picture, x.risk_id FROM jsonb_to_recordset($1::jsonb) AS x(picture text, risk_id text))
ORDER BY a.picture, a.risk_id, a.version DESC

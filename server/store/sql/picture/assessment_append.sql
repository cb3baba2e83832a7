-- Appends version $3 when the current version is $3 - 1 (0: none); no row otherwise.
INSERT INTO risk_assessments (picture, risk_id, version, status, phase, analyst_level, scenarios, assessment,
advice, partners, reason, set_by)
SELECT $1, $2, $3, $4, nullif($5, ''), nullif($6::int, -1), $7::jsonb, $8,
ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), ARRAY(SELECT jsonb_array_elements_text($10::jsonb)), $11, $12
WHERE coalesce((SELECT max(version) FROM risk_assessments WHERE picture = $1 AND risk_id = $2), 0) = $3 - 1
ON CONFLICT (picture, risk_id, version) DO NOTHING
RETURNING (extract(epoch FROM set_at) * 1000000)::bigint

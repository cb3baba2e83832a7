SELECT a.version, a.status, coalesce(a.phase, ''), coalesce(a.analyst_level, -1), a.scenarios::text,
a.assessment, to_jsonb(a.advice)::text, to_jsonb(a.partners)::text, a.reason, a.set_by,
(extract(epoch FROM a.set_at) * 1000000)::bigint
FROM risk_assessments a WHERE a.picture = $1 AND a.risk_id = $2
ORDER BY a.version DESC LIMIT $3

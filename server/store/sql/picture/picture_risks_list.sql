-- Risks with labels and their current assessment (assessment columns null when never assessed).
-- $1 picture, $2 theme ('' any; else the theme and its sub-themes), $3 municipality ('' any),
-- $4 minimum effective level, $5 status ('' any, 'new', monitoring, active, closed), $6 include
-- risks no longer in the picture, $7/$8 keyset (sort key, id) exclusive, $9 limit.
-- Sort key: the priority, risks out of the picture (priority 0) last.
SELECT r.picture, r.id, r.theme, r.municipality, r.in_picture, r.priority, r.nowcast, r.forecast_6h,
r.forecast_24h, r.forecast_72h, r.past, r.trend, coalesce(r.analyst_level, -1), r.effective_level,
r.worst_severity, r.sources, r.breadth, r.signals_in_effect, r.signals_upcoming, r.signal_ids,
(extract(epoch FROM r.computed_at) * 1000000)::bigint, coalesce(t.label, ''), coalesce(m.name, ''), a.version IS NOT NULL,
a.version, a.status, coalesce(a.phase, ''), coalesce(a.analyst_level, -1), a.scenarios::text,
a.assessment, to_jsonb(a.advice)::text, to_jsonb(a.partners)::text, a.reason, a.set_by,
(extract(epoch FROM a.set_at) * 1000000)::bigint,
CASE WHEN r.priority = 0 THEN 2147483647 ELSE r.priority END AS sort_key
FROM risks r LEFT JOIN themes t ON t.code = r.theme LEFT JOIN municipalities m ON m.gm_code = r.municipality
LEFT JOIN LATERAL (SELECT * FROM risk_assessments x WHERE x.picture = r.picture AND x.risk_id = r.id
ORDER BY x.version DESC LIMIT 1) a ON true
WHERE r.picture = $1 AND ($2 = '' OR r.theme = $2 OR r.theme LIKE $2 || '.%')
AND ($3 = '' OR r.municipality = $3) AND r.effective_level >= $4
AND ($5 = '' OR ($5 = 'new' AND a.version IS NULL) OR a.status = $5)
AND (r.in_picture OR $6::boolean)
AND (CASE WHEN r.priority = 0 THEN 2147483647 ELSE r.priority END, r.id) > ($7::int, $8::text)
ORDER BY sort_key, r.id LIMIT $9

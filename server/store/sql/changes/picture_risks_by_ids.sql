-- Risks by (picture, id) ($1: JSON [{picture, id}]) with labels and current assessment; the columns
-- of picture_risks_list.
SELECT r.picture, r.id, r.theme, r.municipality, r.in_picture, r.priority, r.nowcast, r.forecast_6h,
r.forecast_24h, r.forecast_72h, r.past, r.trend, coalesce(r.analyst_level, -1), r.effective_level,
r.worst_severity, r.sources, r.breadth, r.signals_in_effect, r.signals_upcoming, r.signal_ids,
(extract(epoch FROM r.computed_at) * 1000000)::bigint, coalesce(t.label, ''), coalesce(m.name, ''), a.version IS NOT NULL,
a.version, a.status, coalesce(a.phase, ''), coalesce(a.analyst_level, -1), a.scenarios::text,
a.assessment, to_jsonb(a.advice)::text, to_jsonb(a.partners)::text, a.reason, a.set_by,
(extract(epoch FROM a.set_at) * 1000000)::bigint, 0
FROM risks r LEFT JOIN themes t ON t.code = r.theme LEFT JOIN municipalities m ON m.gm_code = r.municipality
LEFT JOIN LATERAL (SELECT * FROM risk_assessments x WHERE x.picture = r.picture AND x.risk_id = r.id
ORDER BY x.version DESC LIMIT 1) a ON true
WHERE (r.picture, r.id) IN (SELECT x.picture, x.id FROM jsonb_to_recordset($1::jsonb) AS x(picture text, id text))

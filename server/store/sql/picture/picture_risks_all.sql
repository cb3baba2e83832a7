SELECT r.picture, r.id, r.theme, r.municipality, r.in_picture, r.priority, r.nowcast, r.forecast_6h,
r.forecast_24h, r.forecast_72h, r.past, r.trend, coalesce(r.analyst_level, -1), r.effective_level,
r.worst_severity, r.sources, r.breadth, r.signals_in_effect, r.signals_upcoming, r.signal_ids,
(extract(epoch FROM r.computed_at) * 1000000)::bigint
FROM risks r

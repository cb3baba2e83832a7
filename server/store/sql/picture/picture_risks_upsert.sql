-- The keeper's writes ($1: JSON array of rows as RiskRow, times in microseconds).
INSERT INTO risks (picture, id, theme, municipality, in_picture, priority, nowcast, forecast_6h, forecast_24h,
forecast_72h, past, trend, analyst_level, effective_level, worst_severity, sources, breadth,
signals_in_effect, signals_upcoming, signal_ids, computed_at, changed_at)
SELECT x.picture, x.id, x.theme, x.municipality, x.in_picture, x.priority, x.nowcast, x.f6, x.f24, x.f72,
x.past, x.trend, x.analyst_level, x.effective_level, x.worst_severity, x.sources, x.breadth, x.in_effect,
x.upcoming, x.signal_ids, to_timestamp(x.computed_us / 1000000.0), now()
FROM jsonb_to_recordset($1::jsonb) AS x(picture text, id text, theme text, municipality text,
in_picture boolean, priority int, nowcast smallint, f6 smallint, f24 smallint, f72 smallint, past smallint,
trend smallint, analyst_level smallint, effective_level smallint, worst_severity text, sources int,
breadth int, in_effect int, upcoming int, signal_ids text[], computed_us bigint)
ON CONFLICT (picture, id) DO UPDATE SET in_picture = EXCLUDED.in_picture, priority = EXCLUDED.priority,
nowcast = EXCLUDED.nowcast, forecast_6h = EXCLUDED.forecast_6h, forecast_24h = EXCLUDED.forecast_24h,
forecast_72h = EXCLUDED.forecast_72h, past = EXCLUDED.past, trend = EXCLUDED.trend,
analyst_level = EXCLUDED.analyst_level, effective_level = EXCLUDED.effective_level,
worst_severity = EXCLUDED.worst_severity, sources = EXCLUDED.sources, breadth = EXCLUDED.breadth,
signals_in_effect = EXCLUDED.signals_in_effect, signals_upcoming = EXCLUDED.signals_upcoming,
signal_ids = EXCLUDED.signal_ids, computed_at = EXCLUDED.computed_at, changed_at = now()

-- History and change-log rows for risks whose levels changed ($1: JSON rows as for the upsert).
WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(picture text, id text, nowcast smallint,
f6 smallint, f24 smallint, f72 smallint, trend smallint, analyst_level smallint, effective_level smallint,
computed_us bigint)),
h AS (INSERT INTO risk_levels (picture, risk_id, at, nowcast, forecast_6h, forecast_24h, forecast_72h, trend,
analyst_level, effective_level) SELECT picture, id, to_timestamp(computed_us / 1000000.0), nowcast, f6, f24,
f72, trend, analyst_level, effective_level FROM x)
INSERT INTO changes (picture, kind, object) SELECT picture, 'risk.changed', id FROM x

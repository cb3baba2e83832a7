INSERT INTO source_health (source, last_signal_at)
SELECT x.source, to_timestamp(x.at_us / 1000000.0) FROM jsonb_to_recordset($1::jsonb) AS x(source text, at_us bigint)
WHERE EXISTS (SELECT 1 FROM sources s WHERE s.id = x.source)
ON CONFLICT (source) DO UPDATE SET last_signal_at = greatest(source_health.last_signal_at, EXCLUDED.last_signal_at)

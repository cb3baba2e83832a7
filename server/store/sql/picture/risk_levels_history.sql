SELECT (extract(epoch FROM at) * 1000000)::bigint, nowcast, forecast_6h, forecast_24h, forecast_72h, trend,
coalesce(analyst_level, -1), effective_level FROM risk_levels WHERE picture = $1 AND risk_id = $2
ORDER BY seq DESC LIMIT $3

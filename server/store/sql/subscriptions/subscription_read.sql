SELECT s.id::text, s.partner, s.name, s.url, s.filter::text, s.created_by,
(extract(epoch FROM s.created_at) * 1000000)::bigint,
coalesce((extract(epoch FROM s.last_delivered_at) * 1000000)::bigint, 0), coalesce(s.last_error, ''),
coalesce((extract(epoch FROM s.last_error_at) * 1000000)::bigint, 0),
(SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = s.id AND d.state = 'pending'),
(SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = s.id AND d.state = 'delivered'),
(SELECT count(*) FROM webhook_deliveries d WHERE d.subscription = s.id AND d.state = 'dead')
FROM subscriptions s WHERE s.id = $1::uuid

SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'dead')
FROM webhook_deliveries WHERE state <> 'delivered'

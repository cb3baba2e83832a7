SELECT state FROM webhook_deliveries WHERE subscription = $1::uuid AND id = $2::uuid

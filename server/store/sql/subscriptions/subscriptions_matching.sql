SELECT id::text, filter::text, (extract(epoch FROM created_at) * 1000000)::bigint FROM subscriptions

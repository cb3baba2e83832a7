DELETE FROM subscriptions WHERE id = $1::uuid RETURNING partner, name

UPDATE subscription_cursor SET xid = $1::text::xid8, seq = $2, updated_at = now()

SELECT xid::text, seq FROM subscription_cursor

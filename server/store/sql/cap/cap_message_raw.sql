SELECT id::text, source, identifier, status, msg_type, raw FROM cap_messages WHERE id = $1::uuid

-- The signals made from a message, by info index.
SELECT cap_info_index, id::text, source, external_id, extract(epoch FROM received_at)::float8
FROM signals WHERE cap_message_id = $1::uuid ORDER BY cap_info_index

SELECT peer, body FROM mirror_region_states WHERE peer IN (SELECT jsonb_array_elements_text($1::jsonb))

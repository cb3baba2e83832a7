-- Per peer of $1: risks in picture $2 by level (0..4).
SELECT peer, level, count(*)::int FROM mirror_risks WHERE peer IN (SELECT jsonb_array_elements_text($1::jsonb)) AND picture = $2 AND in_picture
GROUP BY peer, level

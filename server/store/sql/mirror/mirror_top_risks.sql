-- Per peer of $1: the first $3 risks of picture $2 in priority order.
SELECT t.peer, t.body FROM jsonb_array_elements_text($1::jsonb) AS p(name) CROSS JOIN LATERAL
(SELECT peer, body, priority FROM mirror_risks WHERE peer = p.name AND picture = $2 AND in_picture
ORDER BY priority, id LIMIT $3) t ORDER BY t.peer, t.priority

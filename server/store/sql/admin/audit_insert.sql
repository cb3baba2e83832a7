INSERT INTO audit_log (actor, origin, action, object, result)
SELECT actor, origin, action, object, result
FROM jsonb_to_recordset($1::jsonb) AS x(actor text, origin text, action text, object jsonb, result text)

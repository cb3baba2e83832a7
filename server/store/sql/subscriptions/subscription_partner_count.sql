-- The partner of a subscription to be created, locked (so that concurrent creates count in turn),
-- with its number of subscriptions; no row when there is no such partner.
SELECT (SELECT count(*) FROM subscriptions s WHERE s.partner = $1) FROM partners WHERE name = $1 FOR UPDATE

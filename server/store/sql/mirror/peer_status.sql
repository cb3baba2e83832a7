-- The peer's status only ($2 base64), while its feed fails: contact and errors stay as they are.
UPDATE peers SET status = decode($2, 'base64'), status_at = now() WHERE name = $1

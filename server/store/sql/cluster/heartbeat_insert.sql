INSERT INTO leader_heartbeats (lease, holder, epoch) VALUES ($1, $2, $3)

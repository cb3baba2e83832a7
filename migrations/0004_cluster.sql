-- 0004: the leader lease and the leader's heartbeat job.
--
-- One row per lease. Expiry is by the database's clock (clock_timestamp()), never a node's.
-- A follower takes a lease only after it expired, incrementing the epoch; every singleton write
-- checks, in its own transaction and with the row share-locked, that its writer still holds the
-- lease with its epoch (see store/statements.h kLeaseFence), so two lease terms never overlap in
-- committed singleton writes.

CREATE TABLE leases (
    name         text PRIMARY KEY,
    holder       text,                 -- node id; null after a release
    epoch        bigint NOT NULL CHECK (epoch > 0),
    expires_at   timestamptz NOT NULL,
    acquired_at  timestamptz NOT NULL,
    renewed_at   timestamptz NOT NULL
);

-- Written by the leader once per renew interval under the fence: proof that exactly one leader
-- acts at a time (epochs never decrease in time order), and a liveness record for operators.
CREATE TABLE leader_heartbeats (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lease   text NOT NULL,
    holder  text NOT NULL,
    epoch   bigint NOT NULL,
    at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX leader_heartbeats_at ON leader_heartbeats (at);

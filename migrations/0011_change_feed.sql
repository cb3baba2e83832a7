-- 0011: the public change feed (docs/exchange.md). Old changes are pruned by the leader after
-- `changes.retention`; the newest pruned position is kept here, so a reader whose cursor lies
-- before it is told to resynchronise (OUT_OF_RANGE / 410) instead of silently missing changes.

CREATE TABLE change_log_horizon (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    xid         xid8 NOT NULL DEFAULT '0',
    seq         bigint NOT NULL DEFAULT 0,
    pruned_at   timestamptz
);
INSERT INTO change_log_horizon DEFAULT VALUES;

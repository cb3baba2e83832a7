-- 0012: mirrors of peer nodes (docs/exchange.md, "Mirroring peers"). The leader follows each
-- configured peer's change feed and applies it here, namespaced by the peer; the peer's cursor is
-- stored in the same transaction as the changes it covers, so a restart or failover continues
-- exactly where the last committed apply ended (no gap, no change applied twice).
-- Bodies are the peer's protobuf messages (vik.v1.StoredSignal, vik.v1.Risk, vik.v1.RegionState)
-- in binary form; the columns beside them are what queries filter and sort on.

CREATE TABLE peers (
    name               text PRIMARY KEY,
    endpoint           text NOT NULL,
    region             text UNIQUE,           -- learned from the peer's snapshot; NULL until synced
    region_name        text,
    cursor             text,                  -- the peer's cursor after the last applied change; NULL: resync
    synced_at          timestamptz,           -- last snapshot applied
    snapshots          integer NOT NULL DEFAULT 0,
    changes_applied    bigint NOT NULL DEFAULT 0,
    last_contact_at    timestamptz,           -- last successful call to the peer
    last_change_at     timestamptz,           -- when the newest applied change happened at the peer
    last_error         text,
    last_error_at      timestamptz,
    consecutive_errors integer NOT NULL DEFAULT 0,
    status             bytea,                 -- the peer's last vik.v1.RegionalStatus (without risks)
    status_at          timestamptz
);

CREATE TABLE mirror_signals (
    peer        text NOT NULL REFERENCES peers (name) ON DELETE CASCADE,
    id          text NOT NULL,
    status      text NOT NULL,
    state       text NOT NULL,
    received_at timestamptz NOT NULL,
    ended_at    timestamptz,
    body        bytea NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),  -- first mirrored (the apply transaction's start)
    PRIMARY KEY (peer, id)
);
CREATE INDEX mirror_signals_received ON mirror_signals (peer, received_at DESC);

CREATE TABLE mirror_risks (
    peer         text NOT NULL REFERENCES peers (name) ON DELETE CASCADE,
    picture      text NOT NULL,
    id           text NOT NULL,
    theme        text NOT NULL,
    municipality text NOT NULL,
    level        integer NOT NULL,
    priority     integer NOT NULL,
    in_picture   boolean NOT NULL,
    body         bytea NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (peer, picture, id)
);
CREATE INDEX mirror_risks_in_picture ON mirror_risks (picture, peer, priority) WHERE in_picture;

CREATE TABLE mirror_region_states (
    peer       text PRIMARY KEY REFERENCES peers (name) ON DELETE CASCADE,
    region     text NOT NULL,
    version    integer NOT NULL,
    grip_level text NOT NULL,
    phase      text NOT NULL,
    set_at     timestamptz,
    body       bytea NOT NULL
);

-- A peer that this node cannot reach pushes its feed (ExchangeService/PushChanges) with a token of
-- the new scope `push`.
ALTER TABLE tokens DROP CONSTRAINT tokens_scopes_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_scopes_check
    CHECK (scopes <@ ARRAY['ingest', 'read', 'admin', 'analyst', 'push']::text[]);

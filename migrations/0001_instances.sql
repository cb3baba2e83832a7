-- 0001: the registry of vikd instances that share this database.
-- Each instance upserts its row at start-up and refreshes last_seen_at while it runs; operators and
-- the cluster view read it. Times are the database's clock.

CREATE TABLE instances (
    node_id       text        PRIMARY KEY CHECK (node_id ~ '^[A-Za-z0-9._-]{1,64}$'),
    region        text        NOT NULL,
    version       text        NOT NULL,
    http_address  text        NOT NULL,
    grpc_address  text        NOT NULL,
    started_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE instances IS 'vikd instances sharing this database (one row per node id)';

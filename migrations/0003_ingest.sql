-- 0003: signal ingest: partners, their sources and tokens, the signals themselves, and the
-- append-only audit log.

CREATE TABLE partners (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
    id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:@/-]{1,128}$'),
    partner            text NOT NULL REFERENCES partners (name),
    expected_interval  interval,          -- how often the source should report; null: irregular
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sources_partner ON sources (partner);

-- Bearer tokens. Only the SHA-256 digest of the secret is stored.
CREATE TABLE tokens (
    id          text PRIMARY KEY,           -- public id, shown in listings and audit records
    partner     text NOT NULL REFERENCES partners (name),
    digest      bytea NOT NULL UNIQUE,
    scopes      text[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'admin', 'analyst']::text[]),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX tokens_partner ON tokens (partner);

CREATE TABLE signals (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source         text NOT NULL REFERENCES sources (id),
    external_id    text NOT NULL,
    content_hash   bytea NOT NULL,        -- SHA-256 of the canonical form (docs/api.md, idempotency)
    msg_type       text NOT NULL,
    status         text NOT NULL,
    kind           text NOT NULL,
    categories     text[] NOT NULL,
    theme          text NOT NULL,
    urgency        text NOT NULL,
    severity       text NOT NULL,
    certainty      text NOT NULL,
    sent_at        timestamptz NOT NULL,
    onset_at       timestamptz,
    expires_at     timestamptz,
    municipalities text[] NOT NULL,
    headline       text NOT NULL,
    refs           jsonb NOT NULL,        -- [{"source":..,"external_id":..}]
    payload        bytea NOT NULL,        -- the canonical vik.v1.Signal (deterministic protobuf)
    received_at    timestamptz NOT NULL DEFAULT now(),
    received_by    text NOT NULL,         -- node id of the instance that committed it
    partner        text NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX signals_received_at ON signals (received_at);
CREATE INDEX signals_theme_expires ON signals (theme, expires_at);

-- Append-only: the application never updates or deletes rows (see the trigger).
CREATE TABLE audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text NOT NULL,      -- "token:<id> partner:<name>", "cli:<os user>", ...
    origin   text NOT NULL,      -- peer address, or "cli"
    action   text NOT NULL,      -- "ingest.submit", "token.issue", ...
    object   jsonb NOT NULL,     -- counts and ids; never secrets
    result   text NOT NULL       -- "ok" or the status code name
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- 0010: the risk picture (docs/risk-model.md) and the change log it is kept from.
--
-- `changes` records every change to the picture in the transaction of the change itself: signals
-- accepted or ended (by triggers on `signals`), assessments and region states (triggers), and risk
-- levels (written by the leader's picture keeper with the risk rows). Readers follow it by the
-- cursor (xid, seq) and read only rows whose transaction is older than every transaction still
-- running (xid < pg_snapshot_xmin(pg_current_snapshot())): such rows are final, so a reader that
-- follows cursors never skips a row committed late by a slower writer (a plain sequence would:
-- sequence values are taken in one order and committed in another). docs/risk-model.md §7.

-- Impact and likelihood classes A-E of the national risk method (Nationaal Veiligheidsprofiel) are
-- national constants: seeded so assessments can name them before `vikd reference load`.
INSERT INTO impact_classes (code, label_nl, label_en) VALUES
    ('A', 'beperkt', 'limited'), ('B', 'aanzienlijk', 'substantial'), ('C', 'ernstig', 'serious'),
    ('D', 'zeer ernstig', 'very serious'), ('E', 'catastrofaal', 'catastrophic')
ON CONFLICT (code) DO NOTHING;
INSERT INTO likelihood_classes (code, label_nl, chance, description) VALUES
    ('A', 'zeer onwaarschijnlijk', '< 0,05%', 'geen concrete aanwijzingen, nauwelijks voorstelbaar'),
    ('B', 'onwaarschijnlijk', '0,05-0,5%', 'geen concrete aanwijzingen, enigszins voorstelbaar'),
    ('C', 'mogelijk', '0,5-5%', 'geen concrete aanwijzingen, voorstelbaar'),
    ('D', 'waarschijnlijk', '5-50%', 'zeer voorstelbaar'),
    ('E', 'zeer waarschijnlijk', '50-100%', 'concrete aanwijzingen')
ON CONFLICT (code) DO NOTHING;

CREATE TABLE changes (
    seq      bigint GENERATED ALWAYS AS IDENTITY,
    xid      xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at       timestamptz NOT NULL DEFAULT now(),
    picture  text NOT NULL,   -- the CAP status the change belongs to: actual, exercise, system, test, draft
    kind     text NOT NULL,   -- signal.accepted, signal.ended, risk.changed, risk.assessed, region.state
    object   text NOT NULL,   -- the signal id, risk id or region code
    PRIMARY KEY (xid, seq)
);
CREATE INDEX changes_at ON changes (at);

CREATE FUNCTION changes_log_signal_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (picture, kind, object) SELECT status, 'signal.accepted', id::text FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER signals_changes_insert AFTER INSERT ON signals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION changes_log_signal_inserts();

CREATE FUNCTION changes_log_signal_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (picture, kind, object)
    SELECT n.status, 'signal.ended', n.id::text FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.state IS DISTINCT FROM o.state;
    RETURN NULL;
END $$;
CREATE TRIGGER signals_changes_update AFTER UPDATE ON signals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION changes_log_signal_updates();

CREATE FUNCTION changes_log_region_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (picture, kind, object) VALUES ('actual', 'region.state', NEW.region);
    RETURN NULL;
END $$;
CREATE TRIGGER region_states_changes AFTER INSERT ON region_states
    FOR EACH ROW EXECUTE FUNCTION changes_log_region_states();

-- The engine's view of expiring signals in effect (warm-up reads by window end).
CREATE INDEX signals_expires ON signals (status, expires_at) WHERE state = 'active' AND expires_at IS NOT NULL;
CREATE INDEX signals_open_ended ON signals (status, (coalesce(onset_at, sent_at)))
    WHERE state = 'active' AND expires_at IS NULL;

-- One row per risk and picture, kept by the leader's picture keeper (never by a request).
CREATE TABLE risks (
    picture            text NOT NULL CHECK (picture IN ('actual', 'exercise')),
    id                 text NOT NULL,     -- '<theme>@<municipality>' or '<theme>@region'
    theme              text NOT NULL,
    municipality       text NOT NULL,     -- '' = region-wide
    in_picture         boolean NOT NULL,  -- false once no signal and no analyst level holds it
    priority           integer NOT NULL,  -- rank 1.. in the picture (1 = first); 0 when not in it
    nowcast            smallint NOT NULL CHECK (nowcast BETWEEN 0 AND 4),
    forecast_6h        smallint NOT NULL CHECK (forecast_6h BETWEEN 0 AND 4),
    forecast_24h       smallint NOT NULL CHECK (forecast_24h BETWEEN 0 AND 4),
    forecast_72h       smallint NOT NULL CHECK (forecast_72h BETWEEN 0 AND 4),
    past               smallint NOT NULL CHECK (past BETWEEN 0 AND 4),
    trend              smallint NOT NULL CHECK (trend BETWEEN -1 AND 1),
    analyst_level      smallint CHECK (analyst_level BETWEEN 0 AND 4),
    effective_level    smallint NOT NULL CHECK (effective_level BETWEEN 0 AND 4),
    worst_severity     text NOT NULL,
    sources            integer NOT NULL,
    breadth            integer NOT NULL,
    signals_in_effect  integer NOT NULL,
    signals_upcoming   integer NOT NULL,
    signal_ids         text[] NOT NULL,   -- strongest first, at most a few
    computed_at        timestamptz NOT NULL,
    changed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (picture, id)
);
CREATE INDEX risks_priority ON risks (picture, priority) WHERE in_picture;

-- The level over time: one row whenever a risk's levels changed.
CREATE TABLE risk_levels (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    picture          text NOT NULL,
    risk_id          text NOT NULL,
    at               timestamptz NOT NULL,
    nowcast          smallint NOT NULL,
    forecast_6h      smallint NOT NULL,
    forecast_24h     smallint NOT NULL,
    forecast_72h     smallint NOT NULL,
    trend            smallint NOT NULL,
    analyst_level    smallint,
    effective_level  smallint NOT NULL
);
CREATE INDEX risk_levels_risk ON risk_levels (picture, risk_id, seq DESC);

-- Analysts' interpretation (duiding) of a risk: versioned, one row per edit, never updated. The
-- risk need not have signals (an analyst may open a risk before any partner reports).
CREATE TABLE risk_assessments (
    picture        text NOT NULL CHECK (picture IN ('actual', 'exercise')),
    risk_id        text NOT NULL,
    version        integer NOT NULL CHECK (version > 0),
    status         text NOT NULL CHECK (status IN ('monitoring', 'active', 'closed')),
    phase          text REFERENCES crisis_phases (code),
    analyst_level  smallint CHECK (analyst_level BETWEEN 0 AND 4),
    scenarios      jsonb NOT NULL,     -- {"worst"|"real"|"best": {"description", "likelihood", "impact"}}
    assessment     text NOT NULL,
    advice         text[] NOT NULL,    -- handelingsperspectieven
    partners       text[] NOT NULL,    -- names from `partners`
    reason         text NOT NULL,
    set_by         text NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (picture, risk_id, version)
);
CREATE TRIGGER risk_assessments_no_update BEFORE UPDATE OR DELETE ON risk_assessments
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE FUNCTION changes_log_risk_assessments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (picture, kind, object) VALUES (NEW.picture, 'risk.assessed', NEW.risk_id);
    RETURN NULL;
END $$;
CREATE TRIGGER risk_assessments_changes AFTER INSERT ON risk_assessments
    FOR EACH ROW EXECUTE FUNCTION changes_log_risk_assessments();

-- When each source last delivered a signal, kept by the picture keeper from the change log.
CREATE TABLE source_health (
    source          text PRIMARY KEY REFERENCES sources (id),
    last_signal_at  timestamptz NOT NULL
);
INSERT INTO source_health (source, last_signal_at)
    SELECT source, max(received_at) FROM signals GROUP BY source;

-- Where the picture keeper is in the change log, per picture, and the picture's counts; written in
-- the transaction that writes the risks, under the leader's fence.
CREATE TABLE picture_state (
    picture            text PRIMARY KEY CHECK (picture IN ('actual', 'exercise')),
    cursor_xid         xid8 NOT NULL DEFAULT '0',
    cursor_seq         bigint NOT NULL DEFAULT 0,
    computed_at        timestamptz,
    computed_by        text,
    epoch              bigint,
    signals_in_effect  integer NOT NULL DEFAULT 0,
    active_incidents   integer NOT NULL DEFAULT 0,
    active_warnings    integer NOT NULL DEFAULT 0,
    lag_seconds        double precision NOT NULL DEFAULT 0  -- age of the oldest committed change not yet applied
);
INSERT INTO picture_state (picture) VALUES ('actual'), ('exercise');

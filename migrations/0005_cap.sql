-- 0005: CAP messages. Every CAP document accepted is kept verbatim (audit and re-export); its info
-- blocks become signals. Update and Cancel messages end the validity of the signals they reference;
-- a reference to a message that has not arrived yet waits in pending_references and is applied when
-- that message arrives. The same reference machinery serves JSON signals with msg_type update/cancel.

CREATE TABLE cap_messages (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source        text NOT NULL REFERENCES sources (id),  -- the CAP <sender>, a registered source
    identifier    text NOT NULL,
    sent          text NOT NULL,                           -- <sent> as written (references quote it)
    sent_at       timestamptz NOT NULL,
    status        text NOT NULL,                           -- actual, exercise, system, test, draft
    msg_type      text NOT NULL,                           -- alert, update, cancel, ack, error
    scope         text NOT NULL,
    cap_version   text NOT NULL,                           -- '1.2' or '1.1'
    refs          jsonb NOT NULL,                          -- [{"sender":..,"identifier":..,"sent":..}]
    raw           bytea NOT NULL,                          -- the document, byte for byte
    content_hash  bytea NOT NULL,                          -- SHA-256 of raw
    info_count    integer NOT NULL,
    via           text NOT NULL,                           -- 'http', 'grpc', 'feed:<name>'
    partner       text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    received_by   text NOT NULL,
    UNIQUE (source, identifier)
);
CREATE INDEX cap_messages_received_at ON cap_messages (received_at);

-- Signals made from a CAP message point back to it; every signal has a lifecycle state.
ALTER TABLE signals
    ADD COLUMN cap_message_id uuid REFERENCES cap_messages (id),
    ADD COLUMN cap_info_index integer,
    ADD COLUMN state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'cancelled', 'superseded')),
    ADD COLUMN ended_at timestamptz,       -- when a cancel or update ended it (the referrer's sent time)
    ADD COLUMN ended_by text;              -- 'cap:<message id>' or 'signal:<signal id>'
CREATE INDEX signals_cap_message ON signals (cap_message_id) WHERE cap_message_id IS NOT NULL;
CREATE INDEX signals_current ON signals (status, state, sent_at DESC);  -- the CAP index, newest first

-- A reference (from a cancel or update) to a message or signal not stored yet. Only the
-- referrer's own partner's signals can be ended (a partner cannot cancel another's alerts).
CREATE TABLE pending_references (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner         text NOT NULL,         -- the referrer's partner
    ref_source      text NOT NULL,
    ref_identifier  text NOT NULL,         -- CAP identifier or signal external_id
    action          text NOT NULL CHECK (action IN ('cancel', 'update')),
    status          text NOT NULL,         -- only ends signals of the same status (exercise vs actual)
    ended_by        text NOT NULL,
    ended_at        timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz            -- when the referenced message or signal arrived
);
CREATE INDEX pending_references_open ON pending_references (ref_source, ref_identifier) WHERE resolved_at IS NULL;

-- The theme a CAP <category> maps to when the alert names no crisis type (parameter `crisistype`).
-- One default per CAP category; 'Other' gets a catch-all theme of its own.
INSERT INTO themes (code, label, parent, cap_category) VALUES ('9', 'Overig (niet ingedeeld)', NULL, 'Other');
CREATE TABLE cap_category_themes (
    cap_category  text PRIMARY KEY,
    theme         text NOT NULL REFERENCES themes (code)
);
INSERT INTO cap_category_themes (cap_category, theme) VALUES
    ('Geo', '1.4'), ('Met', '1.3'), ('Safety', '7.1'), ('Security', '7.2'), ('Rescue', '2.2'),
    ('Fire', '2.1'), ('Health', '6.1'), ('Env', '1.5'), ('Transport', '5.3'), ('Infra', '4.1'),
    ('CBRNE', '3.2'), ('Other', '9');

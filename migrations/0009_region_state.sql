-- 0009: the region's crisis state as set by the control room's calamity coordinator (CaCo): GRIP
-- level and crisis phase, with a reason. Versioned (one row per change, never updated): who, when,
-- why; writers name the version they saw (optimistic concurrency).
-- GRIP levels and phases are national constants; they are seeded here so a fresh database can hold
-- a state before `vikd reference load` (which may update labels).

INSERT INTO grip_levels (code, ordinal, label, description) VALUES
    ('0', 0, 'routine', 'dagelijkse werkzaamheden'),
    ('1', 1, 'GRIP 1', 'bronbestrijding'),
    ('2', 2, 'GRIP 2', 'bron- en effectbestrijding'),
    ('3', 3, 'GRIP 3', 'welzijn bevolking in een gemeente'),
    ('4', 4, 'GRIP 4', 'meer dan een gemeente'),
    ('5', 5, 'GRIP 5', 'meer dan een veiligheidsregio'),
    ('RIJK', 6, 'GRIP Rijk', 'nationale sturing')
ON CONFLICT (code) DO NOTHING;
INSERT INTO crisis_phases (code, ordinal, label, description) VALUES
    ('koud', 0, 'koude fase', 'voorbereiding en normale situatie'),
    ('lauw', 1, 'lauwe fase', 'dreigende, sluimerende of langdurige crisis'),
    ('warm', 2, 'warme fase', 'acute respons'),
    ('nafase', 3, 'nafase', 'herstel en nazorg')
ON CONFLICT (code) DO NOTHING;

CREATE TABLE region_states (
    region      text NOT NULL REFERENCES regions (code),
    version     integer NOT NULL CHECK (version > 0),
    grip_level  text REFERENCES grip_levels (code),     -- null: no GRIP (routine without a level)
    phase       text NOT NULL REFERENCES crisis_phases (code),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    set_by      text NOT NULL,                          -- "token:<id> partner:<name>"
    set_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region, version)
);

CREATE TRIGGER region_states_no_update BEFORE UPDATE OR DELETE ON region_states
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

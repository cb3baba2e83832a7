-- 0008: the rest of the region's reference data as tables, loaded from data files
-- (deploy/reference/<region>/*.tsv, `vikd reference load DIR`): the national risk method's impact
-- and likelihood classes, GRIP levels and crisis phases; provinces of the regions.

ALTER TABLE regions ADD COLUMN nr integer, ADD COLUMN province text;

CREATE TABLE impact_classes (
    code      text PRIMARY KEY CHECK (code ~ '^[A-E]$'),
    label_nl  text NOT NULL,
    label_en  text NOT NULL
);

CREATE TABLE likelihood_classes (
    code         text PRIMARY KEY CHECK (code ~ '^[A-E]$'),
    label_nl     text NOT NULL,
    chance       text NOT NULL,
    description  text NOT NULL
);

CREATE TABLE grip_levels (
    code         text PRIMARY KEY CHECK (code ~ '^([0-9]|RIJK)$'),
    ordinal      integer NOT NULL UNIQUE,
    label        text NOT NULL,
    description  text NOT NULL
);

CREATE TABLE crisis_phases (
    code         text PRIMARY KEY CHECK (code ~ '^[a-z]{2,16}$'),
    ordinal      integer NOT NULL UNIQUE,
    label        text NOT NULL,
    description  text NOT NULL
);

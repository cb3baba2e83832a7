-- 0002: reference data that signal validation needs: safety regions, their municipalities (CBS
-- codes, with validity so that former codes still resolve), and the crisis taxonomy (themes).
-- Seeded for VR21 Brabant-Noord from ../shared/docs/domain.md sections 1.1, 1.2 and 2.3.

CREATE TABLE regions (
    code  text PRIMARY KEY CHECK (code ~ '^VR[0-9]{2}$'),
    name  text NOT NULL
);

CREATE TABLE municipalities (
    gm_code       text PRIMARY KEY CHECK (gm_code ~ '^GM[0-9]{4}$'),
    name          text NOT NULL,
    region_code   text NOT NULL REFERENCES regions (code),
    valid_from    date,
    valid_to      date,                 -- null: current
    successor     text REFERENCES municipalities (gm_code)
);

CREATE TABLE themes (
    code          text PRIMARY KEY CHECK (code ~ '^[1-9](\.[0-9]{1,2}){0,2}$'),
    label         text NOT NULL,
    parent        text REFERENCES themes (code),
    cap_category  text
);

INSERT INTO regions (code, name) VALUES
    ('VR20', 'Midden- en West-Brabant'),
    ('VR21', 'Brabant-Noord'),
    ('VR22', 'Brabant-Zuidoost'),
    ('VR08', 'Gelderland-Zuid'),
    ('VR23', 'Limburg-Noord');

INSERT INTO municipalities (gm_code, name, region_code, valid_from, valid_to, successor) VALUES
    ('GM1721', 'Bernheze', 'VR21', NULL, NULL, NULL),
    ('GM0755', 'Boekel', 'VR21', NULL, NULL, NULL),
    ('GM0757', 'Boxtel', 'VR21', NULL, NULL, NULL),
    ('GM0796', '''s-Hertogenbosch', 'VR21', NULL, NULL, NULL),
    ('GM0797', 'Heusden', 'VR21', NULL, NULL, NULL),
    ('GM1982', 'Land van Cuijk', 'VR21', '2022-01-01', NULL, NULL),
    ('GM1991', 'Maashorst', 'VR21', '2022-01-01', NULL, NULL),
    ('GM1948', 'Meierijstad', 'VR21', NULL, NULL, NULL),
    ('GM0828', 'Oss', 'VR21', NULL, NULL, NULL),
    ('GM0845', 'Sint-Michielsgestel', 'VR21', NULL, NULL, NULL),
    ('GM0865', 'Vught', 'VR21', NULL, NULL, NULL),
    -- Former municipalities merged on 2022-01-01; old signals still resolve to their successor.
    ('GM0756', 'Boxmeer', 'VR21', NULL, '2021-12-31', 'GM1982'),
    ('GM1684', 'Cuijk', 'VR21', NULL, '2021-12-31', 'GM1982'),
    ('GM0786', 'Grave', 'VR21', NULL, '2021-12-31', 'GM1982'),
    ('GM0815', 'Mill en Sint Hubert', 'VR21', NULL, '2021-12-31', 'GM1982'),
    ('GM1702', 'Sint Anthonis', 'VR21', NULL, '2021-12-31', 'GM1982'),
    ('GM0856', 'Uden', 'VR21', NULL, '2021-12-31', 'GM1991'),
    ('GM1685', 'Landerd', 'VR21', NULL, '2021-12-31', 'GM1991');

INSERT INTO themes (code, label, parent, cap_category) VALUES
    ('1', 'Natuurlijke omgeving', NULL, NULL),
    ('1.1', 'Overstromingen', '1', 'Met'),
    ('1.2', 'Natuurbranden', '1', 'Fire'),
    ('1.3', 'Extreme weersomstandigheden', '1', 'Met'),
    ('1.4', 'Aardbevingen', '1', 'Geo'),
    ('1.5', 'Plagen', '1', 'Env'),
    ('1.6', 'Dierziekten', '1', 'Health'),
    ('2', 'Gebouwde omgeving', NULL, NULL),
    ('2.1', 'Branden in kwetsbare objecten', '2', 'Fire'),
    ('2.2', 'Instorting grote gebouwen en kunstwerken', '2', 'Rescue'),
    ('3', 'Technologische omgeving', NULL, NULL),
    ('3.1', 'Brandbare/explosieve stof in open lucht', '3', 'CBRNE'),
    ('3.2', 'Giftige stof in open lucht', '3', 'CBRNE'),
    ('3.3', 'Kernincidenten', '3', 'CBRNE'),
    ('4', 'Vitale infrastructuur en voorzieningen', NULL, NULL),
    ('4.1', 'Verstoring energievoorziening', '4', 'Infra'),
    ('4.2', 'Verstoring drinkwatervoorziening', '4', 'Infra'),
    ('4.3', 'Verstoring rioolwaterafvoer en afvalwaterzuivering', '4', 'Infra'),
    ('4.4', 'Verstoring telecommunicatie en ICT', '4', 'Infra'),
    ('4.5', 'Verstoring afvalverwerking', '4', 'Infra'),
    ('4.6', 'Verstoring voedselvoorziening', '4', 'Infra'),
    ('5', 'Verkeer en vervoer', NULL, NULL),
    ('5.1', 'Luchtvaartincidenten', '5', 'Transport'),
    ('5.2', 'Incidenten op of onder water', '5', 'Transport'),
    ('5.3', 'Verkeersincidenten op land', '5', 'Transport'),
    ('5.4', 'Incidenten in tunnels', '5', 'Transport'),
    ('6', 'Gezondheid', NULL, NULL),
    ('6.1', 'Bedreiging volksgezondheid', '6', 'Health'),
    ('6.2', 'Ziektegolf', '6', 'Health'),
    ('7', 'Sociaal-maatschappelijke omgeving', NULL, NULL),
    ('7.1', 'Paniek in menigten', '7', 'Safety'),
    ('7.2', 'Verstoring openbare orde', '7', 'Security');

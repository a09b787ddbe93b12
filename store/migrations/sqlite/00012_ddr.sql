-- +goose Up
-- Disarmament, demobilisation and reintegration (ddr/): sites, registrants
-- (CAAFAG records flagged), their blocking keys for duplicate search,
-- duplicate candidates, weapons and their chain of custody.
CREATE TABLE ddr_sites (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions(code),
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    capacity       INTEGER NOT NULL,
    pcode          TEXT    NOT NULL DEFAULT '',
    lon            REAL,
    lat            REAL,
    classification TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX ddr_sites_mission ON ddr_sites (mission, name);

CREATE TABLE ddr_registrants (
    id               TEXT    PRIMARY KEY,
    mission          TEXT    NOT NULL REFERENCES missions(code),
    ddr_number       TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    name_variants    TEXT    NOT NULL DEFAULT '',
    mother_name      TEXT    NOT NULL DEFAULT '',
    sex              TEXT    NOT NULL,
    birth_year       INTEGER NOT NULL DEFAULT 0,
    birth_date       TEXT    NOT NULL DEFAULT '',
    birth_precision  TEXT    NOT NULL,
    age_low          INTEGER NOT NULL DEFAULT 0,
    age_high         INTEGER NOT NULL DEFAULT 0,
    origin_pcode     TEXT    NOT NULL DEFAULT '',
    armed_group      TEXT    NOT NULL DEFAULT '',
    rank             TEXT    NOT NULL DEFAULT '',
    registered_on    TEXT    NOT NULL,
    site_id          TEXT    NOT NULL REFERENCES ddr_sites(id),
    dependants       INTEGER NOT NULL DEFAULT 0,
    biometric_hash   TEXT    NOT NULL DEFAULT '',
    eligibility      TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    caafag           INTEGER NOT NULL,
    merged_into      TEXT    NOT NULL DEFAULT '',
    classification   TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL
);
CREATE UNIQUE INDEX ddr_registrants_number ON ddr_registrants (mission, ddr_number);
CREATE INDEX ddr_registrants_mission ON ddr_registrants (mission, caafag, id);

CREATE TABLE ddr_registrant_keys (
    mission       TEXT NOT NULL REFERENCES missions(code),
    block_key     TEXT NOT NULL,
    registrant_id TEXT NOT NULL REFERENCES ddr_registrants(id),
    PRIMARY KEY (mission, block_key, registrant_id)
);

CREATE TABLE ddr_duplicates (
    id          TEXT    PRIMARY KEY,
    mission     TEXT    NOT NULL REFERENCES missions(code),
    a_id        TEXT    NOT NULL REFERENCES ddr_registrants(id),
    b_id        TEXT    NOT NULL REFERENCES ddr_registrants(id),
    score       REAL    NOT NULL,
    reasons     TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    resolved_by TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
);
CREATE UNIQUE INDEX ddr_duplicates_pair ON ddr_duplicates (mission, a_id, b_id);

CREATE TABLE ddr_weapons (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions(code),
    kind           TEXT    NOT NULL,
    make_model     TEXT    NOT NULL DEFAULT '',
    serial         TEXT    NOT NULL DEFAULT '',
    serial_key     TEXT    NOT NULL DEFAULT '',
    calibre        TEXT    NOT NULL DEFAULT '',
    quantity       INTEGER NOT NULL,
    condition      TEXT    NOT NULL,
    registrant_id  TEXT    NOT NULL DEFAULT '',
    armed_group    TEXT    NOT NULL DEFAULT '',
    collected_on   TEXT    NOT NULL,
    site_id        TEXT    NOT NULL DEFAULT '',
    custody_state  TEXT    NOT NULL,
    classification TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX ddr_weapons_serial ON ddr_weapons (mission, serial_key);

CREATE TABLE ddr_custody_steps (
    id         TEXT    PRIMARY KEY,
    weapon_id  TEXT    NOT NULL REFERENCES ddr_weapons(id),
    seq        INTEGER NOT NULL,
    step       TEXT    NOT NULL,
    on_date    TEXT    NOT NULL,
    place      TEXT    NOT NULL DEFAULT '',
    officer    TEXT    NOT NULL,
    method     TEXT    NOT NULL DEFAULT '',
    witnesses  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ddr_custody_steps_seq ON ddr_custody_steps (weapon_id, seq);

CREATE TABLE ddr_reintegrations (
    id            TEXT    PRIMARY KEY,
    mission       TEXT    NOT NULL REFERENCES missions(code),
    registrant_id TEXT    NOT NULL REFERENCES ddr_registrants(id),
    package       TEXT    NOT NULL,
    option        TEXT    NOT NULL,
    started_on    TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX ddr_reintegrations_registrant ON ddr_reintegrations (mission, registrant_id);

CREATE TABLE ddr_followups (
    id                TEXT    PRIMARY KEY,
    reintegration_id  TEXT    NOT NULL REFERENCES ddr_reintegrations(id),
    visited_on        TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    note              TEXT    NOT NULL DEFAULT '',
    officer           TEXT    NOT NULL,
    created_at        INTEGER NOT NULL
);
CREATE INDEX ddr_followups_reintegration ON ddr_followups (reintegration_id, visited_on);

CREATE TABLE ddr_cvr_projects (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions(code),
    name           TEXT    NOT NULL,
    pcode          TEXT    NOT NULL DEFAULT '',
    start_on       TEXT    NOT NULL,
    end_on         TEXT    NOT NULL DEFAULT '',
    participants   INTEGER NOT NULL,
    women          INTEGER NOT NULL,
    youth          INTEGER NOT NULL,
    ex_combatants  INTEGER NOT NULL,
    classification TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX ddr_cvr_projects_mission ON ddr_cvr_projects (mission, start_on);

-- +goose Down
DROP TABLE ddr_cvr_projects;
DROP TABLE ddr_followups;
DROP TABLE ddr_reintegrations;
DROP TABLE ddr_custody_steps;
DROP TABLE ddr_weapons;
DROP TABLE ddr_duplicates;
DROP TABLE ddr_registrant_keys;
DROP TABLE ddr_registrants;
DROP TABLE ddr_sites;

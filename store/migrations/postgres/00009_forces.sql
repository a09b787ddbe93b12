-- +goose Up
-- Uniformed and civilian personnel (forces/). Units are what contributing
-- countries deploy to a mission; strength returns are the monthly counts by
-- contributor x personnel category x sex (imported from the UN monthly
-- contribution reports or entered); ceilings are the authorised strengths a
-- personnel officer enters when no mandate service supplies them; gender
-- targets are the mission's share-of-women goals; fatalities are
-- peacekeeper deaths; courses, requirements and completions are the
-- training catalogue and records; waivers lift the deployment gate.
-- Months are TEXT YYYY-MM, dates TEXT YYYY-MM-DD, instants unix ms.
CREATE TABLE forces_units (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    name           TEXT    NOT NULL,
    unit_type      TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    country        TEXT    NOT NULL,
    size           BIGINT  NOT NULL,
    base_name      TEXT    NOT NULL DEFAULT '',
    base_kind      TEXT    NOT NULL DEFAULT '',
    base_lon       DOUBLE PRECISION,
    base_lat       DOUBLE PRECISION,
    arrival        TEXT,
    rotation_due   TEXT,
    status         TEXT    NOT NULL,
    replacement_id TEXT    NOT NULL DEFAULT '',
    classification TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL
);
CREATE INDEX forces_units_mission ON forces_units (mission, name, id);

CREATE TABLE forces_strength (
    mission    TEXT    NOT NULL REFERENCES missions (code),
    month      TEXT    NOT NULL,
    country    TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    sex        TEXT    NOT NULL,
    personnel  BIGINT  NOT NULL,
    source     TEXT    NOT NULL DEFAULT '',
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (mission, month, country, category, sex)
);

-- forces_strength_totals is forces_strength summed over contributors, kept
-- in step by every write of returns (same transaction): the chart of a
-- mission's strength over time reads months x categories x sexes, not every
-- contributor's return.
CREATE TABLE forces_strength_totals (
    mission    TEXT    NOT NULL REFERENCES missions (code),
    month      TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    sex        TEXT    NOT NULL,
    personnel  BIGINT  NOT NULL,
    PRIMARY KEY (mission, month, category, sex)
);

CREATE TABLE forces_ceilings (
    mission    TEXT    NOT NULL REFERENCES missions (code),
    category   TEXT    NOT NULL,
    effective  TEXT    NOT NULL,
    ceiling    BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (mission, category, effective)
);

CREATE TABLE forces_gender_targets (
    mission    TEXT    NOT NULL REFERENCES missions (code),
    year       BIGINT  NOT NULL,
    category   TEXT    NOT NULL,
    target_bp  BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (mission, year, category)
);

CREATE TABLE forces_fatalities (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    incident_date  TEXT    NOT NULL,
    country        TEXT    NOT NULL,
    personnel_type TEXT    NOT NULL,
    incident_type  TEXT    NOT NULL,
    sex            TEXT    NOT NULL,
    event_id       TEXT    NOT NULL DEFAULT '',
    source         TEXT    NOT NULL DEFAULT '',
    source_id      TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL
);
CREATE INDEX forces_fatalities_mission ON forces_fatalities (mission, incident_date);
CREATE UNIQUE INDEX forces_fatalities_source ON forces_fatalities (source, source_id) WHERE source_id <> '';

CREATE TABLE forces_requirements (
    mission    TEXT    NOT NULL REFERENCES missions (code),
    category   TEXT    NOT NULL,
    course     TEXT    NOT NULL,
    valid_days BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (mission, category, course)
);

CREATE TABLE forces_completions (
    id          TEXT    PRIMARY KEY,
    mission     TEXT    NOT NULL REFERENCES missions (code),
    unit_id     TEXT    NOT NULL REFERENCES forces_units (id),
    course      TEXT    NOT NULL,
    person      TEXT    NOT NULL DEFAULT '',
    completed   TEXT    NOT NULL,
    expires     TEXT,
    provider    TEXT    NOT NULL DEFAULT '',
    certificate TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX forces_completions_unit ON forces_completions (unit_id, course);

CREATE TABLE forces_waivers (
    id         TEXT    PRIMARY KEY,
    mission    TEXT    NOT NULL REFERENCES missions (code),
    unit_id    TEXT    NOT NULL REFERENCES forces_units (id),
    reason     TEXT    NOT NULL,
    courses    TEXT    NOT NULL,
    granted_by TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX forces_waivers_unit ON forces_waivers (unit_id);

-- +goose Down
DROP TABLE forces_waivers;
DROP TABLE forces_completions;
DROP TABLE forces_requirements;
DROP TABLE forces_fatalities;
DROP TABLE forces_gender_targets;
DROP TABLE forces_ceilings;
DROP TABLE forces_strength_totals;
DROP TABLE forces_strength;
DROP TABLE forces_units;

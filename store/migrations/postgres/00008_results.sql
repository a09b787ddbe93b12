-- +goose Up
-- The results framework (results/): objectives linked to mandated tasks,
-- expected results, indicators, their measurements, the section members
-- who enter them, the lock of past periods and the assessment narratives.
-- Targets, disaggregation dimensions and computed definitions of an
-- indicator are JSON text; civil dates are YYYY-MM-DD text; instants unix
-- milliseconds; classification the integer level of peaceops.
CREATE TABLE results_objectives (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    code           TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    task_ids       TEXT    NOT NULL DEFAULT '[]',
    classification BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL,
    UNIQUE (mission, code)
);

CREATE TABLE results_expected (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    objective_id   TEXT    NOT NULL REFERENCES results_objectives (id),
    code           TEXT    NOT NULL,
    level          TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    classification BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL,
    UNIQUE (mission, code)
);
CREATE INDEX results_expected_objective ON results_expected (objective_id);

CREATE TABLE results_indicators (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    result_id      TEXT    NOT NULL REFERENCES results_expected (id),
    code           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    definition     TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL,
    unit           TEXT    NOT NULL,
    scale_min      DOUBLE PRECISION,
    scale_max      DOUBLE PRECISION,
    direction      TEXT    NOT NULL,
    baseline_value DOUBLE PRECISION NOT NULL,
    baseline_date  TEXT    NOT NULL,
    targets        TEXT    NOT NULL DEFAULT '[]',
    frequency      TEXT    NOT NULL,
    dimensions     TEXT    NOT NULL DEFAULT '[]',
    computed       TEXT    NOT NULL DEFAULT '',
    data_source    TEXT    NOT NULL DEFAULT '',
    section        TEXT    NOT NULL DEFAULT '',
    template       TEXT    NOT NULL DEFAULT '',
    classification BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL,
    UNIQUE (mission, code)
);
CREATE INDEX results_indicators_result ON results_indicators (result_id);

CREATE TABLE results_section_members (
    mission    TEXT    NOT NULL REFERENCES missions (code),
    section    TEXT    NOT NULL,
    username   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (mission, section, username)
);

CREATE TABLE results_measurements (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    indicator_id   TEXT    NOT NULL REFERENCES results_indicators (id),
    period         TEXT    NOT NULL,
    period_start   TEXT    NOT NULL,
    period_end     TEXT    NOT NULL,
    cell           TEXT    NOT NULL DEFAULT '',
    value          DOUBLE PRECISION NOT NULL,
    evidence_note  TEXT    NOT NULL DEFAULT '',
    evidence_link  TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL,
    return_reason  TEXT    NOT NULL DEFAULT '',
    entered_by     TEXT    NOT NULL,
    decided_by     TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL,
    UNIQUE (indicator_id, period, cell)
);
CREATE INDEX results_measurements_mission ON results_measurements (mission, period_end);

CREATE TABLE results_locks (
    mission        TEXT    PRIMARY KEY REFERENCES missions (code),
    locked_through TEXT    NOT NULL,
    locked_by      TEXT    NOT NULL,
    locked_at      BIGINT  NOT NULL
);

CREATE TABLE results_assessments (
    id              TEXT    PRIMARY KEY,
    mission         TEXT    NOT NULL REFERENCES missions (code),
    objective_id    TEXT    NOT NULL REFERENCES results_objectives (id),
    period          TEXT    NOT NULL,
    achievements    TEXT    NOT NULL DEFAULT '',
    obstacles       TEXT    NOT NULL DEFAULT '',
    recommendations TEXT    NOT NULL DEFAULT '',
    author          TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL,
    UNIQUE (objective_id, period)
);

-- +goose Down
DROP TABLE results_assessments;
DROP TABLE results_locks;
DROP TABLE results_measurements;
DROP TABLE results_section_members;
DROP TABLE results_indicators;
DROP TABLE results_expected;
DROP TABLE results_objectives;

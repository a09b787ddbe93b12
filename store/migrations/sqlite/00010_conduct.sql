-- +goose Up
-- Conduct and discipline (conduct/). conduct_allegations holds the
-- misconduct cases of a mission and their investigation; categories and
-- interim_measures are comma-separated codes of conduct's vocabularies.
-- conduct_victims holds the victims of a case: sex and age group in clear,
-- identity (name, contact, location) only as values sealed with the data
-- key bound to the victim's id (never in clear). conduct_actions are the
-- actions taken and their dates, conduct_case_log the case's timeline.
-- conduct_sea_history keeps the UN's published table of SEA allegations
-- as imported: its missions include closed ones peaceops never tracked,
-- so mission is plain text there, not a reference to missions.
-- conduct_use_of_force holds use-of-force reports and their review.
-- Civil dates are YYYY-MM-DD text; instants unix milliseconds.
CREATE TABLE conduct_allegations (
    id                  TEXT    PRIMARY KEY,
    mission             TEXT    NOT NULL REFERENCES missions (code),
    reported            TEXT    NOT NULL,
    incident_date       TEXT,
    incident_precision  TEXT    NOT NULL,
    received_via        TEXT    NOT NULL,
    categories          TEXT    NOT NULL,
    personnel_category  TEXT    NOT NULL,
    perpetrators        INTEGER NOT NULL,
    nationality         TEXT    NOT NULL DEFAULT '',
    victim_count        INTEGER NOT NULL DEFAULT 0,
    paternity_claims    INTEGER NOT NULL DEFAULT 0,
    interim_measures    TEXT    NOT NULL DEFAULT '',
    assistance_referred TEXT,
    summary             TEXT    NOT NULL DEFAULT '',
    feedback_id         TEXT    NOT NULL DEFAULT '',
    inv_entity          TEXT    NOT NULL DEFAULT '',
    inv_opened          TEXT,
    inv_closed          TEXT,
    inv_status          TEXT    NOT NULL,
    status_since        TEXT    NOT NULL,
    findings            TEXT    NOT NULL DEFAULT '',
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    version             INTEGER NOT NULL
);
CREATE INDEX conduct_allegations_mission ON conduct_allegations (mission, reported, id);
CREATE INDEX conduct_allegations_feedback ON conduct_allegations (feedback_id);

CREATE TABLE conduct_victims (
    id              TEXT    PRIMARY KEY,
    allegation_id   TEXT    NOT NULL REFERENCES conduct_allegations (id),
    mission         TEXT    NOT NULL REFERENCES missions (code),
    sex             TEXT    NOT NULL,
    age_group       TEXT    NOT NULL,
    name_sealed     TEXT    NOT NULL DEFAULT '',
    contact_sealed  TEXT    NOT NULL DEFAULT '',
    location_sealed TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX conduct_victims_allegation ON conduct_victims (allegation_id, id);

CREATE TABLE conduct_actions (
    id            TEXT    PRIMARY KEY,
    allegation_id TEXT    NOT NULL REFERENCES conduct_allegations (id),
    mission       TEXT    NOT NULL REFERENCES missions (code),
    action        TEXT    NOT NULL,
    taken_on      TEXT    NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX conduct_actions_allegation ON conduct_actions (allegation_id, taken_on);

CREATE TABLE conduct_case_log (
    id            TEXT    PRIMARY KEY,
    allegation_id TEXT    NOT NULL REFERENCES conduct_allegations (id),
    on_date       TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    detail        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX conduct_case_log_allegation ON conduct_case_log (allegation_id, on_date, at);

CREATE TABLE conduct_sea_history (
    id                 TEXT    PRIMARY KEY,
    source             TEXT    NOT NULL,
    row_no             INTEGER NOT NULL,
    reported           TEXT    NOT NULL,
    year               INTEGER NOT NULL,
    mission            TEXT    NOT NULL,
    incident           TEXT    NOT NULL DEFAULT '',
    personnel_category TEXT    NOT NULL,
    personnel_detail   TEXT    NOT NULL DEFAULT '',
    perpetrators       INTEGER NOT NULL,
    nationality        TEXT    NOT NULL DEFAULT '',
    victims_adult      INTEGER NOT NULL,
    victims_child      INTEGER NOT NULL,
    victims_unknown    INTEGER NOT NULL,
    categories         TEXT    NOT NULL,
    paternity_claim    BOOLEAN NOT NULL,
    inv_entity         TEXT    NOT NULL DEFAULT '',
    inv_days           INTEGER,
    inv_status         TEXT    NOT NULL,
    interim_measures   TEXT    NOT NULL DEFAULT '',
    actions            TEXT    NOT NULL DEFAULT '',
    imported_at        INTEGER NOT NULL,
    UNIQUE (source, row_no)
);
CREATE INDEX conduct_sea_history_year ON conduct_sea_history (year, mission);

CREATE TABLE conduct_use_of_force (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    unit           TEXT    NOT NULL,
    occurred_at    INTEGER NOT NULL,
    place          TEXT    NOT NULL DEFAULT '',
    event_id       TEXT    NOT NULL DEFAULT '',
    force_type     TEXT    NOT NULL,
    legal_basis    TEXT    NOT NULL DEFAULT '',
    killed         INTEGER NOT NULL DEFAULT 0,
    injured        INTEGER NOT NULL DEFAULT 0,
    narrative      TEXT    NOT NULL DEFAULT '',
    review_by      TEXT    NOT NULL DEFAULT '',
    review_finding TEXT    NOT NULL DEFAULT '',
    reviewed_on    TEXT,
    review_note    TEXT    NOT NULL DEFAULT '',
    classification INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX conduct_use_of_force_mission ON conduct_use_of_force (mission, occurred_at, id);

-- +goose Down
DROP TABLE conduct_use_of_force;
DROP TABLE conduct_sea_history;
DROP TABLE conduct_case_log;
DROP TABLE conduct_actions;
DROP TABLE conduct_victims;
DROP TABLE conduct_allegations;

-- +goose Up
-- Mandates (mandates/): the Security Council resolutions that set a
-- mission's mandate, the personnel ceilings they authorise and the tasks
-- they mandate. Dates (adopted, period_*) are YYYY-MM-DD; instants are
-- unix milliseconds; classification is its rank 1..4 (public..strictly-
-- confidential) so lists filter with `classification <= clearance`.
CREATE TABLE mandate_resolutions (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    symbol         TEXT    NOT NULL,
    adopted        TEXT    NOT NULL,
    period_start   TEXT    NOT NULL,
    period_end     TEXT    NOT NULL,
    chapter_vii    BOOLEAN NOT NULL,
    document_url   TEXT    NOT NULL DEFAULT '',
    source_note    TEXT    NOT NULL DEFAULT '',
    classification INTEGER NOT NULL,
    created_at     INTEGER  NOT NULL,
    updated_at     INTEGER  NOT NULL,
    version        INTEGER  NOT NULL
);
CREATE UNIQUE INDEX mandate_resolutions_symbol ON mandate_resolutions (mission, symbol);
CREATE INDEX mandate_resolutions_adopted ON mandate_resolutions (mission, adopted, id);

-- The ceiling a resolution authorises for one personnel category
-- (military, military_observers, police_fpu, police_ipo, military_total,
-- police_total, corrections). A category the resolution does not state has
-- no row.
CREATE TABLE mandate_ceilings (
    resolution_id TEXT    NOT NULL REFERENCES mandate_resolutions (id) ON DELETE CASCADE,
    category      TEXT    NOT NULL,
    personnel     INTEGER NOT NULL,
    PRIMARY KEY (resolution_id, category)
);

-- The tasks a resolution mandates, in the order the resolution gives them.
-- lineage says how a task stands to the previous resolution of the mission
-- (new, continues, changes, ends); previous_task_id names the task it
-- continues, changes or ends ('' for new).
CREATE TABLE mandate_tasks (
    id               TEXT    PRIMARY KEY,
    resolution_id    TEXT    NOT NULL REFERENCES mandate_resolutions (id) ON DELETE CASCADE,
    mission          TEXT    NOT NULL REFERENCES missions (code),
    position         INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    paragraph        TEXT    NOT NULL DEFAULT '',
    priority         BOOLEAN NOT NULL,
    category         TEXT    NOT NULL,
    lineage          TEXT    NOT NULL,
    previous_task_id TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX mandate_tasks_resolution ON mandate_tasks (resolution_id, position);
CREATE INDEX mandate_tasks_previous ON mandate_tasks (previous_task_id);

-- +goose Down
DROP TABLE mandate_tasks;
DROP TABLE mandate_ceilings;
DROP TABLE mandate_resolutions;

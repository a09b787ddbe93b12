-- +goose Up
-- Background jobs (jobs/): long work such as imports, run by any server's
-- workers and watched from any server, so their state lives here.
-- status: queued, running, succeeded, failed, cancelled. runner names the
-- server process that claimed a running job and heartbeat_at is when it
-- last said it was alive: a running job whose heartbeat is stale was left
-- by a crashed server and is failed as interrupted. actor_context is the
-- submitter as the job's work acts (user, admin flag, roles per mission),
-- JSON; result and error are JSON.
CREATE TABLE jobs (
    id               TEXT    PRIMARY KEY,
    kind             TEXT    NOT NULL,
    mission          TEXT    NOT NULL DEFAULT '',
    actor_id         TEXT    NOT NULL DEFAULT '',
    actor            TEXT    NOT NULL,
    actor_context    TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    progress         INTEGER NOT NULL DEFAULT 0,
    total            INTEGER,
    message          TEXT    NOT NULL DEFAULT '',
    result           TEXT,
    error            TEXT,
    input_size       INTEGER NOT NULL DEFAULT 0,
    runner           TEXT    NOT NULL DEFAULT '',
    heartbeat_at     INTEGER,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX jobs_status ON jobs (status, id);
CREATE INDEX jobs_actor ON jobs (actor_id, id);
CREATE INDEX jobs_mission ON jobs (mission, id);

-- The input of a job (an uploaded file), in chunks of at most 1 MiB so no
-- single value is huge. It lives in the database rather than a temp file
-- so that whichever server claims the job can read it, and so it survives
-- a restart; it is deleted when the job finishes.
CREATE TABLE job_inputs (
    job_id TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- +goose Down
DROP TABLE job_inputs;
DROP TABLE jobs;

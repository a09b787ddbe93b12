-- +goose Up
-- Early warning (alerts/). An alert is one episode of unusual activity in
-- an admin area (optionally for one event category) as the statistics of
-- alerts/detect.go found it. The scheduled and manual runs update the open
-- episode of an (area, type, metric) instead of adding a new row: active
-- marks the current episode of its key, and the partial unique index keeps
-- it single even when runs race. quiet_runs counts the consecutive runs in
-- which the area fell back to no level; two end the episode. peak_level is
-- the highest level the episode reached: notifications go out when it
-- rises. notes is a JSON array; window_* are dates (YYYY-MM-DD); instants
-- are unix milliseconds.
CREATE TABLE alerts (
    id             TEXT    PRIMARY KEY,
    mission        TEXT    NOT NULL REFERENCES missions (code),
    area           TEXT    NOT NULL,
    area_name      TEXT    NOT NULL,
    area_level     INTEGER NOT NULL,
    type           TEXT    NOT NULL DEFAULT '',
    metric         TEXT    NOT NULL,
    observed       REAL    NOT NULL,
    expected       REAL    NOT NULL,
    baseline       REAL    NOT NULL,
    history_weeks  INTEGER NOT NULL,
    p_value        REAL    NOT NULL,
    adjusted_p     REAL    NOT NULL,
    model          TEXT    NOT NULL,
    level          TEXT    NOT NULL,
    peak_level     TEXT    NOT NULL,
    explanation    TEXT    NOT NULL,
    window_from    TEXT    NOT NULL,
    window_to      TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    state_reason   TEXT    NOT NULL DEFAULT '',
    owner          TEXT    NOT NULL DEFAULT '',
    notes          TEXT    NOT NULL DEFAULT '[]',
    classification INTEGER NOT NULL,
    active         BOOLEAN NOT NULL,
    quiet_runs     INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX alerts_active_key ON alerts (mission, area, type, metric) WHERE active;
CREATE INDEX alerts_mission_id ON alerts (mission, id);

-- What a user wants to hear about: alerts of a mission in an area (a
-- P-code, which also covers the areas below it; '' = every area) and a
-- category ('' = alerts over all events) from min_level up. email, when
-- set, also receives them by mail.
CREATE TABLE alert_subscriptions (
    id         TEXT    PRIMARY KEY,
    mission    TEXT    NOT NULL REFERENCES missions (code),
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area       TEXT    NOT NULL DEFAULT '',
    category   TEXT    NOT NULL DEFAULT '',
    min_level  TEXT    NOT NULL,
    email      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX alert_subscriptions_key ON alert_subscriptions (mission, user_id, area, category);

-- In-app notifications, one per user, alert and level reached. The mail
-- copy (when the subscription has an address) is sent after the run
-- commits; emailed_at stays NULL until a send succeeds, and failed sends
-- are retried by later runs up to a limit.
CREATE TABLE alert_notifications (
    id             TEXT    PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mission        TEXT    NOT NULL,
    alert_id       TEXT    NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    level          TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    read_at        INTEGER,
    email          TEXT    NOT NULL DEFAULT '',
    emailed_at     INTEGER,
    email_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX alert_notifications_once ON alert_notifications (user_id, alert_id, level);
CREATE INDEX alert_notifications_user ON alert_notifications (user_id, id);
CREATE INDEX alert_notifications_mail ON alert_notifications (email_attempts) WHERE email <> '' AND emailed_at IS NULL;

-- One row per mission: when its alerts were last computed, and until when
-- a server has claimed the next scheduled run (so several servers do not
-- run it twice).
CREATE TABLE alert_runs (
    mission      TEXT    PRIMARY KEY REFERENCES missions (code),
    last_run_at  INTEGER NOT NULL DEFAULT 0,
    claimed_till INTEGER NOT NULL DEFAULT 0,
    last_result  TEXT    NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE alert_runs;
DROP TABLE alert_notifications;
DROP TABLE alert_subscriptions;
DROP TABLE alerts;

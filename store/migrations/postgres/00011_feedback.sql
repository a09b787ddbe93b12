-- +goose Up
-- The community feedback channel (feedback/). A submission keeps no trace
-- of who sent it: no address, no user agent, no time finer than the day it
-- was received (received, a YYYY-MM-DD date). tracking_hash is the SHA-256
-- of the tracking code given to the submitter (the code itself is never
-- stored). contact_sealed is the submitter's contact (a phone number from
-- SMS, or what they typed) sealed with the data key, empty when none was
-- given. ack_due and resolve_due are the service-level deadlines; the *_on
-- columns are the days a step happened (NULL: not yet). feedback_log is
-- each submission's timeline: officers' actions with their instant (unix
-- milliseconds); public marks what the submitter sees on the tracking page
-- (the public response), the rest (notes, assignments) stays internal.
CREATE TABLE feedback (
    id              TEXT    PRIMARY KEY,
    mission         TEXT    NOT NULL REFERENCES missions (code),
    tracking_hash   TEXT    NOT NULL UNIQUE,
    channel         TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    place_pcode     TEXT    NOT NULL DEFAULT '',
    place_text      TEXT    NOT NULL DEFAULT '',
    description     TEXT    NOT NULL,
    language        TEXT    NOT NULL DEFAULT '',
    contact_sealed  TEXT    NOT NULL DEFAULT '',
    reply_wanted    INTEGER NOT NULL DEFAULT 0,
    received        TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    assigned_to     TEXT    NOT NULL DEFAULT '',
    referred_to     TEXT    NOT NULL DEFAULT '',
    allegation_id   TEXT    NOT NULL DEFAULT '',
    public_response TEXT    NOT NULL DEFAULT '',
    ack_due         TEXT    NOT NULL,
    resolve_due     TEXT    NOT NULL,
    acknowledged_on TEXT,
    referred_on     TEXT,
    responded_on    TEXT,
    closed_on       TEXT,
    version         INTEGER NOT NULL
);
CREATE INDEX feedback_mission ON feedback (mission, received, id);

CREATE TABLE feedback_log (
    id          TEXT    PRIMARY KEY,
    feedback_id TEXT    NOT NULL REFERENCES feedback (id),
    mission     TEXT    NOT NULL REFERENCES missions (code),
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    public      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feedback_log_feedback ON feedback_log (feedback_id, at, id);

-- +goose Down
DROP TABLE feedback_log;
DROP TABLE feedback;

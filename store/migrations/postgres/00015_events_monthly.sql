-- +goose Up
-- Monthly rollup of the live events, beside the daily one and maintained
-- with it in the same transaction as every write (events/stats.go). Stats
-- by month over whole months (the dashboard's usual question) read it: a
-- month holds about thirty times fewer rows than its days. month and
-- end_month are YYYYMM of start_at and end_at (UTC): an event counts for a
-- range of whole months when it starts before the range ends and ends after
-- it starts, exactly as the daily rollup decides for days.
CREATE TABLE events_monthly (
    mission        TEXT    NOT NULL,
    month          INTEGER NOT NULL,
    end_month      INTEGER NOT NULL,
    admin1_pcode   TEXT    NOT NULL,
    admin2_pcode   TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    classification INTEGER NOT NULL,
    admin1_name    TEXT    NOT NULL,
    admin2_name    TEXT    NOT NULL,
    events         INTEGER NOT NULL,
    fatalities     INTEGER NOT NULL,
    civilian       INTEGER NOT NULL,
    PRIMARY KEY (mission, month, end_month, admin1_pcode, admin2_pcode, type, status, classification)
);

INSERT INTO events_monthly (mission, month, end_month, admin1_pcode, admin2_pcode, type, category, status,
        classification, admin1_name, admin2_name, events, fatalities, civilian)
    SELECT mission, month, CAST(to_char(to_timestamp(end_day * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER), admin1_pcode, admin2_pcode, type, MAX(category), status,
        classification, MAX(admin1_name), MAX(admin2_name), SUM(events), SUM(fatalities), SUM(civilian)
    FROM events_daily
    GROUP BY mission, month, CAST(to_char(to_timestamp(end_day * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER), admin1_pcode, admin2_pcode, type, status, classification;

-- +goose Down
DROP TABLE events_monthly;

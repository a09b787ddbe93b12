-- +goose Up
-- Events (incidents) of a mission: events/. Instants are unix
-- milliseconds; classification is its rank 1..4 (public..strictly-
-- confidential) so lists filter with `classification <= clearance`.
-- actors, sources, source_attrs and flags are JSON text; actor_names (the
-- actors' names, one a line) feeds the full-text index. import_hash is the
-- fingerprint of the event as last imported (re-imports compare it).
--
-- SQLite only: seq, the INTEGER PRIMARY KEY that keys the R*Tree and FTS5
-- tables (a plain rowid may be renumbered by VACUUM).
CREATE TABLE events (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT    NOT NULL UNIQUE,
    mission            TEXT    NOT NULL REFERENCES missions (code),
    type               TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    narrative          TEXT    NOT NULL DEFAULT '',
    start_at           INTEGER NOT NULL,
    end_at             INTEGER NOT NULL,
    date_precision     TEXT    NOT NULL,
    lon                REAL,
    lat                REAL,
    location_precision TEXT    NOT NULL DEFAULT '',
    place_name         TEXT    NOT NULL DEFAULT '',
    country            TEXT    NOT NULL DEFAULT '',
    admin1_pcode       TEXT    NOT NULL DEFAULT '',
    admin1_name        TEXT    NOT NULL DEFAULT '',
    admin2_pcode       TEXT    NOT NULL DEFAULT '',
    admin2_name        TEXT    NOT NULL DEFAULT '',
    source_admin1      TEXT    NOT NULL DEFAULT '',
    source_admin2      TEXT    NOT NULL DEFAULT '',
    fatalities_low     INTEGER NOT NULL DEFAULT 0,
    fatalities_best    INTEGER NOT NULL DEFAULT 0,
    fatalities_high    INTEGER NOT NULL DEFAULT 0,
    civilian_low       INTEGER NOT NULL DEFAULT 0,
    civilian_best      INTEGER NOT NULL DEFAULT 0,
    civilian_high      INTEGER NOT NULL DEFAULT 0,
    peacekeeper_low    INTEGER NOT NULL DEFAULT 0,
    peacekeeper_best   INTEGER NOT NULL DEFAULT 0,
    peacekeeper_high   INTEGER NOT NULL DEFAULT 0,
    injuries_low       INTEGER NOT NULL DEFAULT 0,
    injuries_best      INTEGER NOT NULL DEFAULT 0,
    injuries_high      INTEGER NOT NULL DEFAULT 0,
    status             TEXT    NOT NULL,
    verified_by        TEXT    NOT NULL DEFAULT '',
    verified_at        INTEGER,
    verify_reason      TEXT    NOT NULL DEFAULT '',
    classification     INTEGER NOT NULL,
    source             TEXT    NOT NULL DEFAULT '',
    source_id          TEXT    NOT NULL DEFAULT '',
    source_attrs       TEXT    NOT NULL DEFAULT '{}',
    flags              TEXT    NOT NULL DEFAULT '[]',
    actors             TEXT    NOT NULL DEFAULT '[]',
    actor_names        TEXT    NOT NULL DEFAULT '',
    sources            TEXT    NOT NULL DEFAULT '[]',
    import_hash        TEXT    NOT NULL DEFAULT '',
    merged_into        TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    deleted_at         INTEGER,
    delete_reason      TEXT    NOT NULL DEFAULT ''
);
-- Lists are newest first with keyset pagination on (start_at, id).
CREATE INDEX events_mission_start ON events (mission, start_at, id);
CREATE INDEX events_mission_type_start ON events (mission, type, start_at);
CREATE INDEX events_mission_admin1_start ON events (mission, admin1_pcode, start_at);
CREATE INDEX events_mission_admin2_start ON events (mission, admin2_pcode, start_at);
-- Imports are idempotent on provenance.
CREATE UNIQUE INDEX events_provenance ON events (mission, source, source_id) WHERE source_id <> '';

-- The actors of each event, for the actor filter and statistics by actor.
-- name_key is the name lowered and without diacritics (store.Fold).
CREATE TABLE event_actors (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL,
    PRIMARY KEY (event_id, role, name)
);
CREATE INDEX event_actors_name_key ON event_actors (name_key);

-- Relations between events: related, follow_up, duplicate_candidate (made
-- by users) and merged_into (made by a merge).
CREATE TABLE event_links (
    mission    TEXT    NOT NULL,
    event_id   TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    other_id   TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    relation   TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, other_id, relation)
);
CREATE INDEX event_links_other ON event_links (other_id);

-- Daily rollup of the live (not deleted) events, maintained in the same
-- transaction as every write and import. Stats reads it when the filter
-- allows (no box, actor, text or fatality threshold). day and end_day are
-- days since 1970-01-01 of start_at and end_at (UTC); week is the day of
-- the Monday of day's week; month is YYYYMM.
CREATE TABLE events_daily (
    mission        TEXT    NOT NULL,
    day            INTEGER NOT NULL,
    end_day        INTEGER NOT NULL,
    week           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
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
    PRIMARY KEY (mission, day, end_day, admin1_pcode, admin2_pcode, type, status, classification)
);
CREATE INDEX events_daily_mission_month ON events_daily (mission, month);

-- Spatial index (see store/dialect.go).
CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);

-- +goose StatementBegin
CREATE TRIGGER events_rtree_insert AFTER INSERT ON events WHEN new.lon IS NOT NULL AND new.lat IS NOT NULL BEGIN
    INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (new.seq, new.lon, new.lon, new.lat, new.lat);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_rtree_update AFTER UPDATE OF lon, lat ON events BEGIN
    DELETE FROM events_rtree WHERE id = old.seq;
    INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat)
        SELECT new.seq, new.lon, new.lon, new.lat, new.lat WHERE new.lon IS NOT NULL AND new.lat IS NOT NULL;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_rtree_delete AFTER DELETE ON events BEGIN
    DELETE FROM events_rtree WHERE id = old.seq;
END;
-- +goose StatementEnd

-- Full-text index (see store/dialect.go).
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, narrative, place_name, actor_names,
    content = 'events', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, narrative, place_name, actor_names)
        VALUES (new.seq, new.title, new.narrative, new.place_name, new.actor_names);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_fts_update AFTER UPDATE OF title, narrative, place_name, actor_names ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, narrative, place_name, actor_names)
        VALUES ('delete', old.seq, old.title, old.narrative, old.place_name, old.actor_names);
    INSERT INTO events_fts (rowid, title, narrative, place_name, actor_names)
        VALUES (new.seq, new.title, new.narrative, new.place_name, new.actor_names);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, narrative, place_name, actor_names)
        VALUES ('delete', old.seq, old.title, old.narrative, old.place_name, old.actor_names);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER events_fts_delete;
DROP TRIGGER events_fts_update;
DROP TRIGGER events_fts_insert;
DROP TABLE events_fts;
DROP TRIGGER events_rtree_delete;
DROP TRIGGER events_rtree_update;
DROP TRIGGER events_rtree_insert;
DROP TABLE events_rtree;
DROP TABLE events_daily;
DROP TABLE event_links;
DROP TABLE event_actors;
DROP TABLE events;

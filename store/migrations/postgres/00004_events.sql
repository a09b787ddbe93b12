-- +goose Up
-- Events (incidents) of a mission: events/. Instants are unix
-- milliseconds; classification is its rank 1..4 (public..strictly-
-- confidential) so lists filter with `classification <= clearance`.
-- actors, sources, source_attrs and flags are JSON text; actor_names (the
-- actors' names, one a line) feeds the full-text index. import_hash is the
-- fingerprint of the event as last imported (re-imports compare it).
--
-- PostgreSQL only (see store/dialect.go): geom, the PostGIS point
-- generated from lon/lat with its GiST index, and search, the tsvector
-- generated from the text columns with its GIN index.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE events (
    id                 TEXT    PRIMARY KEY,
    mission            TEXT    NOT NULL REFERENCES missions (code),
    type               TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    narrative          TEXT    NOT NULL DEFAULT '',
    start_at           BIGINT  NOT NULL,
    end_at             BIGINT  NOT NULL,
    date_precision     TEXT    NOT NULL,
    lon                DOUBLE PRECISION,
    lat                DOUBLE PRECISION,
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
    verified_at        BIGINT,
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
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    version            BIGINT  NOT NULL,
    deleted_at         BIGINT,
    delete_reason      TEXT    NOT NULL DEFAULT '',
    geom               geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    search             tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, translate(lower(
                           title || ' ' || narrative || ' ' || place_name || ' ' || actor_names),
                           'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšșţťŧțùúûüũūŭůűųŵýÿŷźżžÀÁÂÃÄÅĀĂĄÇĆĈĊČĎĐÈÉÊËĒĔĖĘĚĜĞĠĢĤĦÌÍÎÏĨĪĬĮĴĶĹĻĽĿŁÑŃŅŇÒÓÔÕÖØŌŎŐŔŖŘŚŜŞŠȘŢŤŦȚÙÚÛÜŨŪŬŮŰŲŴÝŸŶŹŻŽ',
                           'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssssttttuuuuuuuuuuwyyyzzzaaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiijklllllnnnnooooooooorrrsssssttttuuuuuuuuuuwyyyzzz'))) STORED
);
-- Lists are newest first with keyset pagination on (start_at, id).
CREATE INDEX events_mission_start ON events (mission, start_at, id);
CREATE INDEX events_mission_type_start ON events (mission, type, start_at);
CREATE INDEX events_mission_admin1_start ON events (mission, admin1_pcode, start_at);
CREATE INDEX events_mission_admin2_start ON events (mission, admin2_pcode, start_at);
-- Imports are idempotent on provenance.
CREATE UNIQUE INDEX events_provenance ON events (mission, source, source_id) WHERE source_id <> '';
CREATE INDEX events_geom ON events USING GIST (geom);
CREATE INDEX events_search ON events USING GIN (search);

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
    created_at BIGINT  NOT NULL,
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

-- +goose Down
DROP TABLE events_daily;
DROP TABLE event_links;
DROP TABLE event_actors;
DROP TABLE events;

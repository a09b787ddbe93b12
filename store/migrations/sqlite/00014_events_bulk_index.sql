-- +goose Up
-- New events reach the spatial and full-text indexes through
-- store.Tx.IndexNewRows, one statement per index after each batch of
-- inserts, instead of a trigger per row. FTS5 writes its pending segment to
-- disk at the start of every statement that touches it, so a trigger fed it
-- one tiny segment per INSERT statement and spent most of an import merging
-- them. Updates and deletes keep their triggers.
DROP TRIGGER events_fts_insert;
DROP TRIGGER events_rtree_insert;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER events_rtree_insert AFTER INSERT ON events WHEN new.lon IS NOT NULL AND new.lat IS NOT NULL BEGIN
    INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (new.seq, new.lon, new.lon, new.lat, new.lat);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, narrative, place_name, actor_names)
        VALUES (new.seq, new.title, new.narrative, new.place_name, new.actor_names);
END;
-- +goose StatementEnd

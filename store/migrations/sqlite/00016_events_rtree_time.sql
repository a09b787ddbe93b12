-- +goose Up
-- The spatial index of events gains a third dimension, time in days since
-- 1970-01-01 (start_at to end_at), so that the map's usual question (this
-- box, these 90 days) is answered inside the R*Tree instead of fetching
-- every event of the box over all the years and filtering by date. The
-- R*Tree keeps 32-bit floats rounded outwards (about 3 minutes at today's
-- day numbers): it finds a superset, which the exact comparison on
-- start_at and end_at trims. PostgreSQL's GiST index on geom is unchanged.
DROP TRIGGER events_rtree_update;
DROP TRIGGER events_rtree_delete;
DROP TABLE events_rtree;
CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, min_day, max_day);
INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat, min_day, max_day)
    SELECT seq, lon, lon, lat, lat, start_at / 86400000.0, end_at / 86400000.0
    FROM events WHERE lon IS NOT NULL AND lat IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER events_rtree_update AFTER UPDATE OF lon, lat, start_at, end_at ON events BEGIN
    DELETE FROM events_rtree WHERE id = old.seq;
    INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat, min_day, max_day)
        SELECT new.seq, new.lon, new.lon, new.lat, new.lat, new.start_at / 86400000.0, new.end_at / 86400000.0
        WHERE new.lon IS NOT NULL AND new.lat IS NOT NULL;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_rtree_delete AFTER DELETE ON events BEGIN
    DELETE FROM events_rtree WHERE id = old.seq;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER events_rtree_update;
DROP TRIGGER events_rtree_delete;
DROP TABLE events_rtree;
CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);
INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat)
    SELECT seq, lon, lon, lat, lat FROM events WHERE lon IS NOT NULL AND lat IS NOT NULL;
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

-- +goose Up
-- Admin areas by OCHA P-code: global reference data (geo/). The boundary
-- is GeoJSON text with its box in plain columns; points are placed by an
-- in-memory index (geo.Index), so no spatial extension is needed.
CREATE TABLE admin_areas (
    pcode        TEXT    PRIMARY KEY,
    country      TEXT    NOT NULL,
    level        INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    parent_pcode TEXT    NOT NULL DEFAULT '',
    geometry     TEXT    NOT NULL,
    min_lon      REAL    NOT NULL,
    min_lat      REAL    NOT NULL,
    max_lon      REAL    NOT NULL,
    max_lat      REAL    NOT NULL,
    centroid_lon REAL    NOT NULL,
    centroid_lat REAL    NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    valid_on     TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX admin_areas_country_level ON admin_areas (country, level, pcode);
CREATE INDEX admin_areas_parent ON admin_areas (parent_pcode);

-- +goose Down
DROP TABLE admin_areas;

-- +goose Up
-- Admin areas by OCHA P-code: global reference data (geo/). The boundary
-- is GeoJSON text with its box in plain columns; points are placed by an
-- in-memory index (geo.Index), so PostGIS is not needed for this table.
CREATE TABLE admin_areas (
    pcode        TEXT    PRIMARY KEY,
    country      TEXT    NOT NULL,
    level        INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    parent_pcode TEXT    NOT NULL DEFAULT '',
    geometry     TEXT    NOT NULL,
    min_lon      DOUBLE PRECISION NOT NULL,
    min_lat      DOUBLE PRECISION NOT NULL,
    max_lon      DOUBLE PRECISION NOT NULL,
    max_lat      DOUBLE PRECISION NOT NULL,
    centroid_lon DOUBLE PRECISION NOT NULL,
    centroid_lat DOUBLE PRECISION NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    valid_on     DATE,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    version      BIGINT  NOT NULL
);
CREATE INDEX admin_areas_country_level ON admin_areas (country, level, pcode);
CREATE INDEX admin_areas_parent ON admin_areas (parent_pcode);

-- +goose Down
DROP TABLE admin_areas;

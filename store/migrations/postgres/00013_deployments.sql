-- +goose Up
-- Deployment locations of a mission by year (missions/deployment.go): the
-- team sites, bases and headquarters its units occupied, as the Geo-PKO
-- dataset (or a mission's own list) records them. One row per mission,
-- source, year and place; an import replaces one source's rows of a
-- mission at once. units is a comma-separated list of unit kinds present;
-- contributors is the published text ("Nepal (650), Pakistan (150)").
CREATE TABLE deployment_sites (
    mission      TEXT    NOT NULL REFERENCES missions (code),
    source       TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    lon          DOUBLE PRECISION    NOT NULL,
    lat          DOUBLE PRECISION    NOT NULL,
    troops       INTEGER NOT NULL,
    hq           TEXT    NOT NULL DEFAULT '',
    units        TEXT    NOT NULL DEFAULT '',
    contributors TEXT    NOT NULL DEFAULT '',
    imported_at  BIGINT    NOT NULL,
    PRIMARY KEY (mission, source, year, name)
);
CREATE INDEX deployment_sites_year ON deployment_sites (mission, year);

-- +goose Down
DROP TABLE deployment_sites;

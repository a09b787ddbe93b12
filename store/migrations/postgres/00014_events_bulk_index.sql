-- +goose Up
-- Nothing to do on PostgreSQL: the spatial and full-text columns of events
-- are generated columns, maintained by the engine. (On SQLite this step
-- moves the insert side of their indexes out of per-row triggers; the
-- numbers of both engines' migrations stay in step.)
SELECT 1;

-- +goose Down
SELECT 1;

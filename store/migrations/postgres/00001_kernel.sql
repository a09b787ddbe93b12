-- +goose Up
-- The hash-chained audit log (see store/audit.go). Rows are only ever
-- appended; `peaceops audit verify` recomputes the chain.
CREATE TABLE audit_log (
    seq         BIGINT  PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    at          BIGINT  NOT NULL,
    actor_id    TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    mission     TEXT    NOT NULL,
    entity_type TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    before      TEXT    NOT NULL,
    after       TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_mission_seq ON audit_log (mission, seq);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);

-- Idempotency keys of POST requests: a retried submission replays the
-- stored response instead of creating a second record.
CREATE TABLE idempotency_keys (
    actor_id     TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    headers      TEXT    NOT NULL,
    body         BYTEA   NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_log;

-- +goose Up
-- Missions are the tenancy boundary: every operational record belongs to one.
CREATE TABLE missions (
    id             TEXT    PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    host_country   TEXT    NOT NULL,
    start_date     DATE    NOT NULL,
    end_date       DATE,
    hq_name        TEXT    NOT NULL DEFAULT '',
    hq_lon         DOUBLE PRECISION,
    hq_lat         DOUBLE PRECISION,
    status         TEXT    NOT NULL,
    classification TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL
);

CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    admin         BOOLEAN NOT NULL DEFAULT FALSE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    language      TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    version       BIGINT  NOT NULL
);

-- A user holds roles per mission (DESIGN.md §5).
CREATE TABLE memberships (
    mission_id TEXT    NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (mission_id, user_id, role)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Server-side sessions; id is the SHA-256 of the cookie value, so a copy of
-- the database does not hold usable session cookies.
CREATE TABLE sessions (
    id               TEXT    PRIMARY KEY,
    user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at       BIGINT  NOT NULL,
    last_seen_at     BIGINT  NOT NULL,
    expires_at       BIGINT  NOT NULL,
    idle_expires_at  BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- API tokens, stored as SHA-256 hashes and shown once.
CREATE TABLE api_tokens (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed logins, per key ("user:NAME" or "ip:ADDR"), for throttling. Kept in
-- the database so every server behind a load balancer sees the same count.
-- A login attempt is recorded before the password is checked (so parallel
-- guesses cannot slip past the limit) and its row deleted by id if it
-- succeeds. A row with id = key = 'lock:' || KEY is upserted first to
-- serialize concurrent attempts on one key across servers.
CREATE TABLE login_failures (
    id  TEXT    PRIMARY KEY,
    key TEXT    NOT NULL,
    at  BIGINT  NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE missions;

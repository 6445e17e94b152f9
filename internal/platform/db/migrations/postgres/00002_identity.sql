-- +goose Up
-- Institutions taking part in the programme (HTCDS organisation types).
CREATE TABLE agencies (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,          -- lower case, used by the CLI
    name          TEXT NOT NULL,
    type          TEXT NOT NULL,
    province_code TEXT REFERENCES geo_provinces(code),
    canton_code   TEXT REFERENCES geo_cantons(code),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE,   -- lower case
    name                 TEXT NOT NULL,
    agency_id            TEXT NOT NULL REFERENCES agencies(id),
    jurisdiction_level   TEXT NOT NULL DEFAULT 'agency', -- national | province | canton | agency
    jurisdiction_code    TEXT NOT NULL DEFAULT '',
    lang                 TEXT NOT NULL DEFAULT 'es',
    password_hash        TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    totp_secret          TEXT NOT NULL DEFAULT '',   -- encrypted
    totp_enabled         INTEGER NOT NULL DEFAULT 0,
    totp_last_step       BIGINT NOT NULL DEFAULT 0,  -- refuses replay of a used code
    recovery_codes       TEXT NOT NULL DEFAULT '',   -- hashes, space separated
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT NOT NULL DEFAULT '',
    active               INTEGER NOT NULL DEFAULT 1,
    last_login_at        TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_agency ON users(agency_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Server-side sessions; the cookie holds a random token, the table only its hash.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,          -- mfa | enrol | full | password
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,          -- first characters, to recognise a token in lists
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    revoked_at   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NOT NULL DEFAULT ''
);

-- Failed-login counters per client address, shared by every server process.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL
);

-- +goose Down
DROP TABLE login_throttle;
DROP TABLE password_resets;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE agencies;

-- +goose Up
-- Duplicate checks and connection requests (docs/SECURITY.md, "Duplicates").
--
-- A check is one look for likely duplicates while registering a person. It keeps who
-- looked and which cases matched (ids and reasons only, never what was typed), so that
-- repeated probing can be limited and a connection request is sent from what the server
-- found, not from ids a browser sends back.
CREATE TABLE case_dup_checks (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    agency_id    TEXT NOT NULL REFERENCES agencies(id),
    created_at   TEXT NOT NULL,
    in_reach     INTEGER NOT NULL DEFAULT 0,  -- matches the user may know about
    elsewhere    INTEGER NOT NULL DEFAULT 0,  -- matches held by other institutions
    requested_at TEXT NOT NULL DEFAULT '',    -- when a connection request was sent from it
    case_id      TEXT REFERENCES cases(id) ON DELETE SET NULL -- the case registered after it
);
CREATE INDEX case_dup_checks_user ON case_dup_checks(user_id, created_at);
CREATE INDEX case_dup_checks_agency ON case_dup_checks(agency_id, requested_at);
CREATE INDEX case_dup_checks_case ON case_dup_checks(case_id);

-- The cases one check matched, and why (document, name, phonetic_name).
CREATE TABLE case_dup_check_cases (
    check_id  TEXT NOT NULL REFERENCES case_dup_checks(id) ON DELETE CASCADE,
    case_id   TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    reasons   TEXT NOT NULL,
    in_reach  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (check_id, case_id)
);
CREATE INDEX case_dup_check_cases_case ON case_dup_check_cases(case_id);

-- A connection request: one per institution that holds a match of the check. Its
-- supervisors connect or decline; a request not decided in time expires.
CREATE TABLE case_dup_requests (
    id             TEXT PRIMARY KEY,
    check_id       TEXT NOT NULL REFERENCES case_dup_checks(id) ON DELETE CASCADE,
    to_agency_id   TEXT NOT NULL REFERENCES agencies(id),
    status         TEXT NOT NULL,            -- pending connected declined expired
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    decided_by     TEXT REFERENCES users(id),
    decided_at     TEXT NOT NULL DEFAULT '',
    decline_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (check_id, to_agency_id)
);
CREATE INDEX case_dup_requests_to ON case_dup_requests(to_agency_id, status, created_at);

-- The holding institution's cases a connection links to the requester's case.
CREATE TABLE case_dup_links (
    request_id TEXT NOT NULL REFERENCES case_dup_requests(id) ON DELETE CASCADE,
    case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, case_id)
);
CREATE INDEX case_dup_links_case ON case_dup_links(case_id);

-- +goose Down
DROP TABLE case_dup_links;
DROP TABLE case_dup_requests;
DROP TABLE case_dup_check_cases;
DROP TABLE case_dup_checks;

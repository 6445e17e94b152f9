-- +goose Up
-- Case numbers per year: EC-2026-00042.
CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- A presumed victim's case. Columns prefixed enc_ hold AES-GCM ciphertexts (see
-- platform/secure); everything else is in clear for statistics and filtering.
CREATE TABLE cases (
    id                    TEXT PRIMARY KEY,
    number                TEXT NOT NULL UNIQUE,
    version               INTEGER NOT NULL DEFAULT 1,
    agency_id             TEXT NOT NULL REFERENCES agencies(id),
    identifying_agency_id TEXT REFERENCES agencies(id),
    assigned_to           TEXT REFERENCES users(id),
    status                TEXT NOT NULL,
    closure_reason        TEXT NOT NULL DEFAULT '',
    trafficking_status    TEXT NOT NULL,
    status_decided_by     TEXT NOT NULL DEFAULT '',
    identified_on         TEXT NOT NULL,
    id_country            TEXT NOT NULL,
    id_province           TEXT REFERENCES geo_provinces(code),
    id_canton             TEXT REFERENCES geo_cantons(code),
    id_how                TEXT NOT NULL,
    sex                   TEXT NOT NULL,
    gender                TEXT NOT NULL DEFAULT '',
    birth_year            INTEGER,
    estimated_age         INTEGER,
    age_at_id             INTEGER NOT NULL DEFAULT -1,
    age_group             TEXT NOT NULL,
    is_child              INTEGER NOT NULL DEFAULT 0,
    ethnicity             TEXT NOT NULL DEFAULT '',
    disability            INTEGER NOT NULL DEFAULT 0,
    recruiter_relation    TEXT NOT NULL DEFAULT '',
    duration_months       INTEGER,
    risk_level            TEXT NOT NULL DEFAULT '',
    flagged               INTEGER NOT NULL DEFAULT 0,
    next_follow_up        TEXT NOT NULL DEFAULT '',
    enc_given_names       TEXT NOT NULL DEFAULT '',
    enc_family_names      TEXT NOT NULL DEFAULT '',
    enc_aliases           TEXT NOT NULL DEFAULT '',
    enc_birth_date        TEXT NOT NULL DEFAULT '',
    enc_documents         TEXT NOT NULL DEFAULT '',
    enc_contact           TEXT NOT NULL DEFAULT '',
    enc_disability_notes  TEXT NOT NULL DEFAULT '',
    enc_guardian          TEXT NOT NULL DEFAULT '',
    enc_safety_plan       TEXT NOT NULL DEFAULT '',
    created_by            TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    closed_at             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_agency_status ON cases(agency_id, status, identified_on);
CREATE INDEX cases_assigned_status ON cases(assigned_to, status);
CREATE INDEX cases_province ON cases(id_province, status);
CREATE INDEX cases_identified ON cases(identified_on);
CREATE INDEX cases_follow_up ON cases(next_follow_up);
CREATE INDEX cases_flagged ON cases(flagged, status);

-- Multi-valued codes in clear: nationality, language, exploitation, sex_type, industry,
-- control, recruitment.
CREATE TABLE case_values (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, value)
);
CREATE INDEX case_values_kind ON case_values(kind, value, case_id);

-- Blind indexes (keyed HMACs) for search and duplicate detection without decrypting.
CREATE TABLE case_search (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    value   TEXT NOT NULL
);
CREATE INDEX case_search_value ON case_search(kind, value);
CREATE INDEX case_search_case ON case_search(case_id);

-- Agencies that may open a case besides its own: the receiving agency of an accepted
-- referral, the shelter where the person stays. Rows go when consent is withdrawn.
CREATE TABLE case_access (
    case_id   TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    reason    TEXT NOT NULL,
    source_id TEXT NOT NULL DEFAULT '',
    since     TEXT NOT NULL,
    PRIMARY KEY (case_id, agency_id, reason, source_id)
);
CREATE INDEX case_access_agency ON case_access(agency_id, case_id);

CREATE TABLE case_events (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    country       TEXT NOT NULL,
    province      TEXT REFERENCES geo_provinces(code),
    canton        TEXT REFERENCES geo_cantons(code),
    started_on    TEXT NOT NULL DEFAULT '',
    ended_on      TEXT NOT NULL DEFAULT '',
    enc_narrative TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id);

CREATE TABLE case_consents (
    id                 TEXT PRIMARY KEY,
    case_id            TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    purpose            TEXT NOT NULL,
    agency_id          TEXT REFERENCES agencies(id),
    status             TEXT NOT NULL,
    given_by           TEXT NOT NULL,
    enc_representative TEXT NOT NULL DEFAULT '',
    method             TEXT NOT NULL,
    decided_on         TEXT NOT NULL,
    enc_notes          TEXT NOT NULL DEFAULT '',
    recorded_by        TEXT NOT NULL,
    recorded_at        TEXT NOT NULL
);
CREATE INDEX case_consents_case ON case_consents(case_id, purpose, recorded_at);

CREATE TABLE case_services (
    id                 TEXT PRIMARY KEY,
    case_id            TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    support_type       TEXT NOT NULL,
    need               TEXT NOT NULL DEFAULT '',
    provider_agency_id TEXT REFERENCES agencies(id),
    provider_name      TEXT NOT NULL DEFAULT '',
    planned_from       TEXT NOT NULL DEFAULT '',
    planned_to         TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    delivered_on       TEXT NOT NULL DEFAULT '',
    enc_notes          TEXT NOT NULL DEFAULT '',
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX case_services_case ON case_services(case_id);

CREATE TABLE case_approvals (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL DEFAULT '',
    enc_comment  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_approvals_case ON case_approvals(case_id, kind, status);
CREATE INDEX case_approvals_pending ON case_approvals(status, requested_at);

CREATE TABLE case_status_history (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    enc_comment TEXT NOT NULL DEFAULT '',
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX case_status_history_case ON case_status_history(case_id, at);

CREATE TABLE case_tasks (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    enc_title   TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'task',
    due_on      TEXT NOT NULL,
    assigned_to TEXT REFERENCES users(id),
    done_at     TEXT NOT NULL DEFAULT '',
    done_by     TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX case_tasks_due ON case_tasks(assigned_to, done_at, due_on);
CREATE INDEX case_tasks_case ON case_tasks(case_id);

CREATE TABLE case_notes (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    enc_body   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, created_at);

CREATE TABLE case_attachments (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    enc_filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    enc_data     TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);

CREATE TABLE case_flags (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    flag       TEXT NOT NULL,
    enc_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cleared_by TEXT NOT NULL DEFAULT '',
    cleared_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_flags_case ON case_flags(case_id, cleared_at);

-- +goose Down
DROP TABLE case_flags;
DROP TABLE case_attachments;
DROP TABLE case_notes;
DROP TABLE case_tasks;
DROP TABLE case_status_history;
DROP TABLE case_approvals;
DROP TABLE case_services;
DROP TABLE case_consents;
DROP TABLE case_events;
DROP TABLE case_access;
DROP TABLE case_search;
DROP TABLE case_values;
DROP TABLE cases;
DROP TABLE case_counters;

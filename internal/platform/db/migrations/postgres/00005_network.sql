-- +goose Up
-- The service map: what each institution offers, where and for whom.
CREATE TABLE network_services (
    id            TEXT PRIMARY KEY,
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    support_type  TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    hours         TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX network_services_agency ON network_services(agency_id);
CREATE INDEX network_services_type ON network_services(support_type, active);

CREATE TABLE network_service_populations (
    service_id TEXT NOT NULL REFERENCES network_services(id) ON DELETE CASCADE,
    population TEXT NOT NULL,
    PRIMARY KEY (service_id, population)
);

-- Where a service is offered: a province, or one canton of it.
CREATE TABLE network_service_areas (
    service_id    TEXT NOT NULL REFERENCES network_services(id) ON DELETE CASCADE,
    province_code TEXT NOT NULL REFERENCES geo_provinces(code),
    canton_code   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, province_code, canton_code)
);
CREATE INDEX network_service_areas_province ON network_service_areas(province_code, service_id);

-- A referral of a case to an institution. enc_payload holds only the fields the service
-- needs and the consent allows; it is wiped when the consent is withdrawn.
CREATE TABLE referrals (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    case_id        TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL,            -- referral | prosecution
    from_agency_id TEXT NOT NULL REFERENCES agencies(id),
    from_user_id   TEXT NOT NULL REFERENCES users(id),
    to_agency_id   TEXT NOT NULL REFERENCES agencies(id),
    service_id     TEXT REFERENCES network_services(id),
    urgent         INTEGER NOT NULL DEFAULT 0,
    due_on         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,            -- sent accepted declined in_progress completed revoked cancelled
    shared_fields  TEXT NOT NULL DEFAULT '', -- names of the fields in the payload
    enc_payload    TEXT NOT NULL DEFAULT '',
    enc_reason     TEXT NOT NULL DEFAULT '', -- why referred
    decline_reason TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT '',
    enc_feedback   TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    decided_at     TEXT NOT NULL DEFAULT '',
    completed_at   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referrals_to ON referrals(to_agency_id, status, due_on);
CREATE INDEX referrals_from ON referrals(from_agency_id, status, due_on);
CREATE INDEX referrals_case ON referrals(case_id);

CREATE TABLE referral_support_types (
    referral_id  TEXT NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
    support_type TEXT NOT NULL,
    PRIMARY KEY (referral_id, support_type)
);

-- Every step of a referral, seen by both sides.
CREATE TABLE referral_events (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    by_user     TEXT NOT NULL,
    by_agency   TEXT NOT NULL,
    enc_comment TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events(referral_id, at);

CREATE TABLE referral_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- +goose Down
DROP TABLE referral_counters;
DROP TABLE referral_events;
DROP TABLE referral_support_types;
DROP TABLE referrals;
DROP TABLE network_service_areas;
DROP TABLE network_service_populations;
DROP TABLE network_services;

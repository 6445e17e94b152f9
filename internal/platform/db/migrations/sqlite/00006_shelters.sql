-- +goose Up
-- Specialised shelters. The address is confidential (a safety standard) and encrypted.
CREATE TABLE shelters (
    id              TEXT PRIMARY KEY,
    agency_id       TEXT NOT NULL REFERENCES agencies(id), -- the operator
    name            TEXT NOT NULL,
    licence_number  TEXT NOT NULL DEFAULT '',
    licence_expires TEXT NOT NULL DEFAULT '',
    province_code   TEXT NOT NULL REFERENCES geo_provinces(code),
    canton_code     TEXT REFERENCES geo_cantons(code),
    enc_address     TEXT NOT NULL DEFAULT '',
    contact_name    TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',
    contact_email   TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,  -- bumped to serialise admissions
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX shelters_agency ON shelters(agency_id);
CREATE INDEX shelters_province ON shelters(province_code);

CREATE TABLE shelter_populations (
    shelter_id TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    population TEXT NOT NULL,
    PRIMARY KEY (shelter_id, population)
);

CREATE TABLE shelter_services (
    shelter_id TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    service    TEXT NOT NULL,
    PRIMARY KEY (shelter_id, service)
);

CREATE TABLE shelter_beds (
    shelter_id TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    bed_type   TEXT NOT NULL,
    beds       INTEGER NOT NULL CHECK (beds >= 0),
    PRIMARY KEY (shelter_id, bed_type)
);

CREATE TABLE shelter_staff (
    shelter_id TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    people     INTEGER NOT NULL CHECK (people >= 0),
    PRIMARY KEY (shelter_id, role)
);

-- A person's stay in a shelter, linked to their case (and the referral that led to it).
CREATE TABLE shelter_stays (
    id               TEXT PRIMARY KEY,
    shelter_id       TEXT NOT NULL REFERENCES shelters(id),
    case_id          TEXT NOT NULL REFERENCES cases(id),
    referral_id      TEXT REFERENCES referrals(id),
    bed_type         TEXT NOT NULL,
    admitted_on      TEXT NOT NULL,
    discharged_on    TEXT NOT NULL DEFAULT '',
    discharge_reason TEXT NOT NULL DEFAULT '',
    destination      TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX shelter_stays_open ON shelter_stays(shelter_id, discharged_on, bed_type);
CREATE INDEX shelter_stays_case ON shelter_stays(case_id);

-- Capacity assessments against the scored standard, repeatable over time.
CREATE TABLE shelter_assessments (
    id          TEXT PRIMARY KEY,
    shelter_id  TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    assessed_on TEXT NOT NULL,
    assessor    TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX shelter_assessments_shelter ON shelter_assessments(shelter_id, assessed_on);

CREATE TABLE shelter_ratings (
    assessment_id TEXT NOT NULL REFERENCES shelter_assessments(id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    evidence      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, standard)
);

-- Financial figures of one period.
CREATE TABLE shelter_finances (
    id                    TEXT PRIMARY KEY,
    shelter_id            TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    period_start          TEXT NOT NULL,
    period_end            TEXT NOT NULL,
    operating_cost        REAL NOT NULL,
    unrestricted_reserves REAL NOT NULL,
    largest_funder        REAL NOT NULL DEFAULT 0,
    occupied_bed_nights   INTEGER NOT NULL DEFAULT 0,
    standard_budget       REAL NOT NULL DEFAULT 0,
    secured_funding       REAL NOT NULL DEFAULT 0,
    notes                 TEXT NOT NULL DEFAULT '',
    created_by            TEXT NOT NULL,
    created_at            TEXT NOT NULL
);
CREATE INDEX shelter_finances_shelter ON shelter_finances(shelter_id, period_end);

CREATE TABLE shelter_income (
    finance_id TEXT NOT NULL REFERENCES shelter_finances(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    amount     REAL NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (finance_id, source)
);

-- The improvement plan.
CREATE TABLE shelter_actions (
    id               TEXT PRIMARY KEY,
    shelter_id       TEXT NOT NULL REFERENCES shelters(id) ON DELETE CASCADE,
    domain           TEXT NOT NULL,
    action           TEXT NOT NULL,
    owner            TEXT NOT NULL DEFAULT '',
    due_on           TEXT NOT NULL DEFAULT '',
    support_received TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX shelter_actions_shelter ON shelter_actions(shelter_id, status);

-- +goose Down
DROP TABLE shelter_actions;
DROP TABLE shelter_income;
DROP TABLE shelter_finances;
DROP TABLE shelter_ratings;
DROP TABLE shelter_assessments;
DROP TABLE shelter_stays;
DROP TABLE shelter_staff;
DROP TABLE shelter_beds;
DROP TABLE shelter_services;
DROP TABLE shelter_populations;
DROP TABLE shelters;

-- +goose Up
-- The audit trail: append-only, hash-chained (see internal/platform/audit). seq is assigned
-- by the application under the chain lock (audit_head), gapless from 1. Every text column
-- is NOT NULL with '' for "not set" so the hash encoding has one form for an empty value.
-- detail is a short non-personal string (field list, reason code): never personal data.
CREATE TABLE audit_events (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    at              TEXT NOT NULL,
    actor_id        TEXT NOT NULL DEFAULT '',
    actor_agency_id TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    record_type     TEXT NOT NULL DEFAULT '',
    record_id       TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL,
    request_id      TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    via             TEXT NOT NULL DEFAULT '',
    token_id        TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_events_actor_at ON audit_events(actor_id, at);
CREATE INDEX audit_events_record ON audit_events(record_type, record_id);
CREATE INDEX audit_events_action_at ON audit_events(action, at);
CREATE INDEX audit_events_at ON audit_events(at);

-- The head of the chain: one row. Appenders UPDATE it first in their transaction, which
-- serialises them (SQLite has one writer anyway). Verify compares it with the last event,
-- so deleting the newest events is detected too.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only in the database too. Someone with write access to the file can drop these
-- triggers; the hash chain is what detects tampering, the triggers stop accidents.
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd

-- The head only moves forward and is never removed.
-- +goose StatementBegin
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id
BEGIN
    SELECT RAISE(ABORT, 'audit head only moves forward');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit head cannot be deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_head_no_delete;
DROP TRIGGER audit_head_forward;
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_head;
DROP TABLE audit_events;

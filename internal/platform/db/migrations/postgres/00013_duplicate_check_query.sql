-- +goose Up
-- What a duplicate check looked for, as one digest of its blind-index keys (never what
-- was typed). "You already asked about this person" is said only of a check that looked
-- for exactly the same keys as the one a request was sent from: comparing the cases
-- matched instead would tell a user that two different things they typed (a cédula, then
-- a name) lead to the same registered person (docs/SECURITY.md, "Duplicates"). Checks
-- made before this migration have no digest ('') and match none.
ALTER TABLE case_dup_checks ADD COLUMN query_key TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE case_dup_checks DROP COLUMN query_key;

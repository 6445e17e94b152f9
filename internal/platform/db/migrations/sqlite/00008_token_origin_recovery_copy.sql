-- +goose Up
-- Who made an API token and through which channel: the user on their profile, or an
-- operator with "amparo token create" (created_by 'system', created_via 'cli'). The
-- profile lists the origin so a user sees tokens issued in their name. Tokens made
-- before this migration have an unknown origin ('').
ALTER TABLE api_tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN created_via TEXT NOT NULL DEFAULT '';

-- Recovery codes are kept only as hashes. For the few minutes after they are shown, the
-- session that saw them holds one copy for a download, encrypted with a key derived from
-- the session's cookie token (which the database never holds), wiped when downloaded,
-- when it expires and with the session.
ALTER TABLE sessions ADD COLUMN recovery_copy TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN recovery_copy_until TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN recovery_copy_until;
ALTER TABLE sessions DROP COLUMN recovery_copy;
ALTER TABLE api_tokens DROP COLUMN created_via;
ALTER TABLE api_tokens DROP COLUMN created_by;

-- +goose Up
-- Need to know after a referral (docs/SECURITY.md, "Sharing between institutions"): an
-- access row says what it carries (the person's fields the referral's consent and
-- service allow), and, for the receiving agency, what gave it (a label and a link to
-- the referral or the shelter). Notes and planned services record the agency that
-- wrote them, so a receiving agency sees its own and not the owner's.
ALTER TABLE case_access ADD COLUMN fields TEXT NOT NULL DEFAULT '';
ALTER TABLE case_access ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE case_access ADD COLUMN link TEXT NOT NULL DEFAULT '';

-- Rows of referrals carry the fields the referral recorded.
UPDATE case_access SET
    fields = (SELECT r.shared_fields FROM referrals r WHERE r.id = case_access.source_id),
    label = (SELECT r.number FROM referrals r WHERE r.id = case_access.source_id),
    link = '/referrals/' || source_id
WHERE reason IN ('referral', 'prosecution')
  AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = case_access.source_id);

-- Rows of stays carry the fields of the referral the person came by; a stay without one
-- (admitted by case number) what a referral for shelter carries.
UPDATE case_access SET
    fields = COALESCE((SELECT r.shared_fields FROM shelter_stays st JOIN referrals r ON r.id = st.referral_id
        WHERE st.id = case_access.source_id),
        'age,age_group,case_number,disability,family_names,gender,given_names,guardian,languages,nationalities,risk_level,sex'),
    label = (SELECT sh.name FROM shelter_stays st JOIN shelters sh ON sh.id = st.shelter_id WHERE st.id = case_access.source_id),
    link = (SELECT '/shelters/' || st.shelter_id || '#residents' FROM shelter_stays st WHERE st.id = case_access.source_id)
WHERE reason = 'shelter'
  AND EXISTS (SELECT 1 FROM shelter_stays st WHERE st.id = case_access.source_id);

-- A row whose source is gone gives no reason to see a case (the first demo opened
-- cases to shelters with made-up referrals): it goes.
DELETE FROM case_access WHERE reason IN ('referral', 'prosecution')
  AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.id = case_access.source_id);
DELETE FROM case_access WHERE reason = 'shelter'
  AND NOT EXISTS (SELECT 1 FROM shelter_stays st WHERE st.id = case_access.source_id);

ALTER TABLE case_notes ADD COLUMN agency_id TEXT REFERENCES agencies(id);
UPDATE case_notes SET agency_id = (SELECT c.agency_id FROM cases c WHERE c.id = case_notes.case_id);
CREATE INDEX case_notes_agency ON case_notes(case_id, agency_id, created_at);

ALTER TABLE case_services ADD COLUMN agency_id TEXT REFERENCES agencies(id);
UPDATE case_services SET agency_id = (SELECT c.agency_id FROM cases c WHERE c.id = case_services.case_id);

-- +goose Down
ALTER TABLE case_services DROP COLUMN agency_id;
DROP INDEX case_notes_agency;
ALTER TABLE case_notes DROP COLUMN agency_id;
ALTER TABLE case_access DROP COLUMN link;
ALTER TABLE case_access DROP COLUMN label;
ALTER TABLE case_access DROP COLUMN fields;

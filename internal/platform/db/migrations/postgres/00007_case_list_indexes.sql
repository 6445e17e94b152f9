-- +goose Up
-- Indexes for the case list at scale (docs/PERFORMANCE.md): the first page of an agency's
-- or a worker's cases comes from an index in date order, the blind-index search reads
-- case ids from the index alone, and overdue tasks are found without a scan.
CREATE INDEX cases_agency_identified ON cases(agency_id, identified_on, id);
CREATE INDEX cases_assigned_identified ON cases(assigned_to, identified_on, id);
CREATE INDEX case_search_lookup ON case_search(kind, value, case_id);
DROP INDEX case_search_value;
CREATE INDEX case_tasks_open_due ON case_tasks(done_at, due_on, case_id);

-- +goose Down
DROP INDEX case_tasks_open_due;
CREATE INDEX case_search_value ON case_search(kind, value);
DROP INDEX case_search_lookup;
DROP INDEX cases_assigned_identified;
DROP INDEX cases_agency_identified;

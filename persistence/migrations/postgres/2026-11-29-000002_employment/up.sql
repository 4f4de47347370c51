-- Employment statuses (a citizen's labour-market timeline) and the retention checks a job start
-- creates 3, 6 and 12 months later. No free text: anonymising the citizen keeps them as they are.

CREATE TABLE employment_statuses (
    id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    effective_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('employed_ordinary', 'employed_flexjob',
        'employed_subsidised', 'sick_leave_from_job', 'unemployed', 'in_education',
        'outside_labour_market', 'other')),
    hours_per_week INTEGER CHECK (hours_per_week BETWEEN 0 AND 80),
    employer_organisation_id TEXT REFERENCES organisations (id),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One status per citizen and day: the status on a day is never ambiguous.
CREATE UNIQUE INDEX employment_statuses_citizen_day ON employment_statuses (citizen_id, effective_on);
CREATE INDEX employment_statuses_employer ON employment_statuses (employer_organisation_id);

CREATE TABLE retention_checks (
    id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    employment_status_id TEXT NOT NULL REFERENCES employment_statuses (id),
    months_after INTEGER NOT NULL CHECK (months_after IN (3, 6, 12)),
    due_on DATE NOT NULL,
    -- All three are null until the check is recorded, once.
    outcome TEXT CHECK (outcome IN ('retained', 'not_retained', 'unknown')),
    recorded_on DATE,
    recorded_by TEXT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((outcome IS NULL AND recorded_on IS NULL AND recorded_by IS NULL)
        OR (outcome IS NOT NULL AND recorded_on IS NOT NULL AND recorded_by IS NOT NULL))
);
CREATE UNIQUE INDEX retention_checks_per_start ON retention_checks (employment_status_id, months_after);
CREATE INDEX retention_checks_due_on ON retention_checks (due_on, id);
CREATE INDEX retention_checks_citizen_id ON retention_checks (citizen_id, id);
CREATE INDEX retention_checks_updated_at ON retention_checks (updated_at, id);

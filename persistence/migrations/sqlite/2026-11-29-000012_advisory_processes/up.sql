-- An agency's advice to one municipality on using peers, and the drivers and barriers found.
CREATE TABLE advisory_processes (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    municipality_code TEXT NOT NULL,
    advising_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    start_date DATE NOT NULL,
    end_date DATE,
    status TEXT NOT NULL CHECK (status IN ('planned', 'running', 'completed')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX advisory_processes_programme_id ON advisory_processes (programme_id, id);
CREATE INDEX advisory_processes_municipality ON advisory_processes (municipality_code, id);

CREATE TABLE advisory_findings (
    id TEXT PRIMARY KEY,
    advisory_process_id TEXT NOT NULL REFERENCES advisory_processes (id),
    kind TEXT NOT NULL CHECK (kind IN ('driver', 'barrier')),
    theme TEXT NOT NULL CHECK (theme IN ('leadership', 'organisation', 'recruitment', 'training',
        'supervision', 'collaboration', 'financing', 'culture', 'other')),
    text TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX advisory_findings_process ON advisory_findings (advisory_process_id, id);

-- What the programme report filters on: facts placed in a period by their date.
CREATE INDEX contacts_date ON contacts (date, support_course_id);
CREATE INDEX course_sessions_starts_at ON course_sessions (starts_at, course_id);
CREATE INDEX course_attendance_session ON course_attendance (session_id);
CREATE INDEX employment_statuses_effective_on ON employment_statuses (effective_on, citizen_id);
CREATE INDEX retention_checks_employment_status ON retention_checks (employment_status_id, months_after);

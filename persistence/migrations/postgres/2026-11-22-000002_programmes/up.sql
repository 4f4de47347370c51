-- Programmes and the peer workforce: programmes with partners and targets, peer workers and
-- their qualifications, training cohorts, supervision, and the generic status history.
-- Portable types shared with the SQLite schema: ids TEXT (UUIDv7), enums TEXT with CHECK,
-- instants TIMESTAMP in UTC, dates DATE. Lists of values are child tables, so filters work
-- the same on both backends.

-- Every workflow change of any resource (programmes, peer workers; later support courses,
-- referrals, courses): who moved it where, when and why.
CREATE TABLE status_history (
    id TEXT PRIMARY KEY,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    status TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    by_user_id TEXT REFERENCES users (id),
    reason TEXT
);
CREATE INDEX status_history_resource ON status_history (resource_type, resource_id, at);

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    funding_source TEXT,
    grant_dkk BIGINT CHECK (grant_dkk >= 0),
    start_date DATE NOT NULL,
    end_date DATE,
    lead_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    supervision_interval_days INTEGER NOT NULL CHECK (supervision_interval_days > 0),
    phase TEXT NOT NULL CHECK (phase IN ('development', 'implementation', 'pilot', 'trial',
        'operation', 'closed')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX programmes_updated_at ON programmes (updated_at, id);
CREATE INDEX programmes_lead_organisation_id ON programmes (lead_organisation_id, id);
CREATE INDEX programmes_phase ON programmes (phase, id);

CREATE TABLE programme_models (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    model TEXT NOT NULL CHECK (model IN ('peer_guide', 'individual_peer_support',
        'employment_support', 'peer_teaching', 'volunteer')),
    PRIMARY KEY (programme_id, model)
);
CREATE INDEX programme_models_model ON programme_models (model, programme_id);

CREATE TABLE programme_partners (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'partner', 'secretariat', 'funder', 'advisor',
        'evaluator')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, organisation_id)
);
CREATE INDEX programme_partners_organisation_id ON programme_partners (organisation_id, programme_id);
CREATE INDEX programme_partners_updated_at ON programme_partners (updated_at, id);

CREATE TABLE programme_targets (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    metric TEXT NOT NULL CHECK (metric IN ('peers_trained', 'peers_active', 'citizens_reached',
        'support_courses_started', 'courses_held', 'referrals_made', 'citizens_in_employment')),
    value BIGINT NOT NULL CHECK (value >= 0),
    deadline DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX programme_targets_programme_id ON programme_targets (programme_id, id);
CREATE INDEX programme_targets_updated_at ON programme_targets (updated_at, id);

CREATE TABLE peer_workers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    engagement TEXT NOT NULL CHECK (engagement IN ('employed', 'volunteer', 'mentor')),
    hours_per_week INTEGER CHECK (hours_per_week >= 0),
    status TEXT NOT NULL CHECK (status IN ('recruited', 'in_training', 'active', 'on_leave',
        'ended')),
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    user_id TEXT UNIQUE REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX peer_workers_updated_at ON peer_workers (updated_at, id);
CREATE INDEX peer_workers_organisation_id ON peer_workers (organisation_id, id);
CREATE INDEX peer_workers_status ON peer_workers (status, id);

CREATE TABLE peer_worker_programmes (
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    PRIMARY KEY (peer_worker_id, programme_id)
);
CREATE INDEX peer_worker_programmes_programme_id ON peer_worker_programmes (programme_id, peer_worker_id);

CREATE TABLE peer_worker_municipalities (
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    municipality_code TEXT NOT NULL,
    PRIMARY KEY (peer_worker_id, municipality_code)
);
CREATE INDEX peer_worker_municipalities_code ON peer_worker_municipalities (municipality_code, peer_worker_id);

CREATE TABLE peer_worker_languages (
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    language TEXT NOT NULL,
    PRIMARY KEY (peer_worker_id, language)
);

CREATE TABLE training_cohorts (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    provider_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    start_date DATE NOT NULL,
    end_date DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX training_cohorts_updated_at ON training_cohorts (updated_at, id);
CREATE INDEX training_cohorts_programme_id ON training_cohorts (programme_id, id);
CREATE INDEX training_cohorts_provider ON training_cohorts (provider_organisation_id, id);

CREATE TABLE training_cohort_grants (
    training_cohort_id TEXT NOT NULL REFERENCES training_cohorts (id),
    kind TEXT NOT NULL CHECK (kind IN ('peer_guide', 'peer_teacher', 'peer_trainer')),
    PRIMARY KEY (training_cohort_id, kind)
);

CREATE TABLE training_cohort_trainers (
    id TEXT PRIMARY KEY,
    training_cohort_id TEXT NOT NULL REFERENCES training_cohorts (id),
    peer_worker_id TEXT REFERENCES peer_workers (id),
    user_id TEXT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((peer_worker_id IS NULL) <> (user_id IS NULL)),
    UNIQUE (training_cohort_id, peer_worker_id),
    UNIQUE (training_cohort_id, user_id)
);
CREATE INDEX training_cohort_trainers_cohort ON training_cohort_trainers (training_cohort_id, id);

CREATE TABLE training_cohort_enrolments (
    id TEXT PRIMARY KEY,
    training_cohort_id TEXT NOT NULL REFERENCES training_cohorts (id),
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('enrolled', 'completed', 'dropped_out')),
    completed_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((outcome = 'completed') = (completed_on IS NOT NULL)),
    UNIQUE (training_cohort_id, peer_worker_id)
);
CREATE INDEX training_cohort_enrolments_cohort ON training_cohort_enrolments (training_cohort_id, id);
CREATE INDEX training_cohort_enrolments_peer_worker ON training_cohort_enrolments (peer_worker_id);

CREATE TABLE peer_worker_qualifications (
    id TEXT PRIMARY KEY,
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    kind TEXT NOT NULL CHECK (kind IN ('peer_guide', 'peer_teacher', 'peer_trainer')),
    earned_via TEXT NOT NULL CHECK (earned_via IN ('training_cohort', 'recorded')),
    training_cohort_id TEXT REFERENCES training_cohorts (id),
    evidence TEXT,
    earned_on DATE NOT NULL,
    recorded_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((earned_via = 'training_cohort') = (training_cohort_id IS NOT NULL)),
    UNIQUE (peer_worker_id, kind)
);
CREATE INDEX peer_worker_qualifications_kind ON peer_worker_qualifications (kind, peer_worker_id);

CREATE TABLE supervision_sessions (
    id TEXT PRIMARY KEY,
    date DATE NOT NULL,
    supervisor_user_id TEXT REFERENCES users (id),
    supervisor_peer_worker_id TEXT REFERENCES peer_workers (id),
    format TEXT NOT NULL CHECK (format IN ('individual', 'group')),
    topic TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((supervisor_user_id IS NULL) <> (supervisor_peer_worker_id IS NULL))
);
CREATE INDEX supervision_sessions_updated_at ON supervision_sessions (updated_at, id);
CREATE INDEX supervision_sessions_date ON supervision_sessions (date, id);

CREATE TABLE supervision_attendees (
    supervision_session_id TEXT NOT NULL REFERENCES supervision_sessions (id),
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    PRIMARY KEY (supervision_session_id, peer_worker_id)
);
CREATE INDEX supervision_attendees_peer_worker ON supervision_attendees (peer_worker_id, supervision_session_id);

-- Support courses (forløb) with their goals, progress notes and contacts. Status history lives
-- in status_history (resource_type 'support_course').

CREATE TABLE support_courses (
    id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    model TEXT NOT NULL CHECK (model IN ('peer_guide', 'individual_peer_support', 'employment_support')),
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    peer_worker_id TEXT REFERENCES peer_workers (id),
    coordinator_user_id TEXT REFERENCES users (id),
    context TEXT,
    planned_end_date DATE,
    status TEXT NOT NULL CHECK (status IN ('requested', 'matched', 'active', 'paused', 'completed',
        'ended_early', 'cancelled')),
    closed_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- At most one open support course per citizen and model.
CREATE UNIQUE INDEX support_courses_one_open ON support_courses (citizen_id, model)
    WHERE status IN ('requested', 'matched', 'active', 'paused');
CREATE INDEX support_courses_citizen_id ON support_courses (citizen_id, id);
CREATE INDEX support_courses_programme_id ON support_courses (programme_id, id);
CREATE INDEX support_courses_peer_worker_id ON support_courses (peer_worker_id, status);
CREATE INDEX support_courses_updated_at ON support_courses (updated_at, id);

CREATE TABLE goals (
    id TEXT PRIMARY KEY,
    support_course_id TEXT NOT NULL REFERENCES support_courses (id),
    text TEXT NOT NULL,
    domain TEXT NOT NULL CHECK (domain IN ('work', 'education', 'housing', 'social_network',
        'health', 'everyday_life', 'leisure', 'other')),
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'achieved', 'dropped')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX goals_support_course_id ON goals (support_course_id, id);

CREATE TABLE goal_progress (
    id TEXT PRIMARY KEY,
    goal_id TEXT NOT NULL REFERENCES goals (id),
    date DATE NOT NULL,
    note TEXT NOT NULL,
    self_rating INTEGER CHECK (self_rating BETWEEN 1 AND 10),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX goal_progress_goal_id ON goal_progress (goal_id, id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    support_course_id TEXT NOT NULL REFERENCES support_courses (id),
    date DATE NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    mode TEXT NOT NULL CHECK (mode IN ('in_person', 'phone', 'video', 'text', 'accompaniment')),
    summary TEXT,
    peer_worker_id TEXT NOT NULL REFERENCES peer_workers (id),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_support_course_id ON contacts (support_course_id, id);

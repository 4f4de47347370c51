-- Courses of the teaching model: co-created, taught together by a peer teacher and a
-- professional, with sessions, enrolments (an ordered waitlist) and attendance. Status history
-- lives in status_history (resource_type 'course').

CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    description TEXT,
    format TEXT NOT NULL CHECK (format IN ('recovery_college', 'group_course', 'workshop', 'lecture')),
    provider_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    location TEXT,
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    status TEXT NOT NULL CHECK (status IN ('planned', 'open_for_enrolment', 'running', 'completed', 'cancelled')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX courses_programme_id ON courses (programme_id, id);

CREATE TABLE course_co_creators (
    course_id TEXT NOT NULL REFERENCES courses (id),
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'peer', 'relative', 'professional')),
    PRIMARY KEY (course_id, kind)
);

CREATE TABLE course_teachers (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses (id),
    peer_worker_id TEXT REFERENCES peer_workers (id),
    user_id TEXT REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('peer_teacher', 'professional')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((peer_worker_id IS NULL) <> (user_id IS NULL)),
    CHECK ((role = 'peer_teacher') = (peer_worker_id IS NOT NULL)),
    UNIQUE (course_id, peer_worker_id),
    UNIQUE (course_id, user_id)
);
CREATE INDEX course_teachers_course ON course_teachers (course_id, id);
CREATE INDEX course_teachers_peer_worker ON course_teachers (peer_worker_id);

CREATE TABLE course_sessions (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    location TEXT,
    topic TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX course_sessions_course ON course_sessions (course_id, id);

CREATE TABLE course_enrolments (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses (id),
    citizen_id TEXT REFERENCES citizens (id),
    participant_name TEXT,
    participant_type TEXT CHECK (participant_type IN ('relative', 'professional', 'peer', 'other')),
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'withdrawn')),
    waitlist_position INTEGER,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((citizen_id IS NULL) = (participant_name IS NOT NULL AND participant_type IS NOT NULL)),
    CHECK ((status = 'waitlisted') = (waitlist_position IS NOT NULL)),
    UNIQUE (course_id, citizen_id)
);
CREATE INDEX course_enrolments_course ON course_enrolments (course_id, status, id);
CREATE INDEX course_enrolments_citizen ON course_enrolments (citizen_id, id);

CREATE TABLE course_attendance (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES course_sessions (id),
    enrolment_id TEXT NOT NULL REFERENCES course_enrolments (id),
    status TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (session_id, enrolment_id)
);
CREATE INDEX course_attendance_enrolment ON course_attendance (enrolment_id);

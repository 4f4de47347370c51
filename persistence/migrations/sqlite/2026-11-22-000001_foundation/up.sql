-- Foundation: settings, organisations, users, sessions, throttling, idempotency.
-- Portable types shared with the SQLite schema: ids are TEXT (UUIDv7), enums TEXT with CHECK,
-- instants TIMESTAMP in UTC.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'region', 'user_organisation',
        'relatives_organisation', 'jobcentre', 'psychiatry', 'employer', 'education_provider',
        'state_agency', 'civil_society', 'other')),
    municipality_code TEXT,
    region_code TEXT,
    cvr TEXT,
    parent_id TEXT REFERENCES organisations (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_updated_at ON organisations (updated_at, id);
CREATE INDEX organisations_parent_id ON organisations (parent_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'peer_worker', 'professional',
        'evaluator', 'integration')),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    active BOOLEAN NOT NULL,
    password_hash TEXT,
    client_id TEXT UNIQUE,
    client_secret_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organisation_id ON users (organisation_id, id);

-- One sign-in: the family of refresh tokens and the access tokens issued from them.
CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX auth_sessions_user_id ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES auth_sessions (id),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'completed')),
    response_status INTEGER,
    response_body TEXT,
    response_location TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

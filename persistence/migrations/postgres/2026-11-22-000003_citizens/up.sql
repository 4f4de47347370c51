-- Citizens (CPR encrypted, findable only by a keyed hash), consents, and the append-only audit log.

CREATE TABLE citizens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- AEAD ciphertext of the CPR number (nonce || ciphertext, base64); never the number itself.
    cpr_ciphertext TEXT,
    -- Keyed hash (blind index) of the CPR number, for exact-match lookup.
    cpr_index TEXT,
    email TEXT,
    phone TEXT,
    municipality_code TEXT NOT NULL,
    preferred_language TEXT,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    anonymised_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX citizens_cpr_per_organisation ON citizens (organisation_id, cpr_index);
CREATE INDEX citizens_cpr_index ON citizens (cpr_index);
CREATE INDEX citizens_organisation_id ON citizens (organisation_id, id);
CREATE INDEX citizens_updated_at ON citizens (updated_at, id);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('data_processing', 'share_with_jobcentre',
        'share_with_employer', 'share_with_psychiatry', 'share_with_other', 'evaluation')),
    given_on DATE NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('written', 'oral', 'digital')),
    expires_on DATE,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    withdrawn_on DATE,
    withdrawn_by TEXT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX consents_citizen_id ON consents (citizen_id, id);

-- Append-only: no API changes or deletes a row.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    citizen_id TEXT,
    request_id TEXT NOT NULL
);
CREATE INDEX audit_events_citizen_id ON audit_events (citizen_id, id);
CREATE INDEX audit_events_user_id ON audit_events (user_id, id);
CREATE INDEX audit_events_at ON audit_events (at, id);

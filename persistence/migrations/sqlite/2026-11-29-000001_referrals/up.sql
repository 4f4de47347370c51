-- Referrals (brobygning): bridges from a support course to a target organisation, made at the
-- citizen's request under an active consent. Status history lives in status_history
-- (resource_type 'referral').

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    support_course_id TEXT NOT NULL REFERENCES support_courses (id),
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    target_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('jobcentre', 'employer', 'psychiatry', 'other')),
    sending_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    purpose TEXT NOT NULL,
    requested_by_citizen BOOLEAN NOT NULL CHECK (requested_by_citizen = TRUE),
    consent_id TEXT NOT NULL REFERENCES consents (id),
    share_phone BOOLEAN NOT NULL,
    share_email BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'acknowledged', 'accepted', 'completed',
        'declined', 'cancelled', 'consent_withdrawn')),
    sent_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    accepted_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The sender's lists (by course), the recipient's inbox (by target and status), the citizen's
-- rights and the consent cascade.
CREATE INDEX referrals_support_course_id ON referrals (support_course_id, id);
CREATE INDEX referrals_target_organisation_id ON referrals (target_organisation_id, status, id);
CREATE INDEX referrals_citizen_id ON referrals (citizen_id, id);
CREATE INDEX referrals_consent_id ON referrals (consent_id, status);
CREATE INDEX referrals_updated_at ON referrals (updated_at, id);

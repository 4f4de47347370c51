-- A partnership offered to an organisation of another tenant: it grants nothing until a
-- coordinator of that organisation accepts it (then it becomes a row of programme_partners
-- and this row goes); declining removes it.
CREATE TABLE partner_invitations (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('partner', 'secretariat', 'funder', 'advisor', 'evaluator')),
    invited_by TEXT NOT NULL REFERENCES users (id),
    inviting_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, organisation_id)
);
CREATE INDEX partner_invitations_organisation_id ON partner_invitations (organisation_id, id);

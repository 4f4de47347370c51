DROP TABLE partner_invitations;

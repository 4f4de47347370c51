-- The OAuth scopes an integration client may use, space-separated (empty for people).
ALTER TABLE users ADD COLUMN scopes TEXT NOT NULL DEFAULT '';

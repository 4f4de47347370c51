DROP TABLE idempotency_keys;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE auth_sessions;
DROP TABLE users;
DROP TABLE organisations;
DROP TABLE settings;

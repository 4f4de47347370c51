DROP TABLE audit_events;
DROP TABLE consents;
DROP TABLE citizens;

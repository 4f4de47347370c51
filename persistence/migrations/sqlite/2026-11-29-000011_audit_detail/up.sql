-- What an event records beyond its resource: an export's dataset, filters and row count.
ALTER TABLE audit_events ADD COLUMN detail TEXT;

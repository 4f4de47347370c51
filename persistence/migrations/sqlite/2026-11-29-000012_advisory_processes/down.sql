DROP INDEX retention_checks_employment_status;
DROP INDEX employment_statuses_effective_on;
DROP INDEX course_attendance_session;
DROP INDEX course_sessions_starts_at;
DROP INDEX contacts_date;
DROP TABLE advisory_findings;
DROP TABLE advisory_processes;

DROP TABLE retention_checks;
DROP TABLE employment_statuses;

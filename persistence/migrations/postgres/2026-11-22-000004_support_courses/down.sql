DROP TABLE contacts;
DROP TABLE goal_progress;
DROP TABLE goals;
DROP TABLE support_courses;

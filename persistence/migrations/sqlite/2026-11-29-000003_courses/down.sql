DROP TABLE course_attendance;
DROP TABLE course_enrolments;
DROP TABLE course_sessions;
DROP TABLE course_teachers;
DROP TABLE course_co_creators;
DROP TABLE courses;

-- The programme report at scale (spec/quality.md: ≤ 300 ms over the scale-1 set): contacts,
-- goals and referrals carry their support course's programme, so the report reads the programme's facts of the
-- period from one covering index each instead of joining a million rows to their courses.
-- Triggers fill the copy from the parent row: no insert anywhere names it.

ALTER TABLE contacts ADD COLUMN programme_id TEXT;
ALTER TABLE goals ADD COLUMN programme_id TEXT;
ALTER TABLE referrals ADD COLUMN programme_id TEXT;
UPDATE contacts SET programme_id = s.programme_id
    FROM support_courses s WHERE s.id = contacts.support_course_id;
UPDATE goals SET programme_id = s.programme_id
    FROM support_courses s WHERE s.id = goals.support_course_id;
UPDATE referrals SET programme_id = s.programme_id
    FROM support_courses s WHERE s.id = referrals.support_course_id;

-- A new or moved contact, goal or referral takes its support course's programme.
CREATE FUNCTION support_course_programme() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.programme_id := (SELECT programme_id FROM support_courses WHERE id = NEW.support_course_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_programme_id BEFORE INSERT OR UPDATE OF support_course_id, programme_id
    ON contacts FOR EACH ROW EXECUTE FUNCTION support_course_programme();
CREATE TRIGGER goals_programme_id BEFORE INSERT OR UPDATE OF support_course_id, programme_id
    ON goals FOR EACH ROW EXECUTE FUNCTION support_course_programme();
CREATE TRIGGER referrals_programme_id BEFORE INSERT OR UPDATE OF support_course_id, programme_id
    ON referrals FOR EACH ROW EXECUTE FUNCTION support_course_programme();

-- A support course moved to another programme takes its contacts, goals and referrals along.
CREATE FUNCTION support_course_programme_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts SET programme_id = NEW.programme_id WHERE support_course_id = NEW.id;
    UPDATE goals SET programme_id = NEW.programme_id WHERE support_course_id = NEW.id;
    UPDATE referrals SET programme_id = NEW.programme_id WHERE support_course_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER support_courses_programme_moved AFTER UPDATE OF programme_id ON support_courses
    FOR EACH ROW WHEN (OLD.programme_id IS DISTINCT FROM NEW.programme_id)
    EXECUTE FUNCTION support_course_programme_moved();

-- Covering indexes of the report's statements (index-only scans over the period's rows). The
-- covered columns are trailing key columns, not INCLUDE, as on SQLite (one schema, see
-- tests/schema_parity.rs).
DROP INDEX contacts_date;
CREATE INDEX contacts_programme_date ON contacts (programme_id, date, minutes);
CREATE INDEX goals_programme ON goals (programme_id, support_course_id, status);
CREATE INDEX referrals_programme_sent_at ON referrals (programme_id, sent_at, target_kind, status,
    accepted_at, citizen_id);
CREATE INDEX support_courses_programme_created_at ON support_courses (programme_id, created_at,
    closed_at, status, model, citizen_id);

-- Employment moves and retention in the report: the period's moves by date with their citizen,
-- and each move's checks, read from the indexes alone.
CREATE INDEX employment_statuses_report ON employment_statuses (effective_on, citizen_id, id);
CREATE INDEX retention_checks_report ON retention_checks (employment_status_id, months_after, outcome);
-- The courses open in the period, by id (goals), and the attendance of the period's sessions.
CREATE INDEX support_courses_report_open ON support_courses (programme_id, created_at, closed_at, id);
CREATE INDEX course_attendance_report ON course_attendance (session_id, status);

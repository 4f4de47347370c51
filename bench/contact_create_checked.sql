-- pgbench, workload d, what the gap is made of: contact_create.sql with the check the domain
-- requires before a contact is recorded (the course exists, is open and is guided by the
-- caller; its citizen goes into the audit record) as a SELECT of its own in the transaction.
-- Not the bar's denominator (spec/quality.md names the two inserts alone); bench/run.sh prints
-- it beside the bar.
BEGIN;
SELECT status, peer_worker_id, citizen_id FROM support_courses
    WHERE id = :course_id AND peer_worker_id = :peer_id;
INSERT INTO contacts (id, support_course_id, date, minutes, mode, summary, peer_worker_id,
        recorded_by, version, created_at, updated_at)
    VALUES (gen_random_uuid()::text, :course_id, current_date - 1, 60, 'in_person',
        'Coffee and a walk', :peer_id, :guide_user_id, 1, localtimestamp, localtimestamp);
INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, resource_type,
        resource_id, citizen_id, request_id)
    VALUES (gen_random_uuid()::text, localtimestamp, :guide_user_id, 'peer_worker', :org_id,
        'create', 'contact', gen_random_uuid()::text, :citizen_id, gen_random_uuid()::text);
COMMIT;

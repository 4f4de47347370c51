-- pgbench, workload b: what a hand-written server sends for an audited
-- `GET /api/v1/support-courses/{id}`: the course's row and its audit record, one transaction
-- (committed, so fsynced, per request). Parameters come from bench/run.sh (-D).
BEGIN;
SELECT id, citizen_id, model, programme_id, peer_worker_id, coordinator_user_id, context,
    planned_end_date, status, closed_at, version, created_at, updated_at
    FROM support_courses WHERE id = :course_id;
INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, resource_type,
        resource_id, citizen_id, request_id)
    VALUES (gen_random_uuid()::text, localtimestamp, :user_id, 'coordinator', :org_id, 'read',
        'support_course', :course_id, :citizen_id, gen_random_uuid()::text);
COMMIT;

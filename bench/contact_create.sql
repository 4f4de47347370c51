-- pgbench, workload d: what a hand-written server sends for
-- `POST /api/v1/support-courses/{id}/contacts`: the contact and its audit record, one
-- transaction. Parameters come from bench/run.sh (-D).
BEGIN;
INSERT INTO contacts (id, support_course_id, date, minutes, mode, summary, peer_worker_id,
        recorded_by, version, created_at, updated_at)
    VALUES (gen_random_uuid()::text, :course_id, current_date - 1, 60, 'in_person',
        'Coffee and a walk', :peer_id, :guide_user_id, 1, localtimestamp, localtimestamp);
INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, resource_type,
        resource_id, citizen_id, request_id)
    VALUES (gen_random_uuid()::text, localtimestamp, :guide_user_id, 'peer_worker', :org_id,
        'create', 'contact', gen_random_uuid()::text, :citizen_id, gen_random_uuid()::text);
COMMIT;

-- pgbench, workload c, what the gap is made of: the same keyset page as
-- support_course_page.sql WITH the audit records the domain requires (every listed course is a
-- read of its citizen's data: one record per row shown, 50), written by the same statement and
-- committed with it. One statement, one commit: the least a hand-written server could send
-- for an audited page without sharing commits across requests. Not the bar's denominator
-- (spec/quality.md names the keyset query alone); bench/run.sh prints it beside the bar.
WITH page AS (
    SELECT id, citizen_id, model, programme_id, peer_worker_id, coordinator_user_id, context,
        planned_end_date, status, closed_at, version, created_at, updated_at
        FROM support_courses WHERE programme_id = :programme_id AND id > :cursor_id
        ORDER BY id LIMIT 51
), audited AS (
    INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, resource_type,
            resource_id, citizen_id, request_id)
        SELECT gen_random_uuid()::text, localtimestamp, :user_id, 'coordinator', :org_id,
            'list', 'support_course', id, citizen_id, 'pgbench'
        FROM page ORDER BY id LIMIT 50
)
SELECT * FROM page;

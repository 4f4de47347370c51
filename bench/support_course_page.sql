-- pgbench, workload c: the one keyset query of a deep page of
-- `GET /api/v1/support-courses?limit=50&programme_id=…&cursor=…`: the same filter, the rows
-- after the cursor's id in id order, 51 of them (one more tells whether a page follows).
-- Parameters come from bench/run.sh (-D): the programme and the id the cursor encodes.
SELECT id, citizen_id, model, programme_id, peer_worker_id, coordinator_user_id, context,
    planned_end_date, status, closed_at, version, created_at, updated_at
    FROM support_courses WHERE programme_id = :programme_id AND id > :cursor_id
    ORDER BY id LIMIT 51;

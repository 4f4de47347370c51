-- pgbench, workload a: what a hand-written server sends for `GET /api/v1/programmes/{id}`:
-- one primary-key SELECT of the programme's row (spec/quality.md, "Speed and scale").
-- :programme_id comes from bench/run.sh (-D).
SELECT id, name, description, funding_source, grant_dkk, start_date, end_date,
    lead_organisation_id, supervision_interval_days, phase, version, created_at, updated_at
    FROM programmes WHERE id = :programme_id;

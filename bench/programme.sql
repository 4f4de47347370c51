-- pgbench script: the SQL one `GET /api/v1/programmes/{id}` runs, statement for statement, as
-- captured from PostgreSQL's log (log_statement = all) on this code base. No transaction: the
-- handler reads without one (`Database::read`), so every statement autocommits.
-- Parameters come from bench/run.sh (-D): the coordinator, its session, its organisation,
-- the programme; :one = 1 and :t = t stand for diesel's bound LIMIT and `active = true`.

-- CurrentUser extractor: r2d2 checks the pooled connection out (test_on_check_out: SELECT 1),
-- then the token's session and user.
SELECT 1;
SELECT "users"."id", "users"."username", "users"."display_name", "users"."email", "users"."role",
    "users"."organisation_id", "users"."active", "users"."password_hash", "users"."client_id",
    "users"."client_secret_hash", "users"."version", "users"."created_at", "users"."updated_at"
    FROM ("users" INNER JOIN "auth_sessions" ON ("auth_sessions"."user_id" = "users"."id"))
    WHERE ((((("users"."id" = :user_id) AND ("users"."active" = :t))
        AND ("auth_sessions"."id" = :session_id)) AND ("auth_sessions"."revoked_at" IS NULL))
        AND ("auth_sessions"."expires_at" > :now)) LIMIT :one;
-- The handler: a second checkout, then scope::programme (partner role, the row) and load_one
-- (models, status history).
SELECT 1;
SELECT "programme_partners"."role" FROM "programme_partners"
    WHERE (("programme_partners"."programme_id" = :programme_id)
        AND ("programme_partners"."organisation_id" = :org_id)) LIMIT :one;
SELECT "programmes"."id", "programmes"."name", "programmes"."description",
    "programmes"."funding_source", "programmes"."grant_dkk", "programmes"."start_date",
    "programmes"."end_date", "programmes"."lead_organisation_id",
    "programmes"."supervision_interval_days", "programmes"."phase", "programmes"."version",
    "programmes"."created_at", "programmes"."updated_at"
    FROM "programmes" WHERE ("programmes"."id" = :programme_id) LIMIT :one;
SELECT "programme_models"."programme_id", "programme_models"."model" FROM "programme_models"
    WHERE ("programme_models"."programme_id" = ANY(:programme_ids))
    ORDER BY "programme_models"."programme_id", "programme_models"."model";
SELECT "status_history"."id", "status_history"."resource_type", "status_history"."resource_id",
    "status_history"."status", "status_history"."at", "status_history"."by_user_id",
    "status_history"."reason"
    FROM "status_history"
    WHERE (("status_history"."resource_type" = :programme_type)
        AND ("status_history"."resource_id" = ANY(:programme_ids)))
    ORDER BY "status_history"."at" ASC, "status_history"."id" ASC;

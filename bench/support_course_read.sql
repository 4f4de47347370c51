-- pgbench script: the SQL one `GET /api/v1/support-courses/{id}` runs, statement for statement,
-- as captured from PostgreSQL's log (log_statement = all) on this code base: the token check
-- outside a transaction, then the scope check, the row, the audit record and the status
-- history in one transaction (`Database::write`), committed (and fsynced) per request.
-- Parameters come from bench/run.sh (-D); :one = 1 and :t = t stand for diesel's bound LIMIT
-- and `active = true`.

-- CurrentUser extractor: pool checkout (test_on_check_out: SELECT 1), the token's session.
SELECT 1;
SELECT "users"."id", "users"."username", "users"."display_name", "users"."email", "users"."role",
    "users"."organisation_id", "users"."active", "users"."password_hash", "users"."client_id",
    "users"."client_secret_hash", "users"."version", "users"."created_at", "users"."updated_at"
    FROM ("users" INNER JOIN "auth_sessions" ON ("auth_sessions"."user_id" = "users"."id"))
    WHERE ((((("users"."id" = :user_id) AND ("users"."active" = :t))
        AND ("auth_sessions"."id" = :session_id)) AND ("auth_sessions"."revoked_at" IS NULL))
        AND ("auth_sessions"."expires_at" > :now)) LIMIT :one;
-- The handler: second checkout, then one transaction.
SELECT 1;
BEGIN;
-- Course scope: every programme the user's organisation is a partner of ...
SELECT "programme_partners"."programme_id" FROM "programme_partners"
    WHERE ("programme_partners"."organisation_id" = :org_id);
-- ... and the course, if in one of them.
SELECT "support_courses"."id", "support_courses"."citizen_id", "support_courses"."model",
    "support_courses"."programme_id", "support_courses"."peer_worker_id",
    "support_courses"."coordinator_user_id", "support_courses"."context",
    "support_courses"."planned_end_date", "support_courses"."status", "support_courses"."closed_at",
    "support_courses"."version", "support_courses"."created_at", "support_courses"."updated_at"
    FROM "support_courses"
    WHERE (("support_courses"."programme_id" = ANY(:programme_ids))
        AND ("support_courses"."id" = :course_id)) LIMIT :one;
-- The user's right on the course's programme.
SELECT "programme_partners"."role" FROM "programme_partners"
    WHERE (("programme_partners"."programme_id" = :programme_id)
        AND ("programme_partners"."organisation_id" = :org_id)) LIMIT :one;
-- The audit record. The server binds a fresh UUIDv7 as id and request id; here a time-ordered
-- unique text stands in for both (the server's statement is the same, unprepared: diesel does
-- not cache batch inserts).
INSERT INTO "audit_events" ("id", "at", "user_id", "role", "organisation_id", "action",
        "resource_type", "resource_id", "citizen_id", "request_id")
    VALUES (to_char(clock_timestamp(), 'YYYYMMDDHH24MISSUS') || '-' || :client_id, :now,
        :user_id, :role, :org_id, :action, :course_type, :course_id, :citizen_id,
        to_char(clock_timestamp(), 'YYYYMMDDHH24MISSUS') || '-' || :client_id);
SELECT "status_history"."id", "status_history"."resource_type", "status_history"."resource_id",
    "status_history"."status", "status_history"."at", "status_history"."by_user_id",
    "status_history"."reason"
    FROM "status_history"
    WHERE (("status_history"."resource_type" = :course_type)
        AND ("status_history"."resource_id" = ANY(:course_ids)))
    ORDER BY "status_history"."at" ASC, "status_history"."id" ASC;
COMMIT;

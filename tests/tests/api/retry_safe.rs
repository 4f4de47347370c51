//! Actions that are not creates — transitions, withdrawals, anonymisation — are retry-safe
//! with `Idempotency-Key`: a retry answers the first response again and does nothing.

use crate::programmes::partnership;
use brobygger_tests::test_both;
use serde_json::json;

test_both! {
    async fn a_transition_sent_twice_answers_the_first_response_twice(app) {
        let p = partnership(&app).await;
        let path = format!("/api/v1/programmes/{}/transitions", p.programme_id);
        let send = |body: serde_json::Value| {
            app.post(&path).token(&p.coordinator).header("idempotency-key", "move-1").json(body)
        };
        let first = send(json!({"to": "pilot", "reason": "skipping implementation"})).await;
        first.assert_status(200);
        assert!(first.header("idempotent-replayed").is_none());
        let again = send(json!({"to": "pilot", "reason": "skipping implementation"})).await;
        again.assert_status(200);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("etag"), first.header("etag"));
        let read = app.get(&format!("/api/v1/programmes/{}", p.programme_id)).token(&p.coordinator).send().await;
        assert_eq!(read.body["status_history"].as_array().map(Vec::len), Some(2), "moved once");
        send(json!({"to": "trial"})).await.assert_problem(422, "idempotency_key_reuse");
        // Without a key a repeat is a new move, refused as before.
        app.post(&path).token(&p.coordinator).json(json!({"to": "pilot"})).await
            .assert_problem(409, "invalid_transition");
    }
}

test_both! {
    async fn withdrawal_and_anonymisation_are_retry_safe(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let citizen = app.post("/api/v1/citizens").token(&coordinator)
            .json(json!({"name": "Jonas Holm", "municipality_code": "630"})).await;
        citizen.assert_status(201);
        let id = citizen.id();
        let consent = app.post(&format!("/api/v1/citizens/{id}/consents")).token(&coordinator)
            .json(json!({"purpose": "share_with_jobcentre", "given_on": "2026-01-05", "method": "written"})).await;
        consent.assert_status(201);
        let withdraw = format!("/api/v1/citizens/{id}/consents/{}/withdraw", consent.id());
        let send = || {
            app.post(&withdraw).token(&coordinator).header("idempotency-key", "w-1")
                .json(json!({"withdrawn_on": "2026-06-01"}))
        };
        let first = send().await;
        first.assert_status(200);
        let again = send().await;
        again.assert_status(200);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);

        let anonymise = format!("/api/v1/citizens/{id}/anonymise");
        let first = app.post(&anonymise).token(&coordinator).header("idempotency-key", "a-1").send().await;
        first.assert_status(200);
        let again = app.post(&anonymise).token(&coordinator).header("idempotency-key", "a-1").send().await;
        again.assert_status(200);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body["anonymised_at"], first.body["anonymised_at"]);
    }
}

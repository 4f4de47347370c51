//! Core fields (docs/api-conventions.md) that a client sends back as it read them are accepted
//! where they agree with what the server would set, and refused clearly where they do not.

use crate::peer_workers::peer_worker;
use crate::programmes::partnership;
use brobygger_tests::test_both;
use serde_json::json;

test_both! {
    async fn a_recorded_qualification_accepts_earned_via_recorded(app) {
        let p = partnership(&app).await;
        let id = peer_worker(&app, &p, "Jonas Holm").await;
        let path = format!("/api/v1/peer-workers/{id}/qualifications");
        let recorded = app.post(&path).token(&p.coordinator)
            .json(json!({"kind": "peer_trainer", "earned_via": "recorded", "training_cohort_id": null,
                "evidence": "Certificate from Recovery College", "earned_on": "2020-05-01"}))
            .await;
        recorded.assert_status(201);
        assert_eq!(recorded.body["earned_via"], "recorded");

        let cohort = app.post(&path).token(&p.coordinator)
            .json(json!({"kind": "peer_guide", "earned_via": "training_cohort",
                "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
                "evidence": "Completed the cohort", "earned_on": "2020-05-01"}))
            .await;
        cohort.assert_problem(422, "validation");
        assert_eq!(cohort.error_fields(), ["earned_via", "training_cohort_id"]);
        assert!(cohort.text.contains("only `recorded` may be sent here"), "{}", cohort.text);
        app.post(&path).token(&p.coordinator)
            .json(json!({"kind": "peer_guide", "earned_via": "bought", "evidence": "x", "earned_on": "2020-05-01"}))
            .await
            .assert_problem(422, "validation");
        let list = app.get(&path).token(&p.coordinator).send().await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "nothing stored by refusals");
    }
}

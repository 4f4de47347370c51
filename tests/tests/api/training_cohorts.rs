//! Training cohorts: completion grants qualifications, peer trainers must be qualified, scope.

use crate::peer_workers::{activate, peer_worker};
use crate::programmes::{Partnership, partnership};
use brobygger_tests::{TestApp, test_both};
use serde_json::json;

async fn cohort(app: &TestApp, p: &Partnership, grants: serde_json::Value) -> String {
    let created = app
        .post("/api/v1/training-cohorts")
        .token(&p.coordinator)
        .json(json!({
            "programme_id": p.programme_id,
            "provider_organisation_id": p.kolding,
            "start_date": "2020-03-01",
            "end_date": "2020-06-30",
            "grants": grants
        }))
        .await;
    created.assert_status(201);
    created.id()
}

async fn qualifications(app: &TestApp, p: &Partnership, peer: &str) -> Vec<String> {
    let response = app
        .get(&format!("/api/v1/peer-workers/{peer}/qualifications"))
        .token(&p.coordinator)
        .send()
        .await;
    response.assert_status(200);
    response.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|q| q["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

test_both! {
    async fn completing_a_cohort_grants_its_qualifications_and_dropping_out_does_not(app) {
        let p = partnership(&app).await;
        let id = cohort(&app, &p, json!(["peer_guide"])).await;
        let finisher = peer_worker(&app, &p, "Finisher").await;
        let dropout = peer_worker(&app, &p, "Dropout").await;
        let mut enrolments = Vec::new();
        for peer in [&finisher, &dropout] {
            let enrolled = app.post(&format!("/api/v1/training-cohorts/{id}/enrolments")).token(&p.coordinator)
                .json(json!({"peer_worker_id": peer})).await;
            enrolled.assert_status(201);
            assert_eq!(enrolled.body["outcome"], "enrolled");
            enrolments.push(enrolled.id());
        }
        let completed = app.patch(&format!("/api/v1/training-cohorts/{id}/enrolments/{}", enrolments[0]))
            .token(&p.coordinator).if_match(1)
            .merge_patch(json!({"outcome": "completed", "completed_on": "2020-06-30"})).await;
        completed.assert_status(200);
        assert_eq!(completed.body["completed_on"], "2020-06-30");
        app.patch(&format!("/api/v1/training-cohorts/{id}/enrolments/{}", enrolments[1]))
            .token(&p.coordinator).if_match(1)
            .merge_patch(json!({"outcome": "dropped_out"})).await
            .assert_status(200);

        assert_eq!(qualifications(&app, &p, &finisher).await, ["peer_guide"]);
        assert!(qualifications(&app, &p, &dropout).await.is_empty());
        let worker = app.get(&format!("/api/v1/peer-workers/{finisher}")).token(&p.coordinator).send().await;
        let held = &worker.body["qualifications"][0];
        assert_eq!(held["earned_via"], "training_cohort");
        assert_eq!(held["training_cohort_id"], id.as_str());
        assert_eq!(held["earned_on"], "2020-06-30");
        let guides = app.get("/api/v1/peer-workers?qualification=peer_guide").token(&p.coordinator).send().await;
        assert_eq!(guides.ids(), [finisher.as_str()]);

        // Outcomes are final; a completion needs its date.
        let again = app.patch(&format!("/api/v1/training-cohorts/{id}/enrolments/{}", enrolments[1]))
            .token(&p.coordinator).if_match(2)
            .merge_patch(json!({"outcome": "completed", "completed_on": "2020-06-30"})).await;
        again.assert_problem(409, "invalid_transition");
        let third = peer_worker(&app, &p, "Third").await;
        let enrolled = app.post(&format!("/api/v1/training-cohorts/{id}/enrolments")).token(&p.coordinator)
            .json(json!({"peer_worker_id": third})).await;
        let no_date = app.patch(&format!("/api/v1/training-cohorts/{id}/enrolments/{}", enrolled.id()))
            .token(&p.coordinator).if_match(1).merge_patch(json!({"outcome": "completed"})).await;
        no_date.assert_problem(422, "validation");
        assert_eq!(no_date.error_fields(), ["completed_on"]);
        app.patch(&format!("/api/v1/training-cohorts/{id}/enrolments/{}", enrolled.id()))
            .token(&p.coordinator).merge_patch(json!({"outcome": "dropped_out"})).await
            .assert_problem(428, "precondition_required");
    }
}

test_both! {
    async fn a_peer_trainer_must_hold_peer_trainer_and_be_active(app) {
        let p = partnership(&app).await;
        let id = cohort(&app, &p, json!(["peer_guide", "peer_teacher"])).await;
        let peer = peer_worker(&app, &p, "Trainer").await;
        let path = format!("/api/v1/training-cohorts/{id}/trainers");
        activate(&app, &p, &peer).await;
        let missing = app.post(&path).token(&p.coordinator).json(json!({"peer_worker_id": peer})).await;
        missing.assert_problem(409, "qualification_missing");

        app.post(&format!("/api/v1/peer-workers/{peer}/qualifications")).token(&p.coordinator)
            .json(json!({"kind": "peer_trainer", "evidence": "Peer trainer course 2019", "earned_on": "2019-11-01"})).await
            .assert_status(201);
        let added = app.post(&path).token(&p.coordinator).json(json!({"peer_worker_id": peer})).await;
        added.assert_status(201);
        assert_eq!(added.body["peer_worker_id"], peer.as_str());

        // Not active: refused even when qualified.
        let on_leave = peer_worker(&app, &p, "On leave").await;
        app.post(&format!("/api/v1/peer-workers/{on_leave}/qualifications")).token(&p.coordinator)
            .json(json!({"kind": "peer_trainer", "evidence": "Peer trainer course 2019", "earned_on": "2019-11-01"})).await
            .assert_status(201);
        app.post(&path).token(&p.coordinator).json(json!({"peer_worker_id": on_leave})).await
            .assert_problem(409, "qualification_missing");

        // A professional of a partner trains too; exactly one of the two ids.
        let professional = app.user("teacher", "professional", &p.kolding).await;
        app.post(&path).token(&p.coordinator).json(json!({"user_id": professional})).await
            .assert_status(201);
        let both = app.post(&path).token(&p.coordinator).json(json!({"user_id": professional, "peer_worker_id": peer})).await;
        both.assert_problem(422, "validation");
        assert_eq!(both.error_fields(), ["peer_worker_id", "user_id"]);
        let trainers = app.get(&path).token(&p.coordinator).send().await;
        assert_eq!(trainers.ids().len(), 2);
    }
}

test_both! {
    async fn cohorts_are_invisible_outside_the_partnership_and_bad_ones_are_422(app) {
        let p = partnership(&app).await;
        let id = cohort(&app, &p, json!(["peer_guide"])).await;
        for path in [
            format!("/api/v1/training-cohorts/{id}"),
            format!("/api/v1/training-cohorts/{id}/trainers"),
            format!("/api/v1/training-cohorts/{id}/enrolments"),
        ] {
            app.get(&path).token(&p.outsider).send().await.assert_problem(404, "not_found");
            // A professional of a partner sees none of the workforce.
            app.get(&path).token(&p.kolding_user).send().await.assert_problem(404, "not_found");
        }
        let listed = app.get("/api/v1/training-cohorts").token(&p.outsider).send().await;
        listed.assert_status(200);
        assert!(listed.ids().is_empty());
        let ours = app.get(&format!("/api/v1/training-cohorts?programme_id={}", p.programme_id)).token(&p.coordinator).send().await;
        assert_eq!(ours.ids(), [id.as_str()]);

        let bad = app.post("/api/v1/training-cohorts").token(&p.coordinator).json(json!({
            "programme_id": p.programme_id,
            "provider_organisation_id": p.kolding,
            "start_date": "2020-03-01",
            "end_date": "2020-02-01",
            "grants": ["peer_wizard"]
        })).await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["end_date", "grants.0"]);
        let foreign = app.post("/api/v1/training-cohorts").token(&p.outsider).json(json!({
            "programme_id": p.programme_id,
            "provider_organisation_id": p.aarhus,
            "start_date": "2020-03-01"
        })).await;
        foreign.assert_problem(422, "validation");
        assert_eq!(foreign.error_fields(), ["programme_id"]);
        let changed = app.patch(&format!("/api/v1/training-cohorts/{id}")).token(&p.coordinator).if_match(3)
            .merge_patch(json!({"grants": ["peer_guide", "peer_teacher"]})).await;
        changed.assert_problem(412, "version_mismatch");
    }
}

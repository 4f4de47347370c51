//! Peer workers: registration, the status workflow, qualifications, scope and bad input.

use crate::programmes::{Partnership, partnership};
use brobygger_tests::{PASSWORD, TestApp, test_both};
use serde_json::{Value, json};

pub fn peer_body(p: &Partnership) -> Value {
    json!({
        "name": "Jonas Holm",
        "email": "jonas@example.dk",
        "organisation_id": p.vejle,
        "engagement": "employed",
        "hours_per_week": 20,
        "programme_ids": [p.programme_id],
        "municipality_codes": ["630", "621"],
        "languages": ["da", "en"],
        "capacity": 5
    })
}

/// Registers a peer worker in the partnership's programme; returns its id.
pub async fn peer_worker(app: &TestApp, p: &Partnership, name: &str) -> String {
    let mut body = peer_body(p);
    body["name"] = json!(name);
    let created = app
        .post("/api/v1/peer-workers")
        .token(&p.coordinator)
        .json(body)
        .await;
    created.assert_status(201);
    created.id()
}

/// Moves a peer worker through the workflow to `active`.
pub async fn activate(app: &TestApp, p: &Partnership, id: &str) {
    for to in ["in_training", "active"] {
        app.post(&format!("/api/v1/peer-workers/{id}/transitions"))
            .token(&p.coordinator)
            .json(json!({"to": to}))
            .await
            .assert_status(200);
    }
}

test_both! {
    async fn a_coordinator_registers_a_peer_worker_and_moves_it_through_its_workflow(app) {
        let p = partnership(&app).await;
        let created = app.post("/api/v1/peer-workers").token(&p.coordinator).json(peer_body(&p)).await;
        created.assert_status(201);
        let id = created.id();
        assert_eq!(created.body["status"], "recruited");
        assert_eq!(created.body["municipality_codes"], json!(["621", "630"]));
        assert_eq!(created.body["programme_ids"], json!([p.programme_id]));
        assert_eq!(created.body["qualifications"], json!([]));

        let skip = app.post(&format!("/api/v1/peer-workers/{id}/transitions")).token(&p.coordinator)
            .json(json!({"to": "active"})).await;
        skip.assert_problem(409, "invalid_transition");
        assert_eq!(skip.body["allowed"], json!(["in_training", "ended"]));
        activate(&app, &p, &id).await;
        let on_leave = app.post(&format!("/api/v1/peer-workers/{id}/transitions")).token(&p.coordinator)
            .json(json!({"to": "on_leave", "reason": "sick leave"})).await;
        on_leave.assert_status(200);
        let history: Vec<_> = on_leave.body["status_history"].as_array().expect("history").iter()
            .map(|h| h["status"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(history, ["recruited", "in_training", "active", "on_leave"]);

        // Filters.
        let by_status = app.get("/api/v1/peer-workers?status=on_leave&municipality_code=621").token(&p.coordinator).send().await;
        assert_eq!(by_status.ids(), [id.as_str()]);
        let none = app.get("/api/v1/peer-workers?status=active").token(&p.coordinator).send().await;
        assert!(none.ids().is_empty());
        let by_programme = app.get(&format!("/api/v1/peer-workers?programme_id={}", p.programme_id)).token(&p.coordinator).send().await;
        assert_eq!(by_programme.ids(), [id.as_str()]);
        let elsewhere = app.get("/api/v1/peer-workers?municipality_code=751").token(&p.coordinator).send().await;
        assert!(elsewhere.ids().is_empty());

        // A recorded qualification, once.
        let recorded = app.post(&format!("/api/v1/peer-workers/{id}/qualifications")).token(&p.coordinator)
            .json(json!({"kind": "peer_trainer", "evidence": "Certificate from Recovery College", "earned_on": "2020-05-01"})).await;
        recorded.assert_status(201);
        assert_eq!(recorded.body["earned_via"], "recorded");
        app.post(&format!("/api/v1/peer-workers/{id}/qualifications")).token(&p.coordinator)
            .json(json!({"kind": "peer_trainer", "evidence": "again", "earned_on": "2020-05-01"})).await
            .assert_problem(409, "conflict");
        let trainers = app.get("/api/v1/peer-workers?qualification=peer_trainer").token(&p.coordinator).send().await;
        assert_eq!(trainers.ids(), [id.as_str()]);
    }
}

test_both! {
    async fn peer_workers_are_invisible_outside_the_partnership(app) {
        let p = partnership(&app).await;
        let id = peer_worker(&app, &p, "Jonas Holm").await;
        // A professional, even of a partner, sees no peer worker (domain.md, "Who may do what").
        app.get(&format!("/api/v1/peer-workers/{id}")).token(&p.kolding_user).send().await.assert_problem(404, "not_found");
        app.post(&format!("/api/v1/peer-workers/{id}/transitions")).token(&p.kolding_user)
            .json(json!({"to": "in_training"})).await
            .assert_problem(404, "not_found");
        // Outside: nothing.
        for path in [format!("/api/v1/peer-workers/{id}"), format!("/api/v1/peer-workers/{id}/qualifications")] {
            app.get(&path).token(&p.outsider).send().await.assert_problem(404, "not_found");
        }
        app.post(&format!("/api/v1/peer-workers/{id}/transitions")).token(&p.outsider)
            .json(json!({"to": "in_training"})).await
            .assert_problem(404, "not_found");
        let listed = app.get("/api/v1/peer-workers").token(&p.outsider).send().await;
        listed.assert_status(200);
        assert!(listed.ids().is_empty());
        let filtered = app.get(&format!("/api/v1/peer-workers?programme_id={}", p.programme_id)).token(&p.outsider).send().await;
        assert!(filtered.ids().is_empty());
        // Naming the programme or host of another partnership is an unknown field.
        let mut body = peer_body(&p);
        body["organisation_id"] = json!(p.vejle);
        let foreign = app.post("/api/v1/peer-workers").token(&p.outsider).json(body).await;
        foreign.assert_problem(422, "validation");
        assert_eq!(foreign.error_fields(), ["organisation_id", "programme_ids.0"]);
    }
}

test_both! {
    async fn a_peer_worker_user_sees_only_its_own_record(app) {
        let p = partnership(&app).await;
        let other = peer_worker(&app, &p, "Other Peer").await;
        let user_id = app.user("jonas", "peer_worker", &p.vejle).await;
        let mut body = peer_body(&p);
        body["user_id"] = json!(user_id);
        let own = app.post("/api/v1/peer-workers").token(&p.coordinator).json(body.clone()).await;
        own.assert_status(201);
        // One peer worker per user.
        let twice = app.post("/api/v1/peer-workers").token(&p.coordinator).json(body).await;
        twice.assert_problem(422, "validation");
        assert_eq!(twice.error_fields(), ["user_id"]);
        let token = app.login("jonas", PASSWORD).await;
        let listed = app.get("/api/v1/peer-workers").token(&token).send().await;
        assert_eq!(listed.ids(), [own.id()]);
        app.get(&format!("/api/v1/peer-workers/{}", own.id())).token(&token).send().await.assert_status(200);
        app.get(&format!("/api/v1/peer-workers/{other}")).token(&token).send().await.assert_problem(404, "not_found");
        app.patch(&format!("/api/v1/peer-workers/{}", own.id())).token(&token).if_match(1)
            .merge_patch(json!({"capacity": 50})).await
            .assert_problem(403, "forbidden");
    }
}

test_both! {
    async fn bad_peer_workers_are_422_listing_every_field(app) {
        let p = partnership(&app).await;
        let bad = app.post("/api/v1/peer-workers").token(&p.coordinator).json(json!({
            "name": "Jonas",
            "organisation_id": p.vejle,
            "engagement": "contractor",
            "municipality_codes": ["630", "999"],
            "languages": ["Danish"],
            "capacity": -1
        })).await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["capacity", "engagement", "languages.0", "municipality_codes.1"]);
        let hours = app.post("/api/v1/peer-workers").token(&p.coordinator).json(json!({
            "name": " ",
            "organisation_id": p.vejle,
            "engagement": "employed",
            "capacity": 2,
            "programme_ids": ["0193a5d4-0000-7000-8000-000000000001"]
        })).await;
        hours.assert_problem(422, "validation");
        assert_eq!(hours.error_fields(), ["hours_per_week", "name", "programme_ids.0"]);
        // An admin may add to any programme, but not to one that does not exist (was a 500).
        let unknown = app.post("/api/v1/peer-workers").token(&app.admin_token).json(json!({
            "name": "Ida Holm",
            "organisation_id": p.vejle,
            "engagement": "volunteer",
            "capacity": 2,
            "programme_ids": [p.programme_id, "0193a5d4-0000-7000-8000-000000000001"]
        })).await;
        unknown.assert_problem(422, "validation");
        assert_eq!(unknown.error_fields(), ["programme_ids.1"]);
    }
}

test_both! {
    async fn peer_worker_changes_need_the_current_version(app) {
        let p = partnership(&app).await;
        let id = peer_worker(&app, &p, "Jonas Holm").await;
        let path = format!("/api/v1/peer-workers/{id}");
        app.patch(&path).token(&p.coordinator).merge_patch(json!({"capacity": 6})).await
            .assert_problem(428, "precondition_required");
        app.patch(&path).token(&p.coordinator).if_match(9).merge_patch(json!({"capacity": 6})).await
            .assert_problem(412, "version_mismatch");
        let changed = app.patch(&path).token(&p.coordinator).if_match(1)
            .merge_patch(json!({"capacity": 6, "engagement": "volunteer", "hours_per_week": null, "languages": ["da"]})).await;
        changed.assert_status(200);
        assert_eq!(changed.body["capacity"], 6);
        assert_eq!(changed.body["engagement"], "volunteer");
        assert_eq!(changed.body["languages"], json!(["da"]));
        let status = app.patch(&path).token(&p.coordinator).if_match(2)
            .merge_patch(json!({"status": "active", "qualifications": []})).await;
        status.assert_problem(422, "validation");
        assert_eq!(status.error_fields(), ["qualifications", "status"]);
        let first = app.post("/api/v1/peer-workers").token(&p.coordinator)
            .header("idempotency-key", "peer-1").json(peer_body(&p)).await;
        let again = app.post("/api/v1/peer-workers").token(&p.coordinator)
            .header("idempotency-key", "peer-1").json(peer_body(&p)).await;
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.id(), first.id());
    }
}

//! Supervision sessions and who is overdue for supervision.

use crate::peer_workers::{activate, peer_worker};
use crate::programmes::partnership;
use brobygger_tests::test_both;
use chrono::TimeDelta;
use serde_json::json;

test_both! {
    async fn a_peer_worker_is_overdue_only_after_the_supervision_interval(app) {
        let mut p = partnership(&app).await;
        let supervisor = app.user("supervisor", "professional", &p.vejle).await;
        let supervised = peer_worker(&app, &p, "Supervised").await;
        let never = peer_worker(&app, &p, "Never supervised").await;
        let recruit = peer_worker(&app, &p, "Still recruited").await;
        activate(&app, &p, &supervised).await;
        activate(&app, &p, &never).await;
        let programme = app.get(&format!("/api/v1/programmes/{}", p.programme_id)).token(&p.coordinator).send().await;
        assert_eq!(programme.body["supervision_interval_days"], 30);

        let day0 = (chrono::Utc::now() + TimeDelta::seconds(0)).date_naive();
        let session = app.post("/api/v1/supervision-sessions").token(&p.coordinator).json(json!({
            "date": day0.to_string(),
            "supervisor_user_id": supervisor,
            "format": "individual",
            "peer_worker_ids": [supervised],
            "topic": "Boundaries"
        })).await;
        session.assert_status(201);
        assert_eq!(session.body["peer_worker_ids"], json!([supervised]));

        app.clock.advance(TimeDelta::days(29));
        p.relogin(&app).await;
        let day29 = app.get("/api/v1/peer-workers?supervision_overdue=true").token(&p.coordinator).send().await;
        day29.assert_status(200);
        assert!(day29.ids().is_empty(), "{}", day29.text);

        app.clock.advance(TimeDelta::days(2));
        p.relogin(&app).await;
        let day31 = app.get("/api/v1/peer-workers?supervision_overdue=true").token(&p.coordinator).send().await;
        day31.assert_status(200);
        assert_eq!(day31.ids(), [supervised.clone(), never.clone()]);
        assert_eq!(day31.body["items"][0]["last_supervision_on"], day0.to_string());
        assert_eq!(day31.body["items"][1]["last_supervision_on"], serde_json::Value::Null);
        let paged = app.get("/api/v1/peer-workers?supervision_overdue=true&limit=1").token(&p.coordinator).send().await;
        assert_eq!(paged.ids(), [supervised.as_str()]);
        let cursor = paged.body["next_cursor"].as_str().expect("cursor").to_owned();
        let rest = app.get(&format!("/api/v1/peer-workers?supervision_overdue=true&limit=1&cursor={cursor}")).token(&p.coordinator).send().await;
        assert_eq!(rest.ids(), [never.as_str()]);
        let fine = app.get("/api/v1/peer-workers?supervision_overdue=false").token(&p.coordinator).send().await;
        assert_eq!(fine.ids(), [recruit]);
        // The outsider sees nobody overdue.
        let outside = app.get("/api/v1/peer-workers?supervision_overdue=true").token(&p.outsider).send().await;
        assert!(outside.ids().is_empty());
    }
}

test_both! {
    async fn supervision_sessions_are_scoped_and_checked(app) {
        let p = partnership(&app).await;
        let peer = peer_worker(&app, &p, "Jonas").await;
        let other = peer_worker(&app, &p, "Other").await;
        let supervisor = app.user("supervisor", "professional", &p.vejle).await;
        let session = app.post("/api/v1/supervision-sessions").token(&p.coordinator).json(json!({
            "date": "2026-01-10",
            "supervisor_peer_worker_id": other,
            "format": "group",
            "peer_worker_ids": [peer]
        })).await;
        session.assert_status(201);
        let id = session.id();
        // A professional of a partner sees no supervision of peer workers.
        app.get(&format!("/api/v1/supervision-sessions/{id}")).token(&p.kolding_user).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/supervision-sessions/{id}")).token(&p.outsider).send().await
            .assert_problem(404, "not_found");
        let listed = app.get("/api/v1/supervision-sessions").token(&p.outsider).send().await;
        assert!(listed.ids().is_empty());
        let ours = app.get(&format!("/api/v1/supervision-sessions?peer_worker_id={peer}&date_from=2026-01-01")).token(&p.coordinator).send().await;
        assert_eq!(ours.ids(), [id.as_str()]);

        let bad = app.post("/api/v1/supervision-sessions").token(&p.outsider).json(json!({
            "date": "2026-01-10",
            "supervisor_user_id": supervisor,
            "format": "circle",
            "peer_worker_ids": [peer]
        })).await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["format"]);
        let unseen = app.post("/api/v1/supervision-sessions").token(&p.outsider).json(json!({
            "date": "2026-01-10",
            "supervisor_user_id": supervisor,
            "format": "group",
            "peer_worker_ids": [peer]
        })).await;
        unseen.assert_problem(422, "validation");
        assert_eq!(unseen.error_fields(), ["peer_worker_ids.0", "supervisor_user_id"]);
        let changed = app.patch(&format!("/api/v1/supervision-sessions/{id}")).token(&p.coordinator).if_match(1)
            .merge_patch(json!({"topic": "Self-care"})).await;
        changed.assert_status(200);
        assert_eq!(changed.body["topic"], "Self-care");
        app.patch(&format!("/api/v1/supervision-sessions/{id}")).token(&p.coordinator).if_match(1)
            .merge_patch(json!({"topic": "Stale"})).await
            .assert_problem(412, "version_mismatch");
    }
}

test_both! {
    async fn every_new_endpoint_is_in_the_contract_with_examples_and_errors(app) {
        let doc = app.get("/api/v1/openapi.json").send().await;
        doc.assert_status(200);
        let paths = &doc.body["paths"];
        for (path, methods) in [
            ("/api/v1/programmes", vec!["get", "post"]),
            ("/api/v1/programmes/{id}", vec!["get", "patch"]),
            ("/api/v1/programmes/{id}/transitions", vec!["post"]),
            ("/api/v1/programmes/{id}/partners", vec!["get", "post"]),
            ("/api/v1/programmes/{id}/partners/{partner_id}", vec!["patch"]),
            ("/api/v1/programmes/{id}/targets", vec!["get", "post"]),
            ("/api/v1/programmes/{id}/targets/{target_id}", vec!["patch"]),
            ("/api/v1/peer-workers", vec!["get", "post"]),
            ("/api/v1/peer-workers/{id}", vec!["get", "patch"]),
            ("/api/v1/peer-workers/{id}/transitions", vec!["post"]),
            ("/api/v1/peer-workers/{id}/qualifications", vec!["get", "post"]),
            ("/api/v1/training-cohorts", vec!["get", "post"]),
            ("/api/v1/training-cohorts/{id}", vec!["get", "patch"]),
            ("/api/v1/training-cohorts/{id}/trainers", vec!["get", "post"]),
            ("/api/v1/training-cohorts/{id}/enrolments", vec!["get", "post"]),
            ("/api/v1/training-cohorts/{id}/enrolments/{enrolment_id}", vec!["patch"]),
            ("/api/v1/supervision-sessions", vec!["get", "post"]),
            ("/api/v1/supervision-sessions/{id}", vec!["get", "patch"]),
        ] {
            for method in methods {
                let operation = &paths[path][method];
                assert!(operation.is_object(), "{method} {path} missing");
                let responses = &operation["responses"];
                for status in ["401", "500"] {
                    assert!(responses[status].is_object(), "{method} {path} lacks {status}");
                }
                if method != "get" {
                    assert!(responses["422"].is_object(), "{method} {path} lacks 422");
                }
                if path.contains('{') {
                    assert!(responses["404"].is_object(), "{method} {path} lacks 404");
                }
            }
        }
        let conflict = &paths["/api/v1/programmes/{id}/transitions"]["post"]["responses"]["409"];
        assert!(conflict.to_string().contains("invalid_transition"));
        let trainer = &paths["/api/v1/training-cohorts/{id}/trainers"]["post"]["responses"]["409"];
        assert!(trainer.to_string().contains("qualification_missing"));
        let schemas = &doc.body["components"]["schemas"];
        for schema in ["Programme", "ProgrammeInput", "Partner", "Target", "PeerWorker", "PeerWorkerInput",
            "Qualification", "TrainingCohort", "Trainer", "Enrolment", "SupervisionSession", "SupervisionInput"] {
            assert!(schemas[schema]["example"].is_object(), "{schema} has no example");
        }
    }
}

//! Advisory processes: the workflow with its history, findings, who sees what, and the
//! programme's experience summary.

use crate::programmes::{Partnership, partnership};
use brobygger_tests::{TestApp, test_both};
use serde_json::json;

pub async fn advisory_process(app: &TestApp, p: &Partnership, code: &str) -> String {
    let created = app
        .post("/api/v1/advisory-processes")
        .token(&p.coordinator)
        .json(json!({
            "programme_id": p.programme_id,
            "municipality_code": code,
            "advising_organisation_id": p.vejle,
            "start_date": "2021-02-01",
            "end_date": "2021-12-31"
        }))
        .await;
    created.assert_status(201);
    created.id()
}

pub async fn finding(
    app: &TestApp,
    token: &str,
    process: &str,
    kind: &str,
    theme: &str,
    text: &str,
) {
    app.post(&format!("/api/v1/advisory-processes/{process}/findings"))
        .token(token)
        .json(json!({"kind": kind, "theme": theme, "text": text}))
        .await
        .assert_status(201);
}

test_both! {
    async fn an_advisory_process_moves_planned_running_completed_with_its_history(app) {
        let p = partnership(&app).await;
        let id = advisory_process(&app, &p, "621").await;
        let path = format!("/api/v1/advisory-processes/{id}");
        let read = app.get(&path).token(&p.coordinator).send().await;
        read.assert_status(200);
        assert_eq!(read.body["status"], "planned");
        assert_eq!(read.body["municipality_code"], "621");
        assert_eq!(read.body["status_history"].as_array().map(Vec::len), Some(1));

        let skip = app.post(&format!("{path}/transitions")).token(&p.coordinator)
            .json(json!({"to": "completed"})).await;
        skip.assert_problem(409, "invalid_transition");
        assert_eq!(skip.body["allowed"], json!(["running"]));
        let running = app.post(&format!("{path}/transitions")).token(&p.coordinator)
            .json(json!({"to": "running", "reason": "Kick-off held"})).await;
        running.assert_status(200);
        assert_eq!(running.body["status"], "running");
        let done = app.post(&format!("{path}/transitions")).token(&p.coordinator)
            .json(json!({"to": "completed"})).await;
        done.assert_status(200);
        let history = done.body["status_history"].as_array().expect("history").clone();
        let statuses: Vec<&str> = history.iter().filter_map(|h| h["status"].as_str()).collect();
        assert_eq!(statuses, ["planned", "running", "completed"]);
        assert_eq!(history[1]["reason"], "Kick-off held");
        assert!(history[1]["by"].is_string());
        app.post(&format!("{path}/transitions")).token(&p.coordinator)
            .json(json!({"to": "running"})).await
            .assert_problem(409, "invalid_transition");

        // A patch needs If-Match and keeps the rules: end not before start.
        let version = done.version();
        app.patch(&path).token(&p.coordinator).merge_patch(json!({"end_date": "2022-01-31"})).await
            .assert_problem(428, "precondition_required");
        let before = app.patch(&path).token(&p.coordinator).if_match(version)
            .merge_patch(json!({"end_date": "2020-01-31"})).await;
        before.assert_problem(422, "validation");
        assert_eq!(before.error_fields(), ["end_date"]);
        let changed = app.patch(&path).token(&p.coordinator).if_match(version)
            .merge_patch(json!({"end_date": "2022-01-31", "municipality_code": "630"})).await;
        changed.assert_status(200);
        assert_eq!(changed.body["end_date"], "2022-01-31");
        assert_eq!(changed.body["municipality_code"], "630");

        // Filters.
        let listed = app.get(&format!("/api/v1/advisory-processes?programme_id={}&status=completed&municipality_code=630", p.programme_id))
            .token(&p.coordinator).send().await;
        assert_eq!(listed.ids(), [id.as_str()]);
        let none = app.get("/api/v1/advisory-processes?status=planned").token(&p.coordinator).send().await;
        assert!(none.ids().is_empty());
    }
}

test_both! {
    async fn bad_input_is_422_naming_the_field_and_stores_nothing(app) {
        let p = partnership(&app).await;
        let bad = app.post("/api/v1/advisory-processes").token(&p.coordinator).json(json!({
            "programme_id": p.programme_id, "municipality_code": "999",
            "advising_organisation_id": p.vejle, "start_date": "2021-02-01", "end_date": "2021-01-01"
        })).await;
        bad.assert_problem(422, "validation");
        let mut fields = bad.error_fields();
        fields.sort();
        assert_eq!(fields, ["end_date", "municipality_code"]);

        // Another tenant's programme and organisation are unknown.
        let other = app.post("/api/v1/advisory-processes").token(&p.outsider).json(json!({
            "programme_id": p.programme_id, "municipality_code": "751",
            "advising_organisation_id": p.aarhus, "start_date": "2021-02-01"
        })).await;
        other.assert_problem(422, "validation");
        assert_eq!(other.error_fields(), ["programme_id"]);
        let foreign = app.post("/api/v1/advisory-processes").token(&p.coordinator).json(json!({
            "programme_id": p.programme_id, "municipality_code": "630",
            "advising_organisation_id": p.aarhus, "start_date": "2021-02-01"
        })).await;
        foreign.assert_problem(422, "validation");
        assert_eq!(foreign.error_fields(), ["advising_organisation_id"]);

        let id = advisory_process(&app, &p, "621").await;
        let findings = format!("/api/v1/advisory-processes/{id}/findings");
        for (body, field) in [
            (json!({"kind": "obstacle", "theme": "culture", "text": "x"}), "kind"),
            (json!({"kind": "driver", "theme": "weather", "text": "x"}), "theme"),
            (json!({"kind": "driver", "theme": "culture", "text": "x".repeat(501)}), "text"),
            (json!({"kind": "driver", "theme": "culture", "text": "  "}), "text"),
        ] {
            let refused = app.post(&findings).token(&p.coordinator).json(body).await;
            refused.assert_problem(422, "validation");
            assert_eq!(refused.error_fields(), [field]);
        }
        let listed = app.get(&findings).token(&p.coordinator).send().await;
        listed.assert_status(200);
        assert!(listed.ids().is_empty());
        finding(&app, &p.coordinator, &id, "driver", "culture", &"y".repeat(500)).await;
        let listed = app.get(&findings).token(&p.coordinator).send().await;
        assert_eq!(listed.ids().len(), 1);
        assert_eq!(listed.body["items"][0]["theme"], "culture");
    }
}

test_both! {
    async fn only_the_programme_s_coordinators_see_processes_and_evaluators_read_the_summary(app) {
        let p = partnership(&app).await;
        let id = advisory_process(&app, &p, "621").await;
        finding(&app, &p.coordinator, &id, "barrier", "financing", "No money after the grant").await;
        let path = format!("/api/v1/advisory-processes/{id}");
        let (_, evaluator) = app.user_with_token("evaluator", "evaluator", &p.kolding).await;
        let (_, peer) = app.user_with_token("peer", "peer_worker", &p.vejle).await;
        let (_, kolding_coordinator) = app.user_with_token("kcoord", "coordinator", &p.kolding).await;
        let (_, outside_evaluator) = app.user_with_token("oeval", "evaluator", &p.aarhus).await;

        app.get(&path).token(&kolding_coordinator).send().await.assert_status(200);
        app.get(&path).token(&app.admin_token).send().await.assert_status(200);
        for token in [&evaluator, &peer, &p.kolding_user, &p.outsider] {
            app.get(&path).token(token).send().await.assert_status(404);
            app.get(&format!("{path}/findings")).token(token).send().await.assert_status(404);
            app.post(&format!("{path}/findings")).token(token)
                .json(json!({"kind": "driver", "theme": "other", "text": "x"})).await
                .assert_status(404);
            app.post(&format!("{path}/transitions")).token(token)
                .json(json!({"to": "running"})).await
                .assert_status(404);
            let listed = app.get("/api/v1/advisory-processes").token(token).send().await;
            assert!(listed.lists_nothing(), "{listed:?}");
        }

        let summary = format!("/api/v1/programmes/{}/experience-summary", p.programme_id);
        for token in [&evaluator, &p.coordinator, &kolding_coordinator, &app.admin_token] {
            let read = app.get(&summary).token(token).send().await;
            read.assert_status(200);
            assert_eq!(read.body["themes"][0]["theme"], "financing");
        }
        for token in [&peer, &p.kolding_user, &p.outsider, &outside_evaluator] {
            app.get(&summary).token(token).send().await.assert_status(404);
        }
        let random = format!("/api/v1/programmes/{}/experience-summary", uuid::Uuid::now_v7());
        app.get(&random).token(&app.admin_token).send().await.assert_status(404);
    }
}

test_both! {
    async fn the_summary_groups_by_theme_and_counts_distinct_municipalities(app) {
        let p = partnership(&app).await;
        let kolding = advisory_process(&app, &p, "621").await;
        let vejle = advisory_process(&app, &p, "630").await;
        let again = advisory_process(&app, &p, "621").await;
        let _silent = advisory_process(&app, &p, "751").await;
        let c = &p.coordinator;
        finding(&app, c, &kolding, "driver", "leadership", "A committed director").await;
        finding(&app, c, &vejle, "barrier", "leadership", "Managers changed twice").await;
        finding(&app, c, &again, "driver", "leadership", "Clear mandate").await;
        finding(&app, c, &again, "barrier", "financing", "No budget after 2022").await;

        let summary = app.get(&format!("/api/v1/programmes/{}/experience-summary", p.programme_id))
            .token(c).send().await;
        summary.assert_status(200);
        let body = &summary.body;
        assert_eq!(body["advisory_processes"], 3);
        assert_eq!(body["municipalities"], 2);
        let themes = body["themes"].as_array().expect("themes");
        assert_eq!(themes.len(), 2);
        assert_eq!(themes[0]["theme"], "leadership");
        assert_eq!(themes[0]["municipalities"], 2);
        assert_eq!(themes[0]["drivers"], json!([
            {"municipality_code": "621", "municipality_name": "Kolding", "text": "A committed director"},
            {"municipality_code": "621", "municipality_name": "Kolding", "text": "Clear mandate"}
        ]));
        assert_eq!(themes[0]["barriers"], json!([
            {"municipality_code": "630", "municipality_name": "Vejle", "text": "Managers changed twice"}
        ]));
        assert_eq!(themes[1]["theme"], "financing");
        assert_eq!(themes[1]["municipalities"], 1);
        assert_eq!(themes[1]["drivers"], json!([]));
    }
}

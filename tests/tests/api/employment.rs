//! Employment statuses and retention checks: job starts and their follow-ups in calendar
//! months, recording once, scope, bad input, audit and the citizen's data export.

use crate::support_courses::{World, course, world};
use brobygger_tests::{Resp, TestApp, test_both};
use serde_json::{Value, json};

fn statuses_of(citizen: &str) -> String {
    format!("/api/v1/citizens/{citizen}/employment-statuses")
}

async fn record_status(app: &TestApp, token: &str, citizen: &str, body: Value) -> Resp {
    app.post(&statuses_of(citizen))
        .token(token)
        .json(body)
        .await
}

/// Records a status that must be accepted; returns the ids of the checks it created.
async fn status(app: &TestApp, token: &str, citizen: &str, body: Value) -> Vec<String> {
    let created = record_status(app, token, citizen, body).await;
    created.assert_status(201);
    created.body["retention_check_ids"]
        .as_array()
        .expect("retention_check_ids")
        .iter()
        .map(|id| id.as_str().expect("an id").to_owned())
        .collect()
}

/// The `due_on` of the checks listed at `path`, in list order.
async fn due_dates(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let listed = app.get(path).token(token).send().await;
    listed.assert_status(200);
    listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["due_on"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn employer(app: &TestApp) -> String {
    app.organisation("Brugsen Vejle", "employer", json!({"cvr": "10000009"}))
        .await
}

async fn me(app: &TestApp, token: &str) -> String {
    let me = app.get("/api/v1/me").token(token).send().await;
    me.assert_status(200);
    me.body["user"]["id"].as_str().expect("my id").to_owned()
}

/// The audit events of employment for `citizen`, as `(action, resource_type, user_id)`.
async fn employment_events(app: &TestApp, citizen: &str) -> Vec<(String, String, String)> {
    app.audit_events_of(citizen)
        .await
        .iter()
        .filter(|e| {
            e["resource_type"] == "employment_status" || e["resource_type"] == "retention_check"
        })
        .map(|e| {
            let text = |name: &str| e[name].as_str().unwrap_or_default().to_owned();
            (text("action"), text("resource_type"), text("user_id"))
        })
        .collect()
}

test_both! {
    async fn a_job_start_creates_checks_due_3_6_and_12_calendar_months_later(app) {
        let w = world(&app).await;
        let (c, coordinator) = (w.citizen.as_str(), w.p.coordinator.as_str());
        let firm = employer(&app).await;
        assert!(status(&app, coordinator, c, json!({"effective_on": "2025-12-01", "status": "unemployed"})).await.is_empty());
        let start = app.post(&statuses_of(c)).token(coordinator).header("idempotency-key", "job-start-1")
            .json(json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "hours_per_week": 37, "employer_organisation_id": firm})).await;
        start.assert_status(201);
        assert_eq!(start.body["retention_check_ids"].as_array().map(Vec::len), Some(3));
        assert_eq!(start.body["employer_organisation_id"], firm.as_str());
        let location = start.header("location").expect("Location").to_owned();
        assert_eq!(app.get(&location).token(coordinator).send().await.assert_status(200).body["id"], start.body["id"]);
        // A retry with the same key creates nothing more.
        let again = app.post(&statuses_of(c)).token(coordinator).header("idempotency-key", "job-start-1")
            .json(json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "hours_per_week": 37, "employer_organisation_id": firm})).await;
        again.assert_status(201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body["id"], start.body["id"]);

        let mine = format!("/api/v1/retention-checks?citizen_id={c}");
        assert_eq!(due_dates(&app, coordinator, &mine).await, ["2026-04-30", "2026-07-31", "2027-01-31"]);
        let listed = app.get(&mine).token(coordinator).send().await;
        let months: Vec<_> = listed.body["items"].as_array().expect("items").iter().map(|c| c["months_after"].as_i64().unwrap_or_default()).collect();
        assert_eq!(months, [3, 6, 12]);
        assert!(listed.body["items"].as_array().expect("items").iter().all(|c| c["outcome"].is_null() && c["employment_status_id"] == start.body["id"]));
        // `due_before` is strictly before the day.
        for (before, expected) in [("2026-04-30", &[][..]), ("2026-05-01", &["2026-04-30"][..]),
            ("2026-07-31", &["2026-04-30"][..]), ("2026-08-01", &["2026-04-30", "2026-07-31"][..]),
            ("2027-02-01", &["2026-04-30", "2026-07-31", "2027-01-31"][..])] {
            assert_eq!(due_dates(&app, coordinator, &format!("{mine}&due_before={before}")).await, expected, "due before {before}");
        }

        // A change of employed status while employed is no new job start.
        assert!(status(&app, coordinator, c, json!({"effective_on": "2026-03-01", "status": "employed_flexjob", "hours_per_week": 15})).await.is_empty());
        assert!(status(&app, coordinator, c, json!({"effective_on": "2026-06-01", "status": "unemployed"})).await.is_empty());
        assert_eq!(due_dates(&app, coordinator, &mine).await.len(), 3);
        // Back into employment after unemployment: a new job start with its own checks.
        let second = status(&app, coordinator, c, json!({"effective_on": "2026-09-15", "status": "employed_subsidised"})).await;
        assert_eq!(second.len(), 3);
        assert_eq!(due_dates(&app, coordinator, &mine).await, ["2026-04-30", "2026-07-31", "2027-01-31", "2026-12-15", "2027-03-15", "2027-09-15"]);

        // The timeline, by effective date; each check shows the status on its due date.
        let timeline = app.get(&statuses_of(c)).token(coordinator).send().await;
        timeline.assert_status(200);
        let entries: Vec<_> = timeline.body["items"].as_array().expect("items").iter()
            .map(|s| (s["effective_on"].as_str().unwrap_or_default().to_owned(), s["status"].as_str().unwrap_or_default().to_owned())).collect();
        assert_eq!(entries, [
            ("2025-12-01".to_owned(), "unemployed".to_owned()), ("2026-01-31".to_owned(), "employed_ordinary".to_owned()),
            ("2026-03-01".to_owned(), "employed_flexjob".to_owned()), ("2026-06-01".to_owned(), "unemployed".to_owned()),
            ("2026-09-15".to_owned(), "employed_subsidised".to_owned()),
        ]);
        let first_checks: Vec<String> = start.body["retention_check_ids"].as_array().expect("ids").iter().map(|i| i.as_str().unwrap_or_default().to_owned()).collect();
        let shown: Vec<_> = [0, 1, 2].iter().map(|i| first_checks[*i].clone()).collect();
        let mut on_due = Vec::new();
        for id in &shown {
            let check = app.get(&format!("/api/v1/retention-checks/{id}")).token(coordinator).send().await;
            check.assert_status(200);
            assert_eq!(check.header("etag"), Some("\"1\""));
            on_due.push(check.body["status_on_due_date"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(on_due, ["employed_flexjob", "unemployed", "employed_subsidised"]);
    }
}

test_both! {
    async fn a_check_is_recorded_once_with_if_match(app) {
        let w = world(&app).await;
        let (c, coordinator) = (w.citizen.as_str(), w.p.coordinator.as_str());
        let checks = status(&app, coordinator, c, json!({"effective_on": "2026-01-31", "status": "employed_ordinary"})).await;
        let path = |i: usize| format!("/api/v1/retention-checks/{}", checks[i]);
        let body = json!({"outcome": "retained", "recorded_on": "2026-05-04"});
        app.patch(&path(0)).token(coordinator).merge_patch(body.clone()).await.assert_problem(428, "precondition_required");
        app.patch(&path(0)).token(coordinator).if_match(7).merge_patch(body.clone()).await.assert_problem(412, "version_mismatch");
        for (bad, field) in [(json!({"recorded_on": "2026-05-04"}), "outcome"), (json!({"outcome": "employed"}), "outcome"),
            (json!({"outcome": "retained", "recorded_on": "2999-01-01"}), "recorded_on"),
            (json!({"outcome": "retained", "recorded_on": "2026-01-30"}), "recorded_on"),
            (json!({"outcome": "retained", "due_on": "2026-05-01"}), "due_on")] {
            let refused = app.patch(&path(0)).token(coordinator).if_match(1).merge_patch(bad).await;
            refused.assert_problem(422, "validation");
            assert_eq!(refused.error_fields(), [field]);
        }
        let recorded = app.patch(&path(0)).token(coordinator).if_match(1).merge_patch(body.clone()).await;
        recorded.assert_status(200);
        assert_eq!(recorded.header("etag"), Some("\"2\""));
        assert_eq!(recorded.body["outcome"], "retained");
        assert_eq!(recorded.body["recorded_on"], "2026-05-04");
        assert_eq!(recorded.body["recorded_by"], me(&app, coordinator).await.as_str());
        // Twice is a conflict, whatever the version sent.
        for version in [1, 2] {
            app.patch(&path(0)).token(coordinator).if_match(version).merge_patch(json!({"outcome": "not_retained"})).await
                .assert_problem(409, "conflict");
        }
        let read = app.get(&path(0)).token(coordinator).send().await;
        assert_eq!((read.body["outcome"].as_str(), read.version()), (Some("retained"), 2));
        // The status filter: pending or an outcome.
        let listed = |filter: &str| format!("/api/v1/retention-checks?status={filter}");
        assert_eq!(app.get(&listed("retained")).token(coordinator).send().await.ids(), [checks[0].as_str()]);
        assert_eq!(app.get(&listed("pending")).token(coordinator).send().await.ids(), [checks[1].as_str(), checks[2].as_str()]);
        assert!(app.get(&listed("unknown")).token(coordinator).send().await.ids().is_empty());
        app.get(&listed("done")).token(coordinator).send().await.assert_problem(422, "validation");
        app.get("/api/v1/retention-checks?due_before=soon").token(coordinator).send().await.assert_problem(422, "validation");
        // The guiding peer worker records too; recorded_on defaults to today.
        course(&app, &w, c, "employment_support", Some(&w.guide)).await;
        let by_guide = app.patch(&path(1)).token(&w.guide_token).if_match(1).merge_patch(json!({"outcome": "unknown"})).await;
        by_guide.assert_status(200);
        assert_eq!(by_guide.body["recorded_on"], app.clock.now_naive().date().to_string());
        // `updated_since` lists what changed since.
        let since = app.get(&format!("/api/v1/retention-checks?updated_since={}", recorded.body["updated_at"].as_str().unwrap_or_default()))
            .token(coordinator).send().await;
        assert_eq!(since.ids(), [checks[0].as_str(), checks[1].as_str()]);
    }
}

test_both! {
    async fn bad_input_is_refused_and_nothing_is_stored(app) {
        let w = world(&app).await;
        let (c, coordinator) = (w.citizen.as_str(), w.p.coordinator.as_str());
        let firm = employer(&app).await;
        let malformed = app.post(&statuses_of(c)).token(coordinator).raw("application/json", "{\"effective_on\": \"2026-01-31\",").await;
        malformed.assert_problem(400, "malformed_body");
        let wrong = record_status(&app, coordinator, c, json!({"effective_on": 20260131, "status": "employed", "hours_per_week": "37"})).await;
        wrong.assert_problem(422, "validation");
        assert_eq!(wrong.error_fields(), ["effective_on", "hours_per_week", "status"]);
        let missing = record_status(&app, coordinator, c, json!({"hours_per_week": 37, "id": "0193a5da-0000-7000-8000-000000000001"})).await;
        missing.assert_problem(422, "validation");
        assert_eq!(missing.error_fields(), ["effective_on", "id", "status"]);
        for hours in [-1, 81] {
            let refused = record_status(&app, coordinator, c, json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "hours_per_week": hours})).await;
            refused.assert_problem(422, "validation");
            assert_eq!(refused.error_fields(), ["hours_per_week"]);
        }
        for (named, code) in [("00000000-0000-7000-8000-000000000000", "unknown"), (w.p.kolding.as_str(), "not_employer")] {
            let refused = record_status(&app, coordinator, c, json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "employer_organisation_id": named})).await;
            refused.assert_problem(422, "validation");
            assert_eq!(refused.error_fields(), ["employer_organisation_id"]);
            assert_eq!(refused.body["errors"][0]["code"], code);
        }
        let timeline = app.get(&statuses_of(c)).token(coordinator).send().await;
        assert!(timeline.ids().is_empty(), "nothing stored: {}", timeline.text);
        assert!(app.get("/api/v1/retention-checks").token(coordinator).send().await.ids().is_empty());
        // The timeline grows forward: a day already on it, or before its latest, is refused.
        status(&app, coordinator, c, json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "employer_organisation_id": firm})).await;
        for day in ["2026-01-31", "2025-06-01"] {
            let refused = record_status(&app, coordinator, c, json!({"effective_on": day, "status": "unemployed"})).await;
            refused.assert_problem(422, "validation");
            assert_eq!(refused.error_fields(), ["effective_on"]);
        }
        assert_eq!(app.get(&statuses_of(c)).token(coordinator).send().await.ids().len(), 1);
        assert_eq!(app.get("/api/v1/retention-checks").token(coordinator).send().await.ids().len(), 3);
    }
}

/// A citizen of Aarhus (another tenant) with a job start, and the Aarhus coordinator's token.
async fn aarhus_citizen(app: &TestApp, w: &World) -> String {
    let created = app
        .post("/api/v1/citizens")
        .token(&w.p.outsider)
        .json(json!({"name": "Sofie Dam", "municipality_code": "751"}))
        .await;
    created.assert_status(201);
    let id = created.id();
    status(
        app,
        &w.p.outsider,
        &id,
        json!({"effective_on": "2026-02-01", "status": "employed_ordinary"}),
    )
    .await;
    id
}

test_both! {
    async fn employment_is_seen_only_by_whoever_sees_the_citizen(app) {
        let w = world(&app).await;
        let (c, coordinator) = (w.citizen.as_str(), w.p.coordinator.as_str());
        let checks = status(&app, coordinator, c, json!({"effective_on": "2026-01-31", "status": "employed_ordinary"})).await;
        let theirs = aarhus_citizen(&app, &w).await;
        let check = format!("/api/v1/retention-checks/{}", checks[0]);
        // Another tenant's coordinator, a professional and an evaluator: nothing exists.
        let (_, professional) = app.user_with_token("prof.vejle", "professional", &w.p.vejle).await;
        let (_, evaluator) = app.user_with_token("eval.vejle", "evaluator", &w.p.vejle).await;
        for token in [w.p.outsider.as_str(), w.p.kolding_user.as_str(), professional.as_str(), evaluator.as_str()] {
            app.get(&statuses_of(c)).token(token).send().await.assert_problem(404, "not_found");
            app.get(&check).token(token).send().await.assert_problem(404, "not_found");
            record_status(&app, token, c, json!({"effective_on": "2026-06-01", "status": "unemployed"})).await.assert_problem(404, "not_found");
            app.patch(&check).token(token).if_match(1).merge_patch(json!({"outcome": "retained"})).await.assert_problem(404, "not_found");
        }
        for token in [professional.as_str(), evaluator.as_str(), w.p.kolding_user.as_str()] {
            assert!(app.get("/api/v1/retention-checks").token(token).send().await.lists_nothing());
        }
        let outsiders = app.get("/api/v1/retention-checks").token(&w.p.outsider).send().await;
        assert!(outsiders.body["items"].as_array().expect("items").iter().all(|i| i["citizen_id"] == theirs.as_str()));
        assert_eq!(outsiders.ids().len(), 3);
        // Vejle sees its own, not Aarhus's.
        let ours = app.get("/api/v1/retention-checks?limit=200").token(coordinator).send().await;
        assert_eq!(ours.ids().len(), 3);
        assert!(ours.body["items"].as_array().expect("items").iter().all(|i| i["citizen_id"] == c));
        app.get(&statuses_of(&theirs)).token(coordinator).send().await.assert_problem(404, "not_found");
        // The peer worker sees a citizen's employment once it guides one of its courses.
        app.get(&statuses_of(c)).token(&w.guide_token).send().await.assert_problem(404, "not_found");
        assert!(app.get("/api/v1/retention-checks").token(&w.guide_token).send().await.ids().is_empty());
        course(&app, &w, c, "employment_support", Some(&w.guide)).await;
        assert_eq!(app.get("/api/v1/retention-checks").token(&w.guide_token).send().await.ids().len(), 3);
        status(&app, &w.guide_token, c, json!({"effective_on": "2026-06-01", "status": "sick_leave_from_job"})).await;
        // A coordinator of a partner municipality sees it through the course in the programme.
        let kolding = app.user_with_token("coord.kolding", "coordinator", &w.p.kolding).await.1;
        assert_eq!(app.get(&statuses_of(c)).token(&kolding).send().await.ids().len(), 2);
        assert_eq!(app.get("/api/v1/retention-checks").token(&kolding).send().await.ids().len(), 3);
        // Paging by cursor covers every check once.
        let first = app.get("/api/v1/retention-checks?limit=2").token(coordinator).send().await;
        assert_eq!(first.ids().len(), 2);
        let cursor = first.body["next_cursor"].as_str().expect("a next page").to_owned();
        let rest = app.get(&format!("/api/v1/retention-checks?limit=2&cursor={cursor}")).token(coordinator).send().await;
        assert_eq!(rest.ids(), [checks[2].as_str()]);
        assert!(rest.body["next_cursor"].is_null());
    }
}

test_both! {
    async fn every_read_and_write_is_audited_once_and_exported(app) {
        let w = world(&app).await;
        let (c, coordinator) = (w.citizen.as_str(), w.p.coordinator.as_str());
        let coordinator_id = me(&app, coordinator).await;
        course(&app, &w, c, "employment_support", Some(&w.guide)).await;
        let guide_id = me(&app, &w.guide_token).await;
        let created = record_status(&app, coordinator, c, json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "hours_per_week": 30})).await;
        created.assert_status(201);
        let checks: Vec<String> = created.body["retention_check_ids"].as_array().expect("ids").iter().map(|i| i.as_str().unwrap_or_default().to_owned()).collect();
        app.get(&statuses_of(c)).token(&w.guide_token).send().await.assert_status(200);
        app.get(created.header("location").expect("Location")).token(coordinator).send().await.assert_status(200);
        app.get(&format!("/api/v1/retention-checks?citizen_id={c}")).token(coordinator).send().await.assert_status(200);
        app.get(&format!("/api/v1/retention-checks/{}", checks[0])).token(&w.guide_token).send().await.assert_status(200);
        app.patch(&format!("/api/v1/retention-checks/{}", checks[0])).token(&w.guide_token).if_match(1)
            .merge_patch(json!({"outcome": "not_retained", "recorded_on": "2026-05-01"})).await.assert_status(200);
        let (coordinator_id, guide_id) = (coordinator_id.as_str(), guide_id.as_str());
        let expected: Vec<(String, String, String)> = [
            ("create", "employment_status", coordinator_id),
            ("list", "employment_status", guide_id),
            ("read", "employment_status", coordinator_id),
            ("list", "retention_check", coordinator_id),
            ("list", "retention_check", coordinator_id),
            ("list", "retention_check", coordinator_id),
            ("read", "retention_check", guide_id),
            ("record", "retention_check", guide_id),
        ].iter().map(|(a, r, u)| ((*a).to_owned(), (*r).to_owned(), (*u).to_owned())).collect();
        assert_eq!(employment_events(&app, c).await, expected);
        let events = app.audit_events_of(c).await;
        let recorded = events.iter().find(|e| e["action"] == "record").expect("the recording");
        assert_eq!((recorded["resource_id"].as_str(), recorded["citizen_id"].as_str()), (Some(checks[0].as_str()), Some(c)));
        // A refused write leaves no event.
        app.patch(&format!("/api/v1/retention-checks/{}", checks[0])).token(coordinator).if_match(2)
            .merge_patch(json!({"outcome": "retained"})).await.assert_problem(409, "conflict");
        assert_eq!(employment_events(&app, c).await.len(), expected.len());

        // The data export (art. 15) holds them; anonymising keeps them, and nothing new is recorded.
        let export = app.get(&format!("/api/v1/citizens/{c}/data-export")).token(coordinator).send().await;
        export.assert_status(200);
        assert_eq!(export.body["employment_statuses"][0]["id"], created.body["id"]);
        assert_eq!(export.body["employment_statuses"][0]["hours_per_week"], 30);
        let exported: Vec<_> = export.body["retention_checks"].as_array().expect("checks").iter().map(|c| c["id"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(exported, checks);
        assert_eq!(export.body["retention_checks"][0]["outcome"], "not_retained");
        assert_eq!(employment_events(&app, c).await.len(), expected.len(), "the export is one event of its own");
        app.post(&format!("/api/v1/citizens/{c}/anonymise")).token(coordinator).send().await.assert_status(200);
        let kept = app.get(&statuses_of(c)).token(coordinator).send().await;
        assert_eq!(kept.ids(), [created.id()]);
        assert_eq!(app.get(&format!("/api/v1/retention-checks?citizen_id={c}")).token(coordinator).send().await.ids(), checks);
        record_status(&app, coordinator, c, json!({"effective_on": "2026-06-01", "status": "unemployed"})).await.assert_problem(409, "conflict");
        app.patch(&format!("/api/v1/retention-checks/{}", checks[1])).token(coordinator).if_match(1)
            .merge_patch(json!({"outcome": "retained"})).await.assert_problem(409, "conflict");
    }
}

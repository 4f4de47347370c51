//! Exports: what an evaluator's file never holds, pseudonyms per organisation, a coordinator's
//! file against the API's lists, the contract's column order, format negotiation, bad input
//! before any byte, the audit event, other tenants, and `brobygger export` against HTTP.

use crate::support_courses::{World, course, move_to, world};
use brobygger_api::export_cli::{ExportArgs, run_with};
use brobygger_tests::{Resp, TestApp, test_both};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const DATASETS: [&str; 9] = [
    "support_courses",
    "contacts",
    "goals",
    "referrals",
    "employment_statuses",
    "retention_checks",
    "courses",
    "enrolments",
    "attendance",
];

/// Everything personal the seeded data holds: none of it may be in an evaluator's file.
const SECRETS: [&str; 16] = [
    "Jonas Holm",
    "Mette Berg",
    "Sara Lind",
    "070761-4286",
    "0707614286",
    "010203-4005",
    "120385-1234",
    "sara@example.dk",
    "+45 20 30 40 50",
    "Coffee and a walk",
    "Talked about the flexjob",
    "begynde på højskole",
    "fleksjob på 15 timer",
    "Psykiatrisk Afdeling",
    "Six evenings",
    "Karen Dahl",
];

/// The world of the support-course tests, plus a citizen with contact details, contacts,
/// a goal, a referral, employment, and a course with an enrolment and attendance.
struct Seeded {
    w: World,
    sara: String,
    courses: Vec<String>,
    /// An evaluator of Vejle (partner of both programmes) and one of Kolding (partner of the
    /// support programme only).
    evaluator: String,
    evaluator_id: String,
    kolding_evaluator: String,
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let made = app.post(path).token(token).json(body).await;
    made.assert_status(201);
    made.id()
}

async fn seed(app: &TestApp) -> Seeded {
    let w = world(app).await;
    let coordinator = w.p.coordinator.clone();
    let sara = created(
        app,
        &coordinator,
        "/api/v1/citizens",
        json!({"name": "Sara Lind",
        "cpr": "120385-1234", "municipality_code": "630", "email": "sara@example.dk",
        "phone": "+45 20 30 40 50"}),
    )
    .await;
    let mut courses = Vec::new();
    for citizen in [&w.citizen, &sara] {
        let id = course(app, &w, citizen, "peer_guide", Some(&w.guide)).await;
        move_to(app, &coordinator, &id, "matched")
            .await
            .assert_status(200);
        move_to(app, &coordinator, &id, "active")
            .await
            .assert_status(200);
        courses.push(id);
    }
    for (course, date, summary) in [
        (&courses[0], "2026-03-02", "Coffee and a walk"),
        (&courses[0], "2026-04-10", "Talked about the flexjob"),
        (&courses[1], "2026-03-15", "Coffee and a walk, again"),
        (&courses[1], "2026-05-01", "Talked about the flexjob"),
    ] {
        created(
            app,
            &w.guide_token,
            &format!("/api/v1/support-courses/{course}/contacts"),
            json!({"date": date, "minutes": 45, "mode": "in_person", "summary": summary}),
        )
        .await;
    }
    created(
        app,
        &w.guide_token,
        &format!("/api/v1/support-courses/{}/goals", courses[0]),
        json!({"text": "Jeg vil gerne begynde på højskole", "domain": "education"}),
    )
    .await;
    let jobcentre = app
        .organisation(
            "Jobcenter Vejle",
            "jobcentre",
            json!({"municipality_code": "630"}),
        )
        .await;
    created(
        app,
        &coordinator,
        &format!("/api/v1/citizens/{}/consents", w.citizen),
        json!({"purpose": "share_with_jobcentre", "given_on": "2026-01-05", "method": "written"}),
    )
    .await;
    created(app, &w.guide_token, "/api/v1/referrals", json!({"support_course_id": courses[0],
        "target_organisation_id": jobcentre, "purpose": "Jonas vil gerne tale om et fleksjob på 15 timer om ugen",
        "requested_by_citizen": true})).await;
    created(
        app,
        &coordinator,
        &format!("/api/v1/citizens/{}/employment-statuses", w.citizen),
        json!({"effective_on": "2026-01-31", "status": "employed_ordinary", "hours_per_week": 37}),
    )
    .await;
    teaching(app, &w, &sara).await;
    let (evaluator_id, evaluator) = app
        .user_with_token("evaluator", "evaluator", &w.p.vejle)
        .await;
    let (_, kolding_evaluator) = app
        .user_with_token("kolding.evaluator", "evaluator", &w.p.kolding)
        .await;
    Seeded {
        w,
        sara,
        courses,
        evaluator,
        evaluator_id,
        kolding_evaluator,
    }
}

/// A course of the partnership's teaching programme with Sara and a relative enrolled, one
/// session held and attended.
async fn teaching(app: &TestApp, w: &World, sara: &str) {
    let coordinator = &w.p.coordinator;
    let (professional, _) = app
        .user_with_token("teacher.pro", "professional", &w.p.vejle)
        .await;
    let (teacher_user, _) = app
        .user_with_token("teacher", "peer_worker", &w.p.vejle)
        .await;
    let teacher = created(app, coordinator, "/api/v1/peer-workers", json!({"name": "Bo Larsen",
        "organisation_id": w.p.vejle, "engagement": "volunteer", "programme_ids": [w.p.programme_id],
        "municipality_codes": ["630"], "languages": ["da"], "capacity": 2, "user_id": teacher_user})).await;
    for to in ["in_training", "active"] {
        app.post(&format!("/api/v1/peer-workers/{teacher}/transitions"))
            .token(coordinator)
            .json(json!({"to": to}))
            .await
            .assert_status(200);
    }
    created(app, coordinator, &format!("/api/v1/peer-workers/{teacher}/qualifications"),
        json!({"kind": "peer_teacher", "evidence": "Recovery College Vejle", "earned_on": "2026-01-15"})).await;
    let id = created(app, coordinator, "/api/v1/courses", json!({"programme_id": w.p.programme_id,
        "title": "Recovery in everyday life", "description": "Six evenings on hope", "format": "recovery_college",
        "provider_organisation_id": w.p.vejle, "capacity": 5, "co_created_by": ["citizen", "peer"]})).await;
    for teacher in [
        json!({"user_id": professional}),
        json!({"peer_worker_id": teacher}),
    ] {
        created(
            app,
            coordinator,
            &format!("/api/v1/courses/{id}/teachers"),
            teacher,
        )
        .await;
    }
    app.post(&format!("/api/v1/courses/{id}/transitions"))
        .token(coordinator)
        .json(json!({"to": "open_for_enrolment"}))
        .await
        .assert_status(200);
    created(
        app,
        coordinator,
        &format!("/api/v1/citizens/{sara}/consents"),
        json!({"purpose": "data_processing", "given_on": "2026-01-05", "method": "written"}),
    )
    .await;
    let enrolment = created(
        app,
        coordinator,
        &format!("/api/v1/courses/{id}/enrolments"),
        json!({"citizen_id": sara}),
    )
    .await;
    created(
        app,
        coordinator,
        &format!("/api/v1/courses/{id}/enrolments"),
        json!({"participant_name": "Karen Dahl", "participant_type": "relative"}),
    )
    .await;
    let session = created(
        app,
        coordinator,
        &format!("/api/v1/courses/{id}/sessions"),
        json!({"starts_at": "2026-02-05T17:00:00Z", "ends_at": "2026-02-05T19:00:00Z"}),
    )
    .await;
    app.request(
        "PUT",
        &format!("/api/v1/courses/{id}/sessions/{session}/attendance"),
    )
    .token(coordinator)
    .json(json!({"items": [{"enrolment_id": enrolment, "status": "present"}]}))
    .await
    .assert_status(200);
}

async fn export(app: &TestApp, token: &str, query: &str) -> Resp {
    app.get(&format!("/api/v1/exports/{query}"))
        .token(token)
        .send()
        .await
}

/// The lines of an NDJSON export.
fn lines(resp: &Resp) -> Vec<Value> {
    resp.assert_status(200);
    resp.text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The contract's columns of a dataset's row schema in file order (its description lists
/// them; JSON objects have no order), identified then pseudonymised.
async fn contract_columns(app: &TestApp, dataset: &str) -> (Vec<String>, Vec<String>) {
    let contract = app.get("/api/v1/openapi.json").send().await;
    let camel: String = dataset
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    let schema = &contract.body["components"]["schemas"][format!("Export{camel}Row")];
    let properties = schema["properties"].as_object().expect("properties");
    let description = schema["description"].as_str().expect("a description");
    let list = |after: &str| -> Vec<String> {
        let start = description.find(after).expect("a column list") + after.len();
        let text = &description[start..];
        let end = text.find('.').expect("the list's end");
        text[..end].split(", ").map(str::to_owned).collect()
    };
    let identified = list("coordinators): ");
    let pseudonymised = list("integrations): ");
    for column in identified.iter().chain(&pseudonymised) {
        assert!(
            properties.contains_key(column),
            "{dataset}.{column} has no schema"
        );
    }
    (identified, pseudonymised)
}

test_both! {
    async fn an_evaluators_export_holds_nothing_personal_and_pseudonyms_are_per_organisation(app) {
        let s = seed(&app).await;
        for dataset in DATASETS {
            for format in ["csv", "ndjson"] {
                let file = export(&app, &s.evaluator, &format!("{dataset}?format={format}")).await;
                file.assert_status(200);
                assert!(file.text.lines().count() > usize::from(format == "csv"), "{dataset} is empty: {}", file.text);
                for secret in SECRETS {
                    assert!(!file.text.contains(secret), "{dataset}.{format} holds {secret:?}: {}", file.text);
                }
                for id in [&s.w.citizen, &s.w.other_citizen, &s.sara] {
                    assert!(!file.text.contains(id.as_str()), "{dataset}.{format} holds a citizen id");
                }
                assert_eq!(file.header("cache-control"), Some("no-store"));
            }
        }
        // Stable across exports for one organisation, different for another.
        let pseudonyms = |rows: &[Value]| -> BTreeMap<String, String> {
            rows.iter().map(|r| (r["id"].as_str().unwrap_or_default().to_owned(),
                r["citizen_pseudonym"].as_str().unwrap_or_default().to_owned())).collect()
        };
        let first = pseudonyms(&lines(&export(&app, &s.evaluator, "contacts?format=ndjson").await));
        let again = pseudonyms(&lines(&export(&app, &s.evaluator, "contacts?format=ndjson").await));
        let kolding = pseudonyms(&lines(&export(&app, &s.kolding_evaluator, "contacts?format=ndjson").await));
        assert_eq!(first.len(), 4);
        assert_eq!(first, again);
        assert_eq!(first.keys().collect::<Vec<_>>(), kolding.keys().collect::<Vec<_>>());
        for (id, pseudonym) in &first {
            assert_eq!(pseudonym.len(), 32);
            assert_ne!(Some(pseudonym), kolding.get(id), "one pseudonym for two organisations");
        }
        let citizens: std::collections::BTreeSet<_> = first.values().collect();
        assert_eq!(citizens.len(), 2, "one pseudonym per citizen");
    }
}

test_both! {
    async fn a_coordinators_contacts_equal_the_apis_lists_for_the_period(app) {
        let s = seed(&app).await;
        let coordinator = &s.w.p.coordinator;
        let exported = lines(&export(&app, coordinator, "contacts?format=ndjson&from=2026-03-01&to=2026-04-30").await);
        let mut listed = Vec::new();
        for course in &s.courses {
            let list = app.get(&format!("/api/v1/support-courses/{course}/contacts")).token(coordinator).send().await;
            list.assert_status(200);
            listed.extend(list.body["items"].as_array().expect("items").iter()
                .filter(|c| c["date"].as_str().is_some_and(|d| ("2026-03-01"..="2026-04-30").contains(&d))).cloned());
        }
        listed.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        assert_eq!(exported.len(), 3);
        assert_eq!(exported.len(), listed.len());
        for (row, item) in exported.iter().zip(&listed) {
            for field in ["id", "support_course_id", "date", "minutes", "mode", "summary", "peer_worker_id", "created_at", "updated_at"] {
                assert_eq!(row[field], item[field], "{field}");
            }
            assert!(row["citizen_id"] == s.w.citizen.as_str() || row["citizen_id"] == s.sara.as_str());
            assert_eq!(row["programme_id"], s.w.programme.as_str());
        }
        // Citizen ids and free text for the coordinator, never CPR.
        let all = export(&app, coordinator, "support_courses?format=csv").await;
        assert!(all.text.contains(&s.sara) && all.text.contains("Psykiatrisk Afdeling"));
        for cpr in ["070761-4286", "0707614286", "120385-1234", "1203851234"] {
            assert!(!all.text.contains(cpr));
        }
    }
}

test_both! {
    async fn columns_follow_the_contract_formats_negotiate_and_bad_input_is_refused_first(app) {
        let s = seed(&app).await;
        for dataset in DATASETS {
            let file = export(&app, &s.w.p.coordinator, &format!("{dataset}?format=csv")).await;
            file.assert_status(200);
            assert_eq!(file.header("content-type"), Some("text/csv; charset=utf-8"));
            let header: Vec<String> = file.text.lines().next().expect("a header").split(',').map(str::to_owned).collect();
            let (identified, pseudonymised) = contract_columns(&app, dataset).await;
            assert_eq!(header, identified, "{dataset}");
            let evaluators = export(&app, &s.evaluator, &format!("{dataset}?format=csv")).await;
            let header: Vec<&str> = evaluators.text.lines().next().expect("a header").split(',').collect();
            assert_eq!(header, pseudonymised, "{dataset}");
        }
        // `Accept` chooses the format when the query does not.
        let ndjson = app.get("/api/v1/exports/goals").token(&s.evaluator).header("accept", "application/x-ndjson").send().await;
        assert_eq!(ndjson.header("content-type"), Some("application/x-ndjson"));
        assert_eq!(lines(&ndjson)[0]["status"], "open");
        let csv = app.get("/api/v1/exports/goals").token(&s.evaluator).header("accept", "text/csv").send().await;
        assert!(csv.text.starts_with("id,support_course_id,citizen_pseudonym"));
        // Bad input: a 422 problem, nothing streamed.
        let refused = export(&app, &s.evaluator, "citizens?format=xml&from=2026-05-01&to=2026-04-01").await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["dataset", "format", "to"]);
        assert_eq!(refused.header("content-type"), Some("application/problem+json"));
        let refused = export(&app, &s.evaluator, "contacts?from=yesterday&programme_id=7&updated_since=soon").await;
        assert_eq!(refused.error_fields(), ["from", "programme_id", "updated_since"]);
        // Another tenant's programme is an unknown reference; the roles without exports: 403.
        let (_, aarhus_evaluator) = app.user_with_token("aarhus.evaluator", "evaluator", &s.w.p.aarhus).await;
        let other = export(&app, &aarhus_evaluator, &format!("contacts?programme_id={}", s.w.programme)).await;
        other.assert_problem(422, "validation");
        assert_eq!(other.error_fields(), ["programme_id"]);
        assert!(lines(&export(&app, &aarhus_evaluator, "contacts?format=ndjson").await).is_empty());
        export(&app, &s.w.guide_token, "contacts").await.assert_problem(403, "forbidden");
        // Filters: a programme, an update instant.
        let teaching = lines(&export(&app, &s.evaluator, &format!("contacts?format=ndjson&programme_id={}", s.w.p.programme_id)).await);
        assert!(teaching.is_empty());
        assert_eq!(lines(&export(&app, &s.evaluator, "contacts?format=ndjson&updated_since=2999-01-01T00:00:00Z").await).len(), 0);
        // One audit event per export, with its filters and row count.
        lines(&export(&app, &s.evaluator, "contacts?format=ndjson&from=2026-03-01").await);
        let audit = app.get(&format!("/api/v1/audit-events?user_id={}&limit=200", s.evaluator_id)).token(&app.admin_token).send().await;
        audit.assert_status(200);
        let exports: Vec<&Value> = audit.body["items"].as_array().expect("items").iter().filter(|e| e["action"] == "export").collect();
        let last = exports.last().expect("an export event");
        assert_eq!(last["resource_type"], "contacts");
        assert_eq!(last["detail"], "dataset=contacts format=ndjson from=2026-03-01 rows=4 complete");
        assert!(exports.iter().all(|e| e["citizen_id"].is_null()));
    }
}

/// The command's settings: on SQLite, the key file beside the database, as the server's.
fn command_settings(app: &TestApp) -> brobygger_api::Settings {
    let mut settings = app.job_settings();
    if !app.is_postgres() {
        settings.encryption_key = None;
    }
    settings
}

test_both! {
    async fn the_command_writes_the_same_file_as_the_endpoint(app) {
        let s = seed(&app).await;
        let dir = tempfile::tempdir().expect("a folder");
        let out = dir.path().join("contacts.csv");
        let args = ExportArgs {
            dataset: "contacts".into(), format: "csv".into(), from: None, to: None, programme_id: None,
            updated_since: None, as_organisation: s.w.p.vejle.clone(), role: "evaluator".into(), out: out.clone(),
        };
        let settings = command_settings(&app);
        let summary = actix_web::rt::task::spawn_blocking(move || run_with(&settings, &args))
            .await.expect("the command").expect("an export");
        assert!(summary.starts_with("exported 4 rows of contacts"), "{summary}");
        let http = export(&app, &s.evaluator, "contacts?format=csv").await;
        assert_eq!(std::fs::read_to_string(&out).expect("the file"), http.text);
        assert_eq!(std::fs::read_dir(dir.path()).expect("the folder").count(), 1, "no partial file left");
        // Bad input: no file at all.
        let bad = ExportArgs {
            dataset: "contacts".into(), format: "xml".into(), from: None, to: None, programme_id: None,
            updated_since: None, as_organisation: s.w.p.vejle.clone(), role: "evaluator".into(),
            out: dir.path().join("bad.csv"),
        };
        let settings = command_settings(&app);
        assert!(actix_web::rt::task::spawn_blocking(move || run_with(&settings, &bad)).await.expect("the command").is_err());
        assert!(!dir.path().join("bad.csv").exists());
    }
}

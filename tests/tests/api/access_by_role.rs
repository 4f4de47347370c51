//! Who sees a citizen's data, role by role: for every citizen-bearing resource (citizen,
//! consents, data export, lookup, support course, its goals, contacts and candidates,
//! employment statuses and retention checks), a user of each role outside the citizen's scope
//! gets `404` on reads and never finds the citizen in a list, while the users inside the scope
//! do. The decisions are `access`'s.

use crate::support_courses::{World, course, move_to, world};
use brobygger_tests::{PASSWORD, TestApp, test_both};
use serde_json::{Value, json};

/// The citizen's resources, as `(path, kind)`: `Read` answers 404 outside the scope, `List`
/// answers 200 without the citizen.
enum Probe {
    Read(String),
    List(String),
    Lookup,
}

struct Seeded {
    w: World,
    course: String,
    /// A retention check of the citizen's job start.
    check: String,
    probes: Vec<Probe>,
}

async fn seeded(app: &TestApp) -> Seeded {
    let w = world(app).await;
    let course = course(app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
    for to in ["matched", "active"] {
        move_to(app, &w.p.coordinator, &course, to)
            .await
            .assert_status(200);
    }
    app.post(&format!("/api/v1/support-courses/{course}/goals"))
        .token(&w.guide_token)
        .json(json!({"text": "Back to my studies", "domain": "education"}))
        .await
        .assert_status(201);
    app.post(&format!("/api/v1/support-courses/{course}/contacts"))
        .token(&w.guide_token)
        .json(json!({"date": "2026-01-10", "minutes": 60, "mode": "in_person"}))
        .await
        .assert_status(201);
    app.post(&format!("/api/v1/citizens/{}/consents", w.citizen))
        .token(&w.p.coordinator)
        .json(json!({"purpose": "data_processing", "given_on": "2026-01-05", "method": "written"}))
        .await
        .assert_status(201);
    let started = app
        .post(&format!(
            "/api/v1/citizens/{}/employment-statuses",
            w.citizen
        ))
        .token(&w.p.coordinator)
        .json(json!({"effective_on": "2026-01-31", "status": "employed_ordinary"}))
        .await;
    started.assert_status(201);
    let check = started.body["retention_check_ids"][0]
        .as_str()
        .expect("a retention check")
        .to_owned();
    let citizen = &w.citizen;
    let probes = vec![
        Probe::Read(format!("/api/v1/citizens/{citizen}/employment-statuses")),
        Probe::Read(format!("/api/v1/retention-checks/{check}")),
        Probe::List("/api/v1/retention-checks?limit=200".to_owned()),
        Probe::Read(format!("/api/v1/citizens/{citizen}")),
        Probe::Read(format!("/api/v1/citizens/{citizen}/consents")),
        Probe::Read(format!("/api/v1/citizens/{citizen}/data-export")),
        Probe::Read(format!("/api/v1/support-courses/{course}")),
        Probe::Read(format!("/api/v1/support-courses/{course}/goals")),
        Probe::Read(format!("/api/v1/support-courses/{course}/contacts")),
        Probe::Read(format!("/api/v1/support-courses/{course}/candidates")),
        Probe::List("/api/v1/citizens?limit=200".to_owned()),
        Probe::List(format!(
            "/api/v1/support-courses?limit=200&citizen_id={citizen}"
        )),
        Probe::List("/api/v1/support-courses?limit=200".to_owned()),
        Probe::Lookup,
    ];
    Seeded {
        w,
        course,
        check,
        probes,
    }
}

/// Whether `body` names `id` anywhere but in a problem's `instance` (the caller's own URL).
fn mentions(body: &Value, id: &str) -> bool {
    let mut body = body.clone();
    if let Some(problem) = body.as_object_mut() {
        problem.remove("instance");
    }
    body.to_string().contains(id)
}

/// Asserts that `token` (of `role`) sees nothing of the seeded citizen.
async fn sees_nothing(app: &TestApp, s: &Seeded, role: &str, token: &str) {
    for probe in &s.probes {
        match probe {
            Probe::Read(path) => {
                let answer = app.get(path).token(token).send().await;
                assert_eq!(answer.status, 404, "{role}: GET {path} must be 404");
                assert!(
                    !mentions(&answer.body, &s.w.citizen),
                    "{role}: {path} leaks"
                );
            }
            Probe::List(path) => {
                let answer = app.get(path).token(token).send().await;
                assert!(
                    answer.status == 200 || answer.status == 403,
                    "{role}: GET {path}: {}",
                    answer.status
                );
                assert!(
                    !mentions(&answer.body, &s.w.citizen),
                    "{role}: {path} lists the citizen"
                );
                assert!(
                    !mentions(&answer.body, &s.course),
                    "{role}: {path} lists the course"
                );
            }
            Probe::Lookup => {
                let answer = app
                    .post("/api/v1/citizens/lookup")
                    .token(token)
                    .json(json!({"cpr": "070761-4286"}))
                    .await;
                assert!(
                    !mentions(&answer.body, &s.w.citizen),
                    "{role}: lookup finds the citizen"
                );
            }
        }
    }
}

/// Asserts that `token` (of `role`) reads every probe (the positive control).
async fn sees_all(app: &TestApp, s: &Seeded, role: &str, token: &str, reads: &[&str]) {
    for probe in &s.probes {
        if let Probe::Read(path) = probe
            && reads.iter().any(|r| path.ends_with(r))
        {
            let answer = app.get(path).token(token).send().await;
            assert_eq!(answer.status, 200, "{role}: GET {path}");
        }
    }
    let listed = app
        .get("/api/v1/support-courses?limit=200")
        .token(token)
        .send()
        .await;
    assert!(mentions(&listed.body, &s.course), "{role} lists the course");
}

async fn integration_token(app: &TestApp, organisation: &str) -> String {
    let created = app
        .post("/api/v1/users")
        .token(&app.admin_token)
        .json(json!({"username": "other-esdh", "display_name": "ESDH", "role": "integration", "organisation_id": organisation,
            "scopes": ["citizens:read", "citizens:write", "support_courses:read", "referrals:read", "courses:read"]}))
        .await;
    created.assert_status(201);
    let tokens = app
        .post("/api/v1/auth/token")
        .json(json!({"grant_type": "client_credentials", "client_id": created.body["client_id"], "client_secret": created.body["client_secret"]}))
        .await;
    tokens.assert_status(200);
    tokens.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

test_both! {
    async fn every_role_outside_the_scope_finds_no_citizen_data(app) {
        let s = seeded(&app).await;
        let p = &s.w.p;
        // Inside the scope: the programme's coordinator and admin manage, the guide guides.
        let everything = ["", "/consents", "/data-export", "/goals", "/contacts", "/candidates", "/employment-statuses", s.check.as_str()];
        sees_all(&app, &s, "coordinator", &p.coordinator, &everything).await;
        sees_all(&app, &s, "admin", &app.admin_token, &everything).await;
        let guided = [s.w.citizen.as_str(), s.course.as_str(), "/goals", "/contacts", "/employment-statuses", s.check.as_str()];
        sees_all(&app, &s, "guiding peer worker", &s.w.guide_token, &guided).await;

        // Outside: each role of the system, in and out of the partnership.
        sees_nothing(&app, &s, "coordinator of another tenant", &p.outsider).await;
        sees_nothing(&app, &s, "professional of a partner", &p.kolding_user).await;
        app.user("evaluator", "evaluator", &p.vejle).await;
        let evaluator = app.login("evaluator", PASSWORD).await;
        sees_nothing(&app, &s, "evaluator of the lead", &evaluator).await;
        app.user("professional", "professional", &p.vejle).await;
        let professional = app.login("professional", PASSWORD).await;
        sees_nothing(&app, &s, "professional of the lead", &professional).await;
        app.user("unlinked-peer", "peer_worker", &p.vejle).await;
        let unlinked = app.login("unlinked-peer", PASSWORD).await;
        sees_nothing(&app, &s, "peer worker guiding nothing", &unlinked).await;
        let integration = integration_token(&app, &p.aarhus).await;
        sees_nothing(&app, &s, "integration of another tenant", &integration).await;
    }
}

/// Asserts that `token` (of `role`) reads none of the peer workforce: the peer worker, its
/// qualifications, the cohort, its enrolments and trainers are `404`, and the lists are refused
/// (`403`, the role table) or name none of them.
async fn sees_no_workforce(app: &TestApp, role: &str, token: &str, peer: &str, cohort: &str) {
    for path in [
        format!("/api/v1/peer-workers/{peer}"),
        format!("/api/v1/peer-workers/{peer}/qualifications"),
        format!("/api/v1/training-cohorts/{cohort}"),
        format!("/api/v1/training-cohorts/{cohort}/enrolments"),
        format!("/api/v1/training-cohorts/{cohort}/trainers"),
    ] {
        let answer = app.get(&path).token(token).send().await;
        assert_eq!(answer.status, 404, "{role}: GET {path} must be 404");
    }
    for path in [
        "/api/v1/peer-workers?limit=200",
        "/api/v1/peer-workers?limit=200&supervision_overdue=true",
        "/api/v1/supervision-sessions?limit=200",
        "/api/v1/training-cohorts?limit=200",
    ] {
        let answer = app.get(path).token(token).send().await;
        assert!(
            answer.lists_nothing(),
            "{role}: GET {path}: {}",
            answer.text
        );
    }
}

test_both! {
    async fn professionals_and_evaluators_see_no_workforce_and_peer_workers_record_no_consent(app) {
        let s = seeded(&app).await;
        let p = &s.w.p;
        let cohort = app.post("/api/v1/training-cohorts").token(&p.coordinator).json(json!({
            "programme_id": s.w.programme, "provider_organisation_id": p.kolding,
            "start_date": "2026-03-01", "end_date": "2026-06-30", "grants": ["peer_guide"]
        })).await;
        cohort.assert_status(201);
        let cohort = cohort.id();
        app.post(&format!("/api/v1/training-cohorts/{cohort}/enrolments")).token(&p.coordinator)
            .json(json!({"peer_worker_id": s.w.guide})).await.assert_status(201);
        let supervisor = app.user("supervisor", "professional", &p.vejle).await;
        app.post("/api/v1/supervision-sessions").token(&p.coordinator).json(json!({
            "date": "2026-02-01", "supervisor_user_id": supervisor, "format": "group", "peer_worker_ids": [s.w.guide]
        })).await.assert_status(201);
        // Control: the coordinator sees them.
        app.get(&format!("/api/v1/peer-workers/{}", s.w.guide)).token(&p.coordinator).send().await.assert_status(200);
        app.get(&format!("/api/v1/training-cohorts/{cohort}/enrolments")).token(&p.coordinator).send().await.assert_status(200);

        app.user("evaluator", "evaluator", &p.vejle).await;
        let evaluator = app.login("evaluator", PASSWORD).await;
        app.user("professional", "professional", &p.vejle).await;
        let professional = app.login("professional", PASSWORD).await;
        for (role, token) in [("evaluator of the lead", &evaluator), ("professional of the lead", &professional), ("professional of a partner", &p.kolding_user)] {
            sees_no_workforce(&app, role, token, &s.w.guide, &cohort).await;
        }
        // Professionals see the referrals addressed to them, not programmes; evaluators read
        // their programmes (for reports and exports).
        let programme = &s.w.programme;
        for path in [format!("/api/v1/programmes/{programme}"), format!("/api/v1/programmes/{programme}/partners"), format!("/api/v1/programmes/{programme}/targets")] {
            app.get(&path).token(&professional).send().await.assert_problem(404, "not_found");
        }
        let listed = app.get("/api/v1/programmes?limit=200").token(&professional).send().await;
        listed.assert_problem(403, "forbidden");
        app.get(&format!("/api/v1/programmes/{programme}")).token(&evaluator).send().await.assert_status(200);

        // Consents have legal effect: the guiding peer worker reads them but neither records
        // nor withdraws one.
        let consents = format!("/api/v1/citizens/{}/consents", s.w.citizen);
        app.get(&consents).token(&s.w.guide_token).send().await.assert_status(200);
        app.post(&consents).token(&s.w.guide_token)
            .json(json!({"purpose": "share_with_jobcentre", "given_on": "2026-01-05", "method": "written"}))
            .await.assert_problem(403, "forbidden");
        let listed = app.get(&consents).token(&p.coordinator).send().await;
        let consent = listed.ids()[0].clone();
        app.post(&format!("{consents}/{consent}/withdraw")).token(&s.w.guide_token).json(json!({}))
            .await.assert_problem(403, "forbidden");
        let after = app.get(&consents).token(&p.coordinator).send().await;
        assert_eq!(after.ids(), [consent.as_str()]);
        assert!(after.body["items"][0]["withdrawn_on"].is_null(), "nothing withdrawn");
    }
}

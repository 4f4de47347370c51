//! Support courses: matching rules, the workflow, peer workers' scope, goals and contacts,
//! audit, anonymisation and retention.

use crate::programmes::{Partnership, partnership};
use brobygger_tests::{TestApp, test_both};
use serde_json::{Value, json};

/// A partnership with a programme offering the one-to-one models, citizens and peer workers.
pub(crate) struct World {
    pub(crate) p: Partnership,
    pub(crate) programme: String,
    /// An active peer guide linked to the user `guide` (capacity 2).
    pub(crate) guide: String,
    pub(crate) guide_token: String,
    pub(crate) citizen: String,
    pub(crate) other_citizen: String,
}

async fn peer(app: &TestApp, p: &Partnership, programme: &str, name: &str, extra: Value) -> String {
    let mut body = json!({
        "name": name, "organisation_id": p.vejle, "engagement": "volunteer", "programme_ids": [programme],
        "municipality_codes": ["621"], "languages": ["da"], "capacity": 2
    });
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    let created = app
        .post("/api/v1/peer-workers")
        .token(&p.coordinator)
        .json(body)
        .await;
    created.assert_status(201);
    created.id()
}

async fn activate(app: &TestApp, p: &Partnership, id: &str) {
    for to in ["in_training", "active"] {
        app.post(&format!("/api/v1/peer-workers/{id}/transitions"))
            .token(&p.coordinator)
            .json(json!({"to": to}))
            .await
            .assert_status(200);
    }
}

async fn qualify(app: &TestApp, p: &Partnership, id: &str) {
    app.post(&format!("/api/v1/peer-workers/{id}/qualifications"))
        .token(&p.coordinator)
        .json(json!({"kind": "peer_guide", "evidence": "Peer education, Recovery College Vejle", "earned_on": "2026-01-15"}))
        .await
        .assert_status(201);
}

async fn citizen(app: &TestApp, token: &str, name: &str, cpr: &str) -> String {
    let created = app
        .post("/api/v1/citizens")
        .token(token)
        .json(json!({"name": name, "cpr": cpr, "municipality_code": "630", "preferred_language": "ar"}))
        .await;
    created.assert_status(201);
    created.id()
}

pub(crate) async fn world(app: &TestApp) -> World {
    let p = partnership(app).await;
    let created = app
        .post("/api/v1/programmes")
        .token(&p.coordinator)
        .json(json!({"name": "Ligestillet Støtte", "start_date": "2026-01-01", "end_date": "2027-06-30",
            "models": ["peer_guide", "individual_peer_support", "employment_support"]}))
        .await;
    created.assert_status(201);
    let programme = created.id();
    // An admin adds the partner directly (a coordinator's offer would wait for Kolding's yes).
    app.post(&format!("/api/v1/programmes/{programme}/partners"))
        .token(&app.admin_token)
        .json(json!({"organisation_id": p.kolding, "role": "partner"}))
        .await
        .assert_status(201);
    let (guide_user, guide_token) = app.user_with_token("guide", "peer_worker", &p.vejle).await;
    let guide = peer(
        app,
        &p,
        &programme,
        "Anna Nielsen",
        json!({"user_id": guide_user}),
    )
    .await;
    activate(app, &p, &guide).await;
    qualify(app, &p, &guide).await;
    let citizen_id = citizen(app, &p.coordinator, "Jonas Holm", "070761-4286").await;
    let other_citizen = citizen(app, &p.coordinator, "Mette Berg", "010203-4005").await;
    World {
        p,
        programme,
        guide,
        guide_token,
        citizen: citizen_id,
        other_citizen,
    }
}

fn course_body(w: &World, citizen: &str, model: &str, peer: Option<&str>) -> Value {
    let mut body = json!({"citizen_id": citizen, "model": model, "programme_id": w.programme,
        "context": "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15"});
    if let Some(peer) = peer {
        body["peer_worker_id"] = json!(peer);
    }
    body
}

pub(crate) async fn course(
    app: &TestApp,
    w: &World,
    citizen: &str,
    model: &str,
    peer: Option<&str>,
) -> String {
    let created = app
        .post("/api/v1/support-courses")
        .token(&w.p.coordinator)
        .json(course_body(w, citizen, model, peer))
        .await;
    created.assert_status(201);
    created.id()
}

pub(crate) async fn move_to(
    app: &TestApp,
    token: &str,
    id: &str,
    to: &str,
) -> brobygger_tests::Resp {
    app.post(&format!("/api/v1/support-courses/{id}/transitions"))
        .token(token)
        .json(json!({"to": to, "reason": "as planned"}))
        .await
}

test_both! {
    async fn matching_needs_an_active_qualified_peer_guide_with_a_free_place(app) {
        let w = world(&app).await;
        // Active but without peer_guide.
        let untrained = peer(&app, &w.p, &w.programme, "Bo Jensen", json!({})).await;
        activate(&app, &w.p, &untrained).await;
        let refused = app.post("/api/v1/support-courses").token(&w.p.coordinator).json(course_body(&w, &w.citizen, "peer_guide", Some(&untrained))).await;
        refused.assert_problem(409, "qualification_missing");
        // Holding peer_guide but not active.
        let resting = peer(&app, &w.p, &w.programme, "Carl Dahl", json!({})).await;
        qualify(&app, &w.p, &resting).await;
        app.post("/api/v1/support-courses").token(&w.p.coordinator).json(course_body(&w, &w.citizen, "peer_guide", Some(&resting))).await
            .assert_problem(409, "qualification_missing");
        // Capacity 2: two open courses, the third is refused.
        let third_citizen = citizen(&app, &w.p.coordinator, "Ida Lund", "151285-1234").await;
        course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        course(&app, &w, &w.other_citizen, "peer_guide", Some(&w.guide)).await;
        app.post("/api/v1/support-courses").token(&w.p.coordinator).json(course_body(&w, &third_citizen, "peer_guide", Some(&w.guide))).await
            .assert_problem(409, "capacity_exceeded");
        // Setting the peer later by PATCH is checked the same way.
        let waiting = course(&app, &w, &third_citizen, "peer_guide", None).await;
        app.patch(&format!("/api/v1/support-courses/{waiting}")).token(&w.p.coordinator).if_match(1)
            .merge_patch(json!({"peer_worker_id": w.guide})).await.assert_problem(409, "capacity_exceeded");
        app.patch(&format!("/api/v1/support-courses/{waiting}")).token(&w.p.coordinator).if_match(1)
            .merge_patch(json!({"peer_worker_id": untrained})).await.assert_problem(409, "qualification_missing");
        // One open course per citizen and model; another model is fine.
        app.post("/api/v1/support-courses").token(&w.p.coordinator).json(course_body(&w, &w.citizen, "peer_guide", None)).await
            .assert_problem(409, "conflict");
        course(&app, &w, &w.citizen, "employment_support", None).await;
        // A model the programme does not offer, and ids the user cannot see, are 422.
        let bad = app.post("/api/v1/support-courses").token(&w.p.coordinator)
            .json(json!({"citizen_id": "00000000-0000-7000-8000-000000000000", "model": "peer_guide", "programme_id": w.p.programme_id})).await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["citizen_id", "model"]);
        let wrong_types = app.post("/api/v1/support-courses").token(&w.p.coordinator)
            .json(json!({"citizen_id": 5, "model": "group_therapy", "planned_end_date": "someday"})).await;
        wrong_types.assert_problem(422, "validation");
        assert_eq!(wrong_types.error_fields(), ["citizen_id", "model", "planned_end_date", "programme_id"]);
    }
}

test_both! {
    async fn the_workflow_refuses_impossible_moves_and_keeps_history(app) {
        let w = world(&app).await;
        let id = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        let refused = move_to(&app, &w.p.coordinator, &id, "completed").await;
        refused.assert_problem(409, "invalid_transition");
        assert_eq!(refused.body["allowed"], json!(["matched", "cancelled"]));
        for to in ["matched", "active", "completed"] {
            move_to(&app, &w.p.coordinator, &id, to).await.assert_status(200);
        }
        let done = app.get(&format!("/api/v1/support-courses/{id}")).token(&w.p.coordinator).send().await;
        assert_eq!(done.body["status"], "completed");
        let history: Vec<_> = done.body["status_history"].as_array().expect("history").iter().map(|h| h["status"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(history, ["requested", "matched", "active", "completed"]);
        assert!(done.body["status_history"].as_array().expect("history").iter().all(|h| h["at"].is_string() && h["by"].is_string()));
        move_to(&app, &w.p.coordinator, &id, "active").await.assert_problem(409, "invalid_transition");
        // Cancelling needs a reason; matching needs a peer worker.
        let other = course(&app, &w, &w.other_citizen, "peer_guide", None).await;
        app.post(&format!("/api/v1/support-courses/{other}/transitions")).token(&w.p.coordinator).json(json!({"to": "cancelled"})).await
            .assert_problem(422, "validation");
        move_to(&app, &w.p.coordinator, &other, "matched").await.assert_problem(422, "validation");
        app.post(&format!("/api/v1/support-courses/{other}/transitions")).token(&w.p.coordinator).json(json!({"to": "finished"})).await
            .assert_problem(422, "validation");
        // Only coordinators of the programme move courses: the guide sees its own, may not move it,
        // and does not see the others.
        move_to(&app, &w.guide_token, &id, "active").await.assert_problem(403, "forbidden");
        move_to(&app, &w.guide_token, &other, "cancelled").await.assert_problem(404, "not_found");
    }
}

test_both! {
    async fn a_peer_worker_sees_only_its_own_citizens_and_courses(app) {
        let w = world(&app).await;
        let mine = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        let theirs = course(&app, &w, &w.other_citizen, "peer_guide", None).await;
        let citizens = app.get("/api/v1/citizens").token(&w.guide_token).send().await;
        assert_eq!(citizens.ids(), [w.citizen.as_str()]);
        app.get(&format!("/api/v1/citizens/{}", w.citizen)).token(&w.guide_token).send().await.assert_status(200);
        let read = app.get(&format!("/api/v1/citizens/{}", w.citizen)).token(&w.guide_token).send().await;
        assert!(read.body.get("cpr").is_none(), "a peer worker never sees the CPR");
        app.get(&format!("/api/v1/citizens/{}", w.other_citizen)).token(&w.guide_token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.get("/api/v1/support-courses").token(&w.guide_token).send().await.ids(), [mine.as_str()]);
        app.get(&format!("/api/v1/support-courses/{theirs}")).token(&w.guide_token).send().await.assert_problem(404, "not_found");
        // A coordinator of a municipality outside the partnership sees none of it.
        for path in [format!("/api/v1/citizens/{}", w.citizen), format!("/api/v1/citizens/{}", w.other_citizen),
            format!("/api/v1/support-courses/{mine}"), format!("/api/v1/support-courses/{mine}/goals"),
            format!("/api/v1/support-courses/{mine}/contacts"), format!("/api/v1/support-courses/{mine}/candidates")] {
            app.get(&path).token(&w.p.outsider).send().await.assert_problem(404, "not_found");
        }
        assert!(app.get("/api/v1/citizens").token(&w.p.outsider).send().await.ids().is_empty());
        assert!(app.get("/api/v1/support-courses").token(&w.p.outsider).send().await.ids().is_empty());
        app.post(&format!("/api/v1/support-courses/{mine}/transitions")).token(&w.p.outsider).json(json!({"to": "cancelled", "reason": "x"})).await
            .assert_problem(404, "not_found");
        // A coordinator of a partner municipality sees the programme's courses and their citizens.
        let kolding_coordinator = app.user_with_token("coord.kolding", "coordinator", &w.p.kolding).await.1;
        assert_eq!(app.get("/api/v1/support-courses").token(&kolding_coordinator).send().await.ids().len(), 2);
        app.get(&format!("/api/v1/citizens/{}", w.citizen)).token(&kolding_coordinator).send().await.assert_status(200);
    }
}

test_both! {
    async fn goals_and_contacts_follow_the_course(app) {
        let w = world(&app).await;
        let id = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        let contact = json!({"date": "2026-11-20", "minutes": 60, "mode": "in_person", "summary": "Coffee and a walk"});
        app.post(&format!("/api/v1/support-courses/{id}/contacts")).token(&w.guide_token).json(contact.clone()).await.assert_problem(409, "conflict");
        move_to(&app, &w.p.coordinator, &id, "matched").await.assert_status(200);
        move_to(&app, &w.p.coordinator, &id, "active").await.assert_status(200);
        let logged = app.post(&format!("/api/v1/support-courses/{id}/contacts")).token(&w.guide_token).json(contact).await;
        logged.assert_status(201);
        assert_eq!(logged.body["peer_worker_id"], w.guide.as_str());
        let bad = app.post(&format!("/api/v1/support-courses/{id}/contacts")).token(&w.guide_token)
            .json(json!({"date": "2026-11-20", "minutes": 0, "mode": "telegram"})).await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["minutes", "mode"]);
        let goal = app.post(&format!("/api/v1/support-courses/{id}/goals")).token(&w.guide_token)
            .json(json!({"text": "Jeg vil gerne begynde på højskole efter sommerferien", "domain": "education"})).await;
        goal.assert_status(201);
        assert_eq!(goal.body["status"], "open");
        let gid = goal.id();
        let progress = app.post(&format!("/api/v1/support-courses/{id}/goals/{gid}/progress")).token(&w.guide_token)
            .json(json!({"date": "2026-12-01", "note": "Var til åbent hus", "self_rating": 6})).await;
        progress.assert_status(201);
        assert_eq!(progress.body["progress"][0]["self_rating"], 6);
        app.post(&format!("/api/v1/support-courses/{id}/goals/{gid}/progress")).token(&w.guide_token)
            .json(json!({"date": "2026-12-02", "note": "x", "self_rating": 11})).await.assert_problem(422, "validation");
        app.patch(&format!("/api/v1/support-courses/{id}/goals/{gid}")).token(&w.guide_token).merge_patch(json!({"status": "achieved"})).await
            .assert_problem(428, "precondition_required");
        let achieved = app.patch(&format!("/api/v1/support-courses/{id}/goals/{gid}")).token(&w.guide_token).if_match(1)
            .merge_patch(json!({"status": "achieved"})).await;
        achieved.assert_status(200);
        assert_eq!(achieved.body["text"], "Jeg vil gerne begynde på højskole efter sommerferien");
        let goals = app.get(&format!("/api/v1/support-courses/{id}/goals")).token(&w.p.coordinator).send().await;
        assert_eq!(goals.ids(), [gid.as_str()]);
        assert_eq!(app.get(&format!("/api/v1/support-courses/{id}/contacts")).token(&w.p.coordinator).send().await.ids().len(), 1);
    }
}

test_both! {
    async fn candidates_are_ranked_with_reasons(app) {
        let w = world(&app).await;
        // Anna (the guide) serves 621 and speaks da; Fatima serves 630 and speaks ar, like the citizen.
        let fatima = peer(&app, &w.p, &w.programme, "Fatima Haddad", json!({"municipality_codes": ["630"], "languages": ["ar", "da"]})).await;
        activate(&app, &w.p, &fatima).await;
        qualify(&app, &w.p, &fatima).await;
        let untrained = peer(&app, &w.p, &w.programme, "Bo Jensen", json!({"municipality_codes": ["630"], "languages": ["ar"]})).await;
        activate(&app, &w.p, &untrained).await;
        let id = course(&app, &w, &w.citizen, "peer_guide", None).await;
        let ranked = app.get(&format!("/api/v1/support-courses/{id}/candidates")).token(&w.p.coordinator).send().await;
        ranked.assert_status(200);
        let items = ranked.body["items"].as_array().expect("items");
        let order: Vec<_> = items.iter().map(|c| c["peer_worker_id"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(order, [fatima.clone(), w.guide.clone()], "qualified only, best first");
        assert_eq!(items[0]["rank"], 1);
        assert_eq!(items[0]["serves_municipality"], true);
        assert_eq!(items[0]["shares_language"], true);
        assert!(items[0]["reasons"].as_array().is_some_and(|r| r.len() == 3));
        assert_eq!(items[1]["serves_municipality"], false);
    }
}

test_both! {
    async fn every_course_read_and_write_is_audited_once(app) {
        let w = world(&app).await;
        let id = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        app.get(&format!("/api/v1/support-courses/{id}")).token(&w.p.coordinator).send().await.assert_status(200);
        move_to(&app, &w.p.coordinator, &id, "matched").await.assert_status(200);
        app.patch(&format!("/api/v1/support-courses/{id}")).token(&w.p.coordinator).if_match(2).merge_patch(json!({"planned_end_date": "2027-05-15"})).await.assert_status(200);
        let events = app.audit_events_of(&w.citizen).await;
        let course_events: Vec<_> = events.iter()
            .filter(|e| e["resource_type"] == "support_course")
            .map(|e| (e["action"].as_str().unwrap_or_default().to_owned(), e["resource_id"].as_str().unwrap_or_default().to_owned()))
            .collect();
        assert_eq!(course_events, [
            ("create".to_owned(), id.clone()), ("read".to_owned(), id.clone()),
            ("transition".to_owned(), id.clone()), ("update".to_owned(), id.clone()),
        ]);
        let export = app.get(&format!("/api/v1/citizens/{}/data-export", w.citizen)).token(&w.p.coordinator).send().await;
        export.assert_status(200);
        assert_eq!(export.body["support_courses"][0]["support_course"]["id"], id.as_str());
        assert!(export.body["access_log"].as_array().expect("log").iter().any(|e| e["action"] == "read" && e["resource_type"] == "support_course"));
    }
}

test_both! {
    async fn anonymising_keeps_the_counts_and_retention_finds_old_courses(app) {
        let w = world(&app).await;
        let id = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        for to in ["matched", "active"] {
            move_to(&app, &w.p.coordinator, &id, to).await.assert_status(200);
        }
        let goal = app.post(&format!("/api/v1/support-courses/{id}/goals")).token(&w.guide_token)
            .json(json!({"text": "Finde et fritidsjob i Brugsen", "domain": "work"})).await;
        goal.assert_status(201);
        app.post(&format!("/api/v1/support-courses/{id}/contacts")).token(&w.guide_token)
            .json(json!({"date": "2026-11-20", "minutes": 45, "mode": "phone", "summary": "Talte om angsten for jobsamtalen"})).await.assert_status(201);
        move_to(&app, &w.p.coordinator, &id, "completed").await.assert_status(200);
        course(&app, &w, &w.other_citizen, "peer_guide", None).await;
        let listed = format!("/api/v1/support-courses?programme_id={}&limit=200", w.programme);
        assert_eq!(app.get(&listed).token(&w.p.coordinator).send().await.ids().len(), 2);
        app.post(&format!("/api/v1/citizens/{}/anonymise", w.citizen)).token(&w.p.coordinator).send().await.assert_status(200);
        assert_eq!(app.get(&listed).token(&w.p.coordinator).send().await.ids().len(), 2, "the programme's count of support courses is unchanged");
        let read = app.get(&format!("/api/v1/support-courses/{id}")).token(&w.p.coordinator).send().await;
        assert_eq!(read.body["context"], Value::Null);
        assert_eq!(read.body["status"], "completed");
        let stored = app.database_bytes();
        let contains = |needle: &str| stored.windows(needle.len()).any(|w| w == needle.as_bytes());
        for gone in ["Jonas Holm", "Finde et fritidsjob", "Talte om angsten"] {
            assert!(!contains(gone), "{gone} is still stored");
        }

        // Retention: Mette's course is open; a citizen whose last course closed long ago goes.
        let old = citizen(&app, &w.p.coordinator, "Old Case", "101070-1234").await;
        let old_course = course(&app, &w, &old, "individual_peer_support", None).await;
        app.post(&format!("/api/v1/support-courses/{old_course}/transitions")).token(&w.p.coordinator)
            .json(json!({"to": "cancelled", "reason": "moved away"})).await.assert_status(200);
        let settings = app.job_settings();
        let now = app.clock.now_naive();
        let soon = brobygger_api::retention::run(&settings, 5, now).expect("retention runs");
        assert_eq!(soon, 0, "nothing closed five years ago yet");
        let later = now + chrono::TimeDelta::days(6 * 366);
        let done = brobygger_api::retention::run(&settings, 5, later).expect("retention runs");
        assert_eq!(done, 1, "only Old Case: Jonas is anonymised already, Mette's course is open");
        let old_now = app.get(&format!("/api/v1/citizens/{old}")).token(&app.admin_token).send().await;
        assert!(old_now.body["anonymised_at"].is_string());
        assert!(!old_now.text.contains("Old Case"));
        let events = app.audit_events_of(&old).await;
        let system = events.iter().find(|e| e["action"] == "anonymise").cloned().expect("audited");
        assert_eq!(system["role"], "system");
        let mette = app.get(&format!("/api/v1/citizens/{}", w.other_citizen)).token(&app.admin_token).send().await;
        assert_eq!(mette.body["anonymised_at"], Value::Null);
    }
}

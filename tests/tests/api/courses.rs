//! Courses (teaching model): opening only when taught together, enrolment with an ordered
//! waitlist under concurrency, attendance and its rates, citizen enrolments as citizen data,
//! scope, and bad input.

use crate::programmes::{Partnership, partnership};
use brobygger_tests::{TestApp, test_both};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A partnership (its programme offers `peer_teaching`) with a professional teacher and an
/// active peer worker holding `peer_teacher`, linked to the user `teacher`.
struct School {
    p: Partnership,
    professional: String,
    peer: String,
    peer_token: String,
    /// An active peer worker without `peer_teacher`, linked to the user `untrained`.
    untrained: String,
    untrained_token: String,
}

async fn peer_worker(app: &TestApp, p: &Partnership, name: &str, user: &str) -> String {
    let created = app
        .post("/api/v1/peer-workers")
        .token(&p.coordinator)
        .json(
            json!({"name": name, "organisation_id": p.vejle, "engagement": "volunteer",
            "programme_ids": [p.programme_id], "municipality_codes": ["630"], "languages": ["da"],
            "capacity": 2, "user_id": user}),
        )
        .await;
    created.assert_status(201);
    let id = created.id();
    for to in ["in_training", "active"] {
        app.post(&format!("/api/v1/peer-workers/{id}/transitions"))
            .token(&p.coordinator)
            .json(json!({"to": to}))
            .await
            .assert_status(200);
    }
    id
}

async fn qualify(app: &TestApp, p: &Partnership, peer: &str) {
    app.post(&format!("/api/v1/peer-workers/{peer}/qualifications"))
        .token(&p.coordinator)
        .json(json!({"kind": "peer_teacher", "evidence": "Peer education, Recovery College Vejle", "earned_on": "2026-01-15"}))
        .await
        .assert_status(201);
}

async fn school(app: &TestApp) -> School {
    let p = partnership(app).await;
    let (professional, _) = app
        .user_with_token("teacher.pro", "professional", &p.vejle)
        .await;
    let (peer_user, peer_token) = app
        .user_with_token("teacher", "peer_worker", &p.vejle)
        .await;
    let peer = peer_worker(app, &p, "Anna Nielsen", &peer_user).await;
    qualify(app, &p, &peer).await;
    let (untrained_user, untrained_token) = app
        .user_with_token("untrained", "peer_worker", &p.vejle)
        .await;
    let untrained = peer_worker(app, &p, "Bo Larsen", &untrained_user).await;
    School {
        p,
        professional,
        peer,
        peer_token,
        untrained,
        untrained_token,
    }
}

fn course_body(s: &School, capacity: i64) -> Value {
    json!({"programme_id": s.p.programme_id, "title": "Recovery in everyday life",
        "description": "Six evenings on hope, control and opportunity", "format": "recovery_college",
        "provider_organisation_id": s.p.vejle, "location": "Recovery College Vejle",
        "capacity": capacity, "co_created_by": ["citizen", "peer", "professional"]})
}

async fn course(app: &TestApp, s: &School, capacity: i64) -> String {
    let created = app
        .post("/api/v1/courses")
        .token(&s.p.coordinator)
        .json(course_body(s, capacity))
        .await;
    created.assert_status(201);
    created.id()
}

async fn add_teacher(
    app: &TestApp,
    s: &School,
    course: &str,
    body: Value,
) -> brobygger_tests::Resp {
    app.post(&format!("/api/v1/courses/{course}/teachers"))
        .token(&s.p.coordinator)
        .json(body)
        .await
}

async fn move_to(app: &TestApp, s: &School, course: &str, to: &str) -> brobygger_tests::Resp {
    app.post(&format!("/api/v1/courses/{course}/transitions"))
        .token(&s.p.coordinator)
        .json(json!({"to": to}))
        .await
}

/// A course taught together and open for enrolment.
async fn open_course(app: &TestApp, s: &School, capacity: i64) -> String {
    let id = course(app, s, capacity).await;
    add_teacher(app, s, &id, json!({"user_id": s.professional}))
        .await
        .assert_status(201);
    add_teacher(app, s, &id, json!({"peer_worker_id": s.peer}))
        .await
        .assert_status(201);
    move_to(app, s, &id, "open_for_enrolment")
        .await
        .assert_status(200);
    id
}

async fn enrol(app: &TestApp, s: &School, course: &str, body: Value) -> brobygger_tests::Resp {
    app.post(&format!("/api/v1/courses/{course}/enrolments"))
        .token(&s.p.coordinator)
        .json(body)
        .await
}

fn outsider(name: &str) -> Value {
    json!({"participant_name": name, "participant_type": "relative"})
}

async fn enrolments(app: &TestApp, token: &str, course: &str) -> Vec<Value> {
    let list = app
        .get(&format!("/api/v1/courses/{course}/enrolments?limit=100"))
        .token(token)
        .send()
        .await;
    list.assert_status(200);
    list.body["items"].as_array().expect("items").clone()
}

/// `(enrolled ids, waitlist positions in id order, position by id)`.
fn places(items: &[Value]) -> (Vec<String>, Vec<i64>, HashMap<String, i64>) {
    let id = |e: &Value| e["id"].as_str().unwrap_or_default().to_owned();
    let enrolled = items
        .iter()
        .filter(|e| e["status"] == "enrolled")
        .map(id)
        .collect();
    let waiting: Vec<&Value> = items
        .iter()
        .filter(|e| e["status"] == "waitlisted")
        .collect();
    let mut positions: Vec<i64> = waiting
        .iter()
        .filter_map(|e| e["waitlist_position"].as_i64())
        .collect();
    positions.sort_unstable();
    let by_id = waiting
        .iter()
        .map(|e| (id(e), e["waitlist_position"].as_i64().unwrap_or(0)))
        .collect();
    (enrolled, positions, by_id)
}

test_both! {
    async fn a_course_opens_only_when_taught_by_a_qualified_peer_and_a_professional(app) {
        let s = school(&app).await;
        let id = course(&app, &s, 12).await;
        add_teacher(&app, &s, &id, json!({"user_id": s.professional})).await.assert_status(201);
        let refused = move_to(&app, &s, &id, "open_for_enrolment").await;
        refused.assert_problem(409, "qualification_missing");
        assert!(refused.text.contains("peer teacher"), "{}", refused.text);
        let untrained = add_teacher(&app, &s, &id, json!({"peer_worker_id": s.untrained})).await;
        untrained.assert_problem(409, "qualification_missing");
        move_to(&app, &s, &id, "open_for_enrolment").await.assert_problem(409, "qualification_missing");
        let added = add_teacher(&app, &s, &id, json!({"peer_worker_id": s.peer})).await;
        added.assert_status(201);
        assert_eq!(added.body["role"], "peer_teacher");
        add_teacher(&app, &s, &id, json!({"peer_worker_id": s.peer})).await.assert_problem(409, "conflict");
        move_to(&app, &s, &id, "completed").await.assert_problem(409, "invalid_transition");
        let opened = move_to(&app, &s, &id, "open_for_enrolment").await;
        opened.assert_status(200);
        assert_eq!(opened.body["status"], "open_for_enrolment");
        let history: Vec<&str> = opened.body["status_history"].as_array().expect("history")
            .iter().filter_map(|h| h["status"].as_str()).collect();
        assert_eq!(history, ["planned", "open_for_enrolment"]);
        let teachers = app.get(&format!("/api/v1/courses/{id}/teachers")).token(&s.p.coordinator).send().await;
        teachers.assert_status(200);
        assert_eq!(teachers.ids().len(), 2);
    }
}

test_both! {
    async fn thirty_concurrent_enrolments_fill_ten_places_and_an_ordered_waitlist(app) {
        let s = school(&app).await;
        let id = open_course(&app, &s, 10).await;
        let path = format!("/api/v1/courses/{id}/enrolments");
        let requests = (0..30).map(|i| {
            app.post(&path).token(&s.p.coordinator).json(outsider(&format!("Participant {i}")))
        });
        let responses = futures_util::future::join_all(requests).await;
        for response in &responses {
            response.assert_status(201);
        }
        let (enrolled, positions, by_id) = places(&enrolments(&app, &s.p.coordinator, &id).await);
        assert_eq!(enrolled.len(), 10);
        assert_eq!(positions, (1..=20).collect::<Vec<i64>>(), "no gaps, no duplicates");
        // Ids are time-ordered and made under the course's lock: the order of commits. The
        // places went to the first ten, the waitlist follows the rest in that order.
        let mut waiting: Vec<(&String, &i64)> = by_id.iter().collect();
        waiting.sort();
        let in_commit_order: Vec<i64> = waiting.iter().map(|(_, p)| **p).collect();
        assert_eq!(in_commit_order, (1..=20).collect::<Vec<i64>>(), "arrival order");
        assert!(enrolled.iter().all(|e| waiting.iter().all(|(w, _)| e < *w)), "places first");
        let course = app.get(&format!("/api/v1/courses/{id}")).token(&s.p.coordinator).send().await;
        assert_eq!(course.body["enrolled"], 10);
        assert_eq!(course.body["waitlisted"], 20);
        // Withdrawing one enrolled participant promotes position 1 and renumbers the rest.
        let (_, _, before) = places(&enrolments(&app, &s.p.coordinator, &id).await);
        let first = before.iter().find(|(_, p)| **p == 1).map(|(id, _)| id.clone()).expect("position 1");
        let second = before.iter().find(|(_, p)| **p == 2).map(|(id, _)| id.clone()).expect("position 2");
        let withdrawn = app.delete(&format!("{path}/{}", enrolled[0])).token(&s.p.coordinator).send().await;
        withdrawn.assert_status(200);
        assert_eq!(withdrawn.body["status"], "withdrawn");
        app.delete(&format!("{path}/{}", enrolled[0])).token(&s.p.coordinator).send().await.assert_problem(409, "conflict");
        let (now_enrolled, positions, after) = places(&enrolments(&app, &s.p.coordinator, &id).await);
        assert_eq!(now_enrolled.len(), 10);
        assert!(now_enrolled.contains(&first), "position 1 moved up");
        assert_eq!(positions, (1..=19).collect::<Vec<i64>>());
        assert_eq!(after.get(&second), Some(&1), "position 2 is now 1");
        // Capacity: never below those enrolled; a raise moves the next ones up.
        let version = app.get(&format!("/api/v1/courses/{id}")).token(&s.p.coordinator).send().await.version();
        let lowered = app.patch(&format!("/api/v1/courses/{id}")).token(&s.p.coordinator).if_match(version).merge_patch(json!({"capacity": 9})).await;
        lowered.assert_problem(409, "conflict");
        let raised = app.patch(&format!("/api/v1/courses/{id}")).token(&s.p.coordinator).if_match(version).merge_patch(json!({"capacity": 12})).await;
        raised.assert_status(200);
        assert_eq!(raised.body["enrolled"], 12);
        assert_eq!(raised.body["waitlisted"], 17);
        let (_, positions, _) = places(&enrolments(&app, &s.p.coordinator, &id).await);
        assert_eq!(positions, (1..=17).collect::<Vec<i64>>());
    }
}

async fn session(app: &TestApp, s: &School, course: &str, starts: &str, ends: &str) -> String {
    let created = app
        .post(&format!("/api/v1/courses/{course}/sessions"))
        .token(&s.p.coordinator)
        .json(json!({"starts_at": starts, "ends_at": ends, "location": "Room 2", "topic": "Hope"}))
        .await;
    created.assert_status(201);
    created.id()
}

async fn attendance(
    app: &TestApp,
    token: &str,
    course: &str,
    session: &str,
    items: Value,
) -> brobygger_tests::Resp {
    app.request(
        "PUT",
        &format!("/api/v1/courses/{course}/sessions/{session}/attendance"),
    )
    .token(token)
    .json(json!({"items": items}))
    .await
}

fn rates(items: &[Value]) -> HashMap<String, Value> {
    items
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap_or_default().to_owned(),
                e["attendance_rate"].clone(),
            )
        })
        .collect()
}

test_both! {
    async fn attendance_is_recorded_per_session_in_one_call_with_rates(app) {
        let s = school(&app).await;
        let id = open_course(&app, &s, 2).await;
        let a = enrol(&app, &s, &id, outsider("A")).await.id();
        let b = enrol(&app, &s, &id, outsider("B")).await.id();
        let c = enrol(&app, &s, &id, outsider("C")).await;
        assert_eq!(c.body["status"], "waitlisted");
        assert_eq!(c.body["waitlist_position"], 1);
        let c = c.id();
        let first = session(&app, &s, &id, "2026-01-05T17:00:00Z", "2026-01-05T19:00:00Z").await;
        let second = session(&app, &s, &id, "2026-01-12T17:00:00Z", "2026-01-12T19:00:00Z").await;
        session(&app, &s, &id, "2099-01-19T17:00:00Z", "2099-01-19T19:00:00Z").await;
        // The peer teacher records the first session, a coordinator the second.
        let recorded = attendance(&app, &s.peer_token, &id, &first, json!([
            {"enrolment_id": a, "status": "present"}, {"enrolment_id": b, "status": "absent"}])).await;
        recorded.assert_status(200);
        assert_eq!(recorded.body["items"].as_array().map(Vec::len), Some(2));
        attendance(&app, &s.p.coordinator, &id, &second, json!([
            {"enrolment_id": a, "status": "present"}, {"enrolment_id": b, "status": "present"}])).await.assert_status(200);
        // Replacing a session's attendance replaces it whole.
        attendance(&app, &s.p.coordinator, &id, &second, json!([
            {"enrolment_id": a, "status": "present"}, {"enrolment_id": b, "status": "excused"}])).await.assert_status(200);
        let items = enrolments(&app, &s.p.coordinator, &id).await;
        let by_id = rates(&items);
        assert_eq!(by_id[&a], json!(1.0));
        assert_eq!(by_id[&b], json!(0.0));
        assert_eq!(by_id[&c], Value::Null);
        let course = app.get(&format!("/api/v1/courses/{id}")).token(&s.p.coordinator).send().await;
        assert_eq!(course.body["sessions_held"], 2);
        assert_eq!(course.body["attendance_rate"], json!(0.5));
        // A waitlisted participant in the body is 422 and nothing is stored.
        let refused = attendance(&app, &s.p.coordinator, &id, &second, json!([
            {"enrolment_id": a, "status": "absent"}, {"enrolment_id": c, "status": "present"}])).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["items/1/enrolment_id"]);
        let unknown = attendance(&app, &s.p.coordinator, &id, &second, json!([
            {"enrolment_id": "0193a5db-0000-7000-8000-000000000099", "status": "absent"}])).await;
        unknown.assert_problem(422, "validation");
        attendance(&app, &s.p.coordinator, &id, &second, json!([
            {"enrolment_id": a, "status": "late"}])).await.assert_problem(422, "validation");
        let again = rates(&enrolments(&app, &s.p.coordinator, &id).await);
        assert_eq!(again[&a], json!(1.0), "nothing stored");
        // A peer worker who does not teach the course sees nothing of it.
        attendance(&app, &s.untrained_token, &id, &first, json!([])).await.assert_problem(404, "not_found");
    }
}

async fn audited(app: &TestApp, citizen: &str) -> Vec<(String, String)> {
    app.audit_events_of(citizen)
        .await
        .iter()
        .filter(|e| e["resource_type"] == "course_enrolment")
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["resource_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

test_both! {
    async fn a_citizens_enrolment_is_consented_audited_exported_and_scoped(app) {
        let s = school(&app).await;
        let id = open_course(&app, &s, 5).await;
        let citizen = app.post("/api/v1/citizens").token(&s.p.coordinator)
            .json(json!({"name": "Jonas Holm", "cpr": "070761-4286", "municipality_code": "630"})).await;
        citizen.assert_status(201);
        let citizen = citizen.id();
        let refused = enrol(&app, &s, &id, json!({"citizen_id": citizen})).await;
        refused.assert_problem(409, "consent_required");
        assert!(refused.text.contains("data_processing"), "{}", refused.text);
        app.post(&format!("/api/v1/citizens/{citizen}/consents")).token(&s.p.coordinator)
            .json(json!({"purpose": "data_processing", "given_on": "2026-01-05", "method": "written"})).await.assert_status(201);
        let enrolled = enrol(&app, &s, &id, json!({"citizen_id": citizen})).await;
        enrolled.assert_status(201);
        assert_eq!(enrolled.body["citizen_id"], citizen.as_str());
        let enrolment = enrolled.id();
        enrol(&app, &s, &id, json!({"citizen_id": citizen})).await.assert_problem(409, "conflict");
        let held = session(&app, &s, &id, "2026-01-05T17:00:00Z", "2026-01-05T19:00:00Z").await;
        attendance(&app, &s.p.coordinator, &id, &held, json!([{"enrolment_id": enrolment, "status": "present"}])).await.assert_status(200);
        enrolments(&app, &s.p.coordinator, &id).await;
        let events = audited(&app, &citizen).await;
        for action in ["create", "record_attendance", "list"] {
            let n = events.iter().filter(|(a, r)| a == action && *r == enrolment).count();
            assert_eq!(n, 1, "{action} once: {events:?}");
        }
        let export = app.get(&format!("/api/v1/citizens/{citizen}/data-export")).token(&s.p.coordinator).send().await;
        export.assert_status(200);
        let exported = &export.body["course_enrolments"][0];
        assert_eq!(exported["id"], enrolment.as_str());
        assert_eq!(exported["attendance"][0]["session_id"], held.as_str());
        assert_eq!(exported["attendance"][0]["status"], "present");
        // The peer teacher sees the course but not the citizen it cannot see; other peer
        // workers and other tenants see nothing.
        app.get(&format!("/api/v1/courses/{id}")).token(&s.peer_token).send().await.assert_status(200);
        let seen = enrolments(&app, &s.peer_token, &id).await;
        assert!(seen.iter().all(|e| e["citizen_id"].is_null()), "{seen:?}");
        app.get(&format!("/api/v1/courses/{id}")).token(&s.untrained_token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/courses/{id}/enrolments")).token(&s.untrained_token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/courses/{id}")).token(&s.p.outsider).send().await.assert_problem(404, "not_found");
        let listed = app.get("/api/v1/courses").token(&s.p.outsider).send().await;
        listed.assert_status(200);
        assert!(listed.ids().is_empty());
        let taught = app.get("/api/v1/courses").token(&s.peer_token).send().await;
        assert_eq!(taught.ids(), [id]);
    }
}

async fn course_count(app: &TestApp) -> usize {
    app.get("/api/v1/courses?limit=100")
        .token(&app.admin_token)
        .send()
        .await
        .ids()
        .len()
}

test_both! {
    async fn bad_input_is_refused_and_nothing_is_stored(app) {
        let s = school(&app).await;
        let before = course_count(&app).await;
        let post = || app.post("/api/v1/courses").token(&s.p.coordinator);
        post().raw("application/json", "{\"title\": ").await.assert_problem(400, "malformed_body");
        let mut wrong = course_body(&s, 10);
        wrong["capacity"] = json!("ten");
        post().json(wrong).await.assert_problem(422, "validation");
        let mut missing = course_body(&s, 10);
        missing.as_object_mut().expect("object").remove("title");
        let refused = post().json(missing).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["title"]);
        let zero = post().json(course_body(&s, 0)).await;
        zero.assert_problem(422, "validation");
        assert_eq!(zero.error_fields(), ["capacity"]);
        let mut format = course_body(&s, 10);
        format["format"] = json!("webinar");
        post().json(format).await.assert_problem(422, "validation");
        assert_eq!(course_count(&app).await, before);
        // Sessions end after they start; enrolments name one kind of participant.
        let id = open_course(&app, &s, 3).await;
        let backwards = app.post(&format!("/api/v1/courses/{id}/sessions")).token(&s.p.coordinator)
            .json(json!({"starts_at": "2026-01-05T19:00:00Z", "ends_at": "2026-01-05T17:00:00Z"})).await;
        backwards.assert_problem(422, "validation");
        assert_eq!(backwards.error_fields(), ["ends_at"]);
        let sessions = app.get(&format!("/api/v1/courses/{id}/sessions")).token(&s.p.coordinator).send().await;
        assert!(sessions.ids().is_empty());
        enrol(&app, &s, &id, json!({"participant_name": "A"})).await.assert_problem(422, "validation");
        enrol(&app, &s, &id, json!({"participant_name": "A", "participant_type": "cousin"})).await.assert_problem(422, "validation");
        assert!(enrolments(&app, &s.p.coordinator, &id).await.is_empty());
        // Another tenant's course does not exist for it; a stale version is 412.
        app.patch(&format!("/api/v1/courses/{id}")).token(&s.p.outsider).if_match(2).merge_patch(json!({"title": "X"})).await.assert_problem(404, "not_found");
        app.patch(&format!("/api/v1/courses/{id}")).token(&s.p.coordinator).if_match(1).merge_patch(json!({"title": "X"})).await.assert_status(412);
        // Enrolment only while open or running.
        let planned = course(&app, &s, 3).await;
        enrol(&app, &s, &planned, outsider("A")).await.assert_problem(409, "conflict");
    }
}

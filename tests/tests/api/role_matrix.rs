//! The role × operation table (`api/src/access/operations.rs`) against the served contract:
//! every operation of the contract has a row (and every row an operation), and every
//! operation is called by every role — an integration client with all scopes and one with
//! none — on real data of the caller's own organisation and on the same data by users of
//! another tenant, each answer checked against the table:
//! - a refused cell: `404` (`N` on a path with an id), `403` (`N` without; `F` on the
//!   caller's own data), `404` (`F` on another tenant's), or `403 insufficient_scope` for a
//!   client without the row's scope;
//! - an allowed cell on the caller's own data: never `401`, `403`, `404` or a server error
//!   (a write with an empty body is a `422`, which still shows it passed access);
//! - another tenant's data: `404` or `422` for a path with an id, never `2xx`, and no list
//!   names the data.
//!
//! The fixture is built once per database and reused by every operation.

use crate::support_courses::{World, course, move_to, world};
use brobygger_api::access::operations::{self, Cell, Operation};
use brobygger_tests::{PASSWORD, Resp, TestApp, test_both};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// Who calls: a role's user of the data's organisation (`own`) or of another tenant.
struct Caller {
    label: String,
    role: &'static str,
    token: String,
    user_id: String,
    organisation_id: String,
    own: bool,
    /// For integration clients: whether the client holds every scope.
    scoped: bool,
}

/// The data the operations are called on, by the collection and parameter of its path.
struct Fixture {
    ids: BTreeMap<&'static str, String>,
    /// The ids no other tenant may ever find in a list.
    secrets: Vec<String>,
    /// The lead coordinator's user id and organisation (another tenant's `/users/{id}` and
    /// `/organisations/{id}`).
    coordinator: (String, String),
}

async fn me(app: &TestApp, token: &str) -> (String, String) {
    let me = app.get("/api/v1/me").token(token).send().await;
    me.assert_status(200);
    let id = |v: &Value| v.as_str().expect("an id").to_owned();
    (
        id(&me.body["user"]["id"]),
        id(&me.body["organisation"]["id"]),
    )
}

async fn created(answer: Resp) -> String {
    answer.assert_status(201);
    answer.id()
}

async fn client(app: &TestApp, name: &str, organisation: &str, scopes: &[&str]) -> String {
    let made = app
        .post("/api/v1/users")
        .token(&app.admin_token)
        .json(
            json!({"username": name, "display_name": name, "role": "integration",
            "organisation_id": organisation, "scopes": scopes}),
        )
        .await;
    made.assert_status(201);
    let tokens = app
        .post("/api/v1/auth/token")
        .json(
            json!({"grant_type": "client_credentials", "client_id": made.body["client_id"],
            "client_secret": made.body["client_secret"]}),
        )
        .await;
    tokens.assert_status(200);
    tokens.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

const ALL_SCOPES: &[&str] = &[
    "citizens:read",
    "citizens:write",
    "support_courses:read",
    "courses:read",
    "referrals:read",
    "programmes:read",
    "workforce:read",
    "reports:read",
    "exports:read",
];

/// The data of Vejle's programmes: a support course guided by a peer worker, with a goal, a
/// contact, consents, employment and a referral sent to a jobcentre; a course of the teaching
/// model taught by the peer worker; a cohort; a supervision session; a pending invitation.
async fn fixture(app: &TestApp, w: &World) -> Fixture {
    let p = &w.p;
    let c = &p.coordinator;
    let mut ids = BTreeMap::new();
    let scourse = course(app, w, &w.citizen, "peer_guide", Some(&w.guide)).await;
    for to in ["matched", "active"] {
        move_to(app, c, &scourse, to).await.assert_status(200);
    }
    let path = |p: &str| format!("/api/v1/support-courses/{scourse}/{p}");
    let goal = app
        .post(&path("goals"))
        .token(&w.guide_token)
        .json(json!({"text": "Back to my studies", "domain": "education"}))
        .await;
    ids.insert("goals", created(goal).await);
    let contact = app
        .post(&path("contacts"))
        .token(&w.guide_token)
        .json(json!({"date": "2026-01-10", "minutes": 60, "mode": "in_person"}))
        .await;
    created(contact).await;
    let consents = format!("/api/v1/citizens/{}/consents", w.citizen);
    for purpose in ["data_processing", "share_with_jobcentre"] {
        let given = app
            .post(&consents)
            .token(c)
            .json(json!({"purpose": purpose, "given_on": "2026-01-05", "method": "written"}))
            .await;
        created(given).await;
    }
    // The consent the matrix may withdraw: one no referral rests on.
    let spare = app.post(&consents).token(c)
        .json(json!({"purpose": "share_with_employer", "given_on": "2026-01-05", "method": "written"})).await;
    ids.insert("consents", created(spare).await);
    let started = app
        .post(&format!(
            "/api/v1/citizens/{}/employment-statuses",
            w.citizen
        ))
        .token(c)
        .json(json!({"effective_on": "2026-01-31", "status": "employed_ordinary"}))
        .await;
    started.assert_status(201);
    ids.insert("employment-statuses", started.id());
    let check = started.body["retention_check_ids"][0]
        .as_str()
        .expect("a check")
        .to_owned();
    ids.insert("retention-checks", check);
    // A referral sent to a jobcentre, whose professional is the matrix's professional.
    let jobcentre = app
        .organisation(
            "Jobcenter Vejle",
            "jobcentre",
            json!({"municipality_code": "630"}),
        )
        .await;
    let referral = app
        .post("/api/v1/referrals")
        .token(&w.guide_token)
        .json(
            json!({"support_course_id": scourse, "target_organisation_id": jobcentre,
            "purpose": "Et fleksjob på 15 timer om ugen", "requested_by_citizen": true}),
        )
        .await;
    let referral = created(referral).await;
    app.post(&format!("/api/v1/referrals/{referral}/transitions"))
        .token(&w.guide_token)
        .json(json!({"to": "sent"}))
        .await
        .assert_status(200);
    ids.insert("referrals", referral);
    // The teaching model: a course of the lead programme the peer worker teaches.
    let pw = format!("/api/v1/peer-workers/{}", w.guide);
    app.post(&format!("{pw}/qualifications")).token(c)
        .json(json!({"kind": "peer_teacher", "evidence": "Recovery College Vejle", "earned_on": "2026-01-15"}))
        .await.assert_status(201);
    let tcourse = app
        .post("/api/v1/courses")
        .token(c)
        .json(
            json!({"programme_id": p.programme_id, "title": "Recovery in everyday life",
            "format": "recovery_college", "provider_organisation_id": p.vejle, "capacity": 10,
            "co_created_by": ["citizen", "peer", "professional"]}),
        )
        .await;
    let tcourse = created(tcourse).await;
    let teachers = format!("/api/v1/courses/{tcourse}/teachers");
    app.post(&teachers)
        .token(c)
        .json(json!({"peer_worker_id": w.guide}))
        .await
        .assert_status(201);
    let (pro_teacher, _) = app
        .user_with_token("teacher.pro", "professional", &p.vejle)
        .await;
    let teacher = app
        .post(&teachers)
        .token(c)
        .json(json!({"user_id": pro_teacher}))
        .await;
    ids.insert("teachers", created(teacher).await);
    app.post(&format!("/api/v1/courses/{tcourse}/transitions"))
        .token(c)
        .json(json!({"to": "open_for_enrolment"}))
        .await
        .assert_status(200);
    let enrolment = app
        .post(&format!("/api/v1/courses/{tcourse}/enrolments"))
        .token(c)
        .json(json!({"participant_name": "Hanne Jensen", "participant_type": "relative"}))
        .await;
    ids.insert("courses/enrolments", created(enrolment).await);
    let session = app.post(&format!("/api/v1/courses/{tcourse}/sessions")).token(c)
        .json(json!({"starts_at": "2026-03-01T17:00:00Z", "ends_at": "2026-03-01T19:00:00Z", "location": "Room 2", "topic": "Hope"})).await;
    ids.insert("sessions", created(session).await);
    ids.insert("courses", tcourse);
    // Peer education and supervision (supervised by the jobcentre's professional).
    let cohort = app
        .post("/api/v1/training-cohorts")
        .token(c)
        .json(
            json!({"programme_id": w.programme, "provider_organisation_id": p.vejle,
            "start_date": "2026-03-01", "end_date": "2026-06-30", "grants": ["peer_guide"]}),
        )
        .await;
    let cohort = created(cohort).await;
    let enrolled = app
        .post(&format!("/api/v1/training-cohorts/{cohort}/enrolments"))
        .token(c)
        .json(json!({"peer_worker_id": w.guide}))
        .await;
    ids.insert("training-cohorts/enrolments", created(enrolled).await);
    ids.insert("training-cohorts", cohort);
    // The matrix's professional: of the jobcentre, supervising the peer worker.
    let supervisor = app.user("jc.vejle", "professional", &jobcentre).await;
    let supervision = app
        .post("/api/v1/supervision-sessions")
        .token(&app.admin_token)
        .json(
            json!({"date": "2026-02-01", "supervisor_user_id": supervisor, "format": "group",
            "peer_worker_ids": [w.guide]}),
        )
        .await;
    ids.insert("supervision-sessions", created(supervision).await);
    // The dataset the matrix exports.
    ids.insert("exports", "contacts".to_owned());
    // An advisory process of the programme, advised by its lead, on a partner municipality.
    let advisory = app
        .post("/api/v1/advisory-processes")
        .token(c)
        .json(
            json!({"programme_id": w.programme, "municipality_code": "621",
            "advising_organisation_id": p.vejle, "start_date": "2026-02-01"}),
        )
        .await;
    ids.insert("advisory-processes", created(advisory).await);
    // The programme's partner, a target and a pending invitation of a fourth organisation.
    let programme = format!("/api/v1/programmes/{}", w.programme);
    let target = app
        .post(&format!("{programme}/targets"))
        .token(c)
        .json(json!({"metric": "citizens_reached", "value": 250}))
        .await;
    ids.insert("targets", created(target).await);
    for (name, code, key) in [
        ("Odense Kommune", "461", "partner-invitations"),
        ("Esbjerg Kommune", "561", "partner-invitations/decline"),
    ] {
        let invited_organisation = app.municipality(name, code).await;
        let invited = app
            .post(&format!("{programme}/partners"))
            .token(c)
            .json(json!({"organisation_id": invited_organisation, "role": "partner"}))
            .await;
        ids.insert(key, created(invited).await);
    }
    let partners = app
        .get(&format!("{programme}/partners"))
        .token(c)
        .send()
        .await;
    partners.assert_status(200);
    let kolding = partners.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["organisation_id"] == json!(w.p.kolding))
        .expect("Kolding is a partner");
    ids.insert("partners", kolding["id"].as_str().expect("id").to_owned());
    ids.insert("programmes", w.programme.clone());
    ids.insert("citizens", w.citizen.clone());
    ids.insert("support-courses", scourse);
    ids.insert("peer-workers", w.guide.clone());
    let mut secrets: Vec<String> = [
        "citizens",
        "support-courses",
        "referrals",
        "courses",
        "training-cohorts",
        "supervision-sessions",
        "retention-checks",
        "employment-statuses",
        "goals",
        "programmes",
        "peer-workers",
    ]
    .iter()
    .map(|k| ids[k].clone())
    .collect();
    secrets.push(w.other_citizen.clone());
    Fixture {
        ids,
        secrets,
        coordinator: me(app, c).await,
    }
}

async fn callers(app: &TestApp, w: &World) -> Vec<Caller> {
    let p = &w.p;
    let mut callers = Vec::new();
    // Another tenant first: its calls must change nothing the own calls then read.
    callers.push(
        caller(
            app,
            "coordinator of Aarhus",
            "coordinator",
            p.outsider.clone(),
            false,
            false,
        )
        .await,
    );
    for role in ["peer_worker", "professional", "evaluator"] {
        let (_, token) = app
            .user_with_token(&format!("aarhus-{role}"), role, &p.aarhus)
            .await;
        callers.push(caller(app, &format!("{role} of Aarhus"), role, token, false, false).await);
    }
    let aarhus_client = client(app, "aarhus-esdh", &p.aarhus, ALL_SCOPES).await;
    callers.push(
        caller(
            app,
            "integration of Aarhus (every scope)",
            "integration",
            aarhus_client,
            false,
            true,
        )
        .await,
    );
    // The data's own organisation (the professional: of the jobcentre the referral was sent to).
    callers.push(caller(app, "admin", "admin", app.admin_token.clone(), true, false).await);
    callers.push(
        caller(
            app,
            "coordinator of Vejle",
            "coordinator",
            p.coordinator.clone(),
            true,
            false,
        )
        .await,
    );
    callers.push(
        caller(
            app,
            "the guiding peer worker",
            "peer_worker",
            w.guide_token.clone(),
            true,
            false,
        )
        .await,
    );
    let jobcentre_pro = app.login("jc.vejle", PASSWORD).await;
    callers.push(
        caller(
            app,
            "professional of the jobcentre",
            "professional",
            jobcentre_pro,
            true,
            false,
        )
        .await,
    );
    let evaluator = app
        .user_with_token("evaluator", "evaluator", &p.vejle)
        .await
        .1;
    callers.push(
        caller(
            app,
            "evaluator of Vejle",
            "evaluator",
            evaluator,
            true,
            false,
        )
        .await,
    );
    let full = client(app, "vejle-esdh", &p.vejle, ALL_SCOPES).await;
    callers.push(
        caller(
            app,
            "integration of Vejle (every scope)",
            "integration",
            full,
            true,
            true,
        )
        .await,
    );
    let bare = client(app, "vejle-bare", &p.vejle, &[]).await;
    callers.push(
        caller(
            app,
            "integration of Vejle (no scope)",
            "integration",
            bare,
            true,
            false,
        )
        .await,
    );
    callers
}

async fn caller(
    app: &TestApp,
    label: &str,
    role: &'static str,
    token: String,
    own: bool,
    scoped: bool,
) -> Caller {
    let (user_id, organisation_id) = me(app, &token).await;
    Caller {
        label: label.to_owned(),
        role,
        token,
        user_id,
        organisation_id,
        own,
        scoped,
    }
}

/// The concrete path of `template` for `caller`.
fn concrete(template: &str, f: &Fixture, caller: &Caller) -> String {
    let segments: Vec<&str> = template.split('/').collect();
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if !segment.starts_with('{') {
            out.push(segment.to_string());
            continue;
        }
        let collection = segments[i - 1];
        let id = match collection {
            "users" if caller.own => caller.user_id.clone(),
            "users" => f.coordinator.0.clone(),
            "organisations" if caller.own => caller.organisation_id.clone(),
            "organisations" => f.coordinator.1.clone(),
            "enrolments" => f.ids[format!("{}/enrolments", segments[3]).as_str()].clone(),
            "partner-invitations" if template.ends_with("/decline") => {
                f.ids["partner-invitations/decline"].clone()
            }
            other => f
                .ids
                .get(other)
                .unwrap_or_else(|| panic!("no fixture id for {template}"))
                .clone(),
        };
        out.push(id);
    }
    out.join("/")
}

/// Calls `method` on `path` with `body` (for `POST` and `PUT`; a `PATCH` sends an empty merge
/// patch).
async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> Resp {
    let key = uuid::Uuid::now_v7().to_string();
    let req = app.request(method, path).token(token);
    match method {
        "GET" => req.send().await,
        "DELETE" => req.header("idempotency-key", &key).send().await,
        "PATCH" => {
            req.if_match(1)
                .header("idempotency-key", &key)
                .merge_patch(json!({}))
                .await
        }
        _ => req.header("idempotency-key", &key).json(body).await,
    }
}

fn mentions(body: &Value, id: &str) -> bool {
    let mut body = body.clone();
    if let Some(problem) = body.as_object_mut() {
        problem.remove("instance");
    }
    body.to_string().contains(id)
}

fn role_of(caller: &Caller) -> brobygger_api::access::operations::Role {
    *operations::ROLES
        .iter()
        .find(|r| r.as_str() == caller.role)
        .expect("a role")
}

/// Calls the table allows whose own-data answer is still a refusal of a finer rule, with why.
const FINER: &[(&str, &str, &str, &str)] = &[
    (
        "POST",
        "/api/v1/partner-invitations/{id}/accept",
        "coordinator of Vejle",
        "only the invited organisation answers an invitation; the inviting side sees it (to follow it), not to answer it",
    ),
    (
        "POST",
        "/api/v1/partner-invitations/{id}/decline",
        "coordinator of Vejle",
        "as for accept",
    ),
];

/// The answer the table gives `caller`, as `(status, code)`, or `None` when it allows.
fn refusal(op: &Operation, caller: &Caller) -> Option<(u16, &'static str)> {
    match op.cell(role_of(caller)) {
        Cell::N if op.path.contains('{') => Some((404, "not_found")),
        Cell::N | Cell::X => Some((403, "forbidden")),
        // Refused once found: 403 on what the caller sees, 404 on another tenant's data.
        Cell::F if caller.own => Some((403, "forbidden")),
        Cell::F => Some((404, "not_found")),
        Cell::Y if caller.role == "integration" && op.scope().is_some() && !caller.scoped => {
            Some((403, "insufficient_scope"))
        }
        Cell::Y => None,
    }
}

/// The contract's operations as `(METHOD, path)` with the example of their request body.
async fn contract(app: &TestApp) -> Vec<(String, String, Value)> {
    let served = app.get("/api/v1/openapi.json").send().await;
    served.assert_status(200);
    let document = &served.body;
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(operation) = item.get(method) {
                let content = &operation["requestBody"]["content"]["application/json"];
                let named = content["schema"]["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next());
                let example = match (&content["example"], named) {
                    (Value::Null, Some(name)) => {
                        document["components"]["schemas"][name]["example"].clone()
                    }
                    (example, _) => example.clone(),
                };
                operations.push((method.to_uppercase(), path.clone(), example));
            }
        }
    }
    operations
}

test_both! {
    async fn every_operation_of_the_contract_answers_every_role_as_the_table_says(app) {
        let contract = contract(&app).await;
        let missing: Vec<String> = contract.iter()
            .filter(|(m, p, _)| operations::find(m, p).is_none())
            .map(|(m, p, _)| format!("{m} {p}")).collect();
        assert!(missing.is_empty(), "operations of the contract without a row in access/operations.rs: {missing:?}");
        let examples: BTreeMap<(String, String), Value> = contract.iter()
            .map(|(m, p, e)| ((m.clone(), p.clone()), e.clone())).collect();
        let served: HashSet<(String, String)> = examples.keys().cloned().collect();
        let stale: Vec<String> = operations::OPERATIONS.iter()
            .filter(|o| !served.contains(&(o.method.to_owned(), o.path.to_owned())))
            .map(|o| format!("{} {}", o.method, o.path)).collect();
        assert!(stale.is_empty(), "rows of access/operations.rs for no operation of the contract: {stale:?}");

        let w = world(&app).await;
        let f = fixture(&app, &w).await;
        let callers = callers(&app, &w).await;
        // Deletions and anonymisation last, so that nothing else loses its data to them.
        let mut rows: Vec<&Operation> = operations::OPERATIONS.iter().filter(|o| !o.is_public()).collect();
        rows.sort_by_key(|o| o.method == "DELETE" || o.path.ends_with("/anonymise"));
        let mut failures = Vec::new();
        let mut done_once = HashSet::new();
        let mut calls = 0;
        for op in rows {
            for caller in &callers {
                let path = concrete(op.path, &f, caller);
                // A call the resource function refuses (`F`) sends the contract's example, so
                // that it meets that refusal rather than the body's checks; the others an
                // empty body (allowed writes then stop at `422`).
                let example = &examples[&(op.method.to_owned(), op.path.to_owned())];
                let body = if op.cell(role_of(caller)) == Cell::F && !example.is_null() { example.clone() } else { json!({}) };
                let answer = call(&app, op.method, &path, &caller.token, body).await;
                calls += 1;
                let what = format!("{} {} as {}: {} {}", op.method, op.path, caller.label, answer.status, answer.code());
                if answer.status >= 500 || answer.status == 401 {
                    failures.push(what);
                    continue;
                }
                match refusal(op, caller) {
                    Some((status, code)) => {
                        if answer.status != status || answer.code() != code {
                            failures.push(format!("{what}; the table says {status} {code}"));
                        }
                        if code == "insufficient_scope" {
                            let challenge = answer.header("www-authenticate").unwrap_or_default();
                            if !challenge.contains("error=\"insufficient_scope\"") {
                                failures.push(format!("{what}: WWW-Authenticate {challenge:?}"));
                            }
                        }
                    }
                    None if caller.own => {
                        let gone = op.method == "DELETE" && done_once.contains(&path);
                        let finer = FINER.iter().any(|(m, p, who, _)| *m == op.method && *p == op.path && *who == caller.label);
                        if (answer.status == 403 || answer.status == 404) && !gone && !finer {
                            failures.push(format!("{what}; the table allows it"));
                        }
                        if answer.status < 300 {
                            done_once.insert(path);
                        }
                    }
                    None => {
                        // A dataset's name is not another tenant's resource: an export
                        // answers with the caller's own rows, and must name none of these.
                        let has_id = op.path.contains('{') && !op.path.ends_with("{dataset}");
                        if has_id && !(answer.status == 404 || answer.status == 422) {
                            failures.push(format!("{what}; another tenant's data must be 404 or 422"));
                        }
                        let named = |s: &&String| mentions(&answer.body, s) || (answer.body.is_null() && answer.text.contains(s.as_str()));
                        if let Some(secret) = f.secrets.iter().find(named) {
                            failures.push(format!("{what}: names {secret}"));
                        }
                    }
                }
            }
        }
        eprintln!("role matrix: {calls} calls, {} operations × {} callers", calls / callers.len(), callers.len());
        assert!(failures.is_empty(), "{} of {calls} calls differ from the table:\n{}", failures.len(), failures.join("\n"));
    }
}

//! The programme report: every figure against a small data set built through the API, for the
//! whole period, a period that cuts through it and one municipality; who may read it.

use crate::programmes::{Partnership, partnership};
use brobygger_tests::{PASSWORD, Resp, TestApp, test_both};
use chrono::{NaiveDate, TimeDelta};
use serde_json::{Value, json};

struct Scenario {
    p: Partnership,
    programme: String,
    today: NaiveDate,
    evaluator: String,
    peer_token: String,
}

fn day(today: NaiveDate, offset: i64) -> String {
    (today + TimeDelta::days(offset)).to_string()
}

async fn ok(response: Resp) -> String {
    assert!(
        (200..300).contains(&response.status),
        "{}: {}",
        response.status,
        response.text
    );
    response.body["id"].as_str().unwrap_or_default().to_owned()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    ok(app.post(path).token(token).json(body).await).await
}

async fn peer(app: &TestApp, s: &Scenario, name: &str, codes: Value, user: Option<&str>) -> String {
    let mut body = json!({"name": name, "organisation_id": s.p.vejle, "engagement": "volunteer",
        "programme_ids": [s.programme], "municipality_codes": codes, "languages": ["da"], "capacity": 3});
    if let Some(user) = user {
        body["user_id"] = json!(user);
    }
    post(app, &s.p.coordinator, "/api/v1/peer-workers", body).await
}

async fn citizen(app: &TestApp, s: &Scenario, name: &str, code: &str) -> String {
    post(
        app,
        &s.p.coordinator,
        "/api/v1/citizens",
        json!({"name": name, "municipality_code": code}),
    )
    .await
}

async fn support_course(
    app: &TestApp,
    s: &Scenario,
    citizen: &str,
    model: &str,
    guide: Option<&str>,
) -> String {
    let mut body = json!({"citizen_id": citizen, "model": model, "programme_id": s.programme});
    if let Some(guide) = guide {
        body["peer_worker_id"] = json!(guide);
        let id = post(app, &s.p.coordinator, "/api/v1/support-courses", body).await;
        for to in ["matched", "active"] {
            post(
                app,
                &s.p.coordinator,
                &format!("/api/v1/support-courses/{id}/transitions"),
                json!({"to": to}),
            )
            .await;
        }
        return id;
    }
    post(app, &s.p.coordinator, "/api/v1/support-courses", body).await
}

/// A coordinator's report with every figure as a plain number: each `{"value": …,
/// "suppressed": false}` replaced by its value (none may be suppressed).
fn exact(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 2 && m.contains_key("suppressed") => {
            assert_eq!(m["suppressed"], false, "suppressed in an exact report: {v}");
            m["value"].clone()
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), exact(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(exact).collect()),
        other => other.clone(),
    }
}

async fn report(app: &TestApp, token: &str, s: &Scenario, query: &str) -> Value {
    exact(&raw_report(app, token, s, query).await)
}

async fn raw_report(app: &TestApp, token: &str, s: &Scenario, query: &str) -> Value {
    let response = app
        .get(&format!(
            "/api/v1/programmes/{}/report?{query}",
            s.programme
        ))
        .token(token)
        .send()
        .await;
    response.assert_status(200);
    response.body.clone()
}

/// The data set of the report (see the test for the hand counts).
async fn scenario(app: &TestApp) -> Scenario {
    let p = partnership(app).await;
    let today = app.clock.now().date_naive();
    let programme = post(
        app,
        &p.coordinator,
        "/api/v1/programmes",
        json!({"name": "Peer-støtte i Trekantområdet",
        "start_date": day(today, -400), "end_date": day(today, 400),
        "models": ["peer_guide", "employment_support", "peer_teaching"]}),
    )
    .await;
    post(
        app,
        &app.admin_token,
        &format!("/api/v1/programmes/{programme}/partners"),
        json!({"organisation_id": p.kolding, "role": "partner"}),
    )
    .await;
    let (_, evaluator) = app
        .user_with_token("evaluator", "evaluator", &p.kolding)
        .await;
    let (guide_user, peer_token) = app.user_with_token("guide", "peer_worker", &p.vejle).await;
    let professional = app.user("teacher.pro", "professional", &p.vejle).await;
    let jobcentre = app
        .organisation(
            "Jobcenter Vejle",
            "jobcentre",
            json!({"municipality_code": "630"}),
        )
        .await;
    app.user("jc.vejle", "professional", &jobcentre).await;
    let s = Scenario {
        p,
        programme,
        today,
        evaluator,
        peer_token,
    };
    let c = s.p.coordinator.clone();

    // Peers: a guide serving 630 (active, trained, supervised), a recruit serving 621.
    let guide = peer(app, &s, "Anna Nielsen", json!(["630"]), Some(&guide_user)).await;
    peer(app, &s, "Bo Larsen", json!(["621"]), None).await;
    for to in ["in_training", "active"] {
        post(
            app,
            &c,
            &format!("/api/v1/peer-workers/{guide}/transitions"),
            json!({"to": to}),
        )
        .await;
    }
    let cohort = post(app, &c, "/api/v1/training-cohorts", json!({"programme_id": s.programme,
        "provider_organisation_id": s.p.vejle, "start_date": day(today, -90), "end_date": day(today, -30),
        "grants": ["peer_guide", "peer_teacher"]})).await;
    let enrolment = post(
        app,
        &c,
        &format!("/api/v1/training-cohorts/{cohort}/enrolments"),
        json!({"peer_worker_id": guide}),
    )
    .await;
    ok(app
        .patch(&format!(
            "/api/v1/training-cohorts/{cohort}/enrolments/{enrolment}"
        ))
        .token(&c)
        .if_match(1)
        .merge_patch(json!({"outcome": "completed", "completed_on": day(today, -30)}))
        .await)
    .await;
    post(
        app,
        &c,
        "/api/v1/supervision-sessions",
        json!({"date": day(today, -7),
        "supervisor_user_id": professional, "format": "group", "peer_worker_ids": [guide]}),
    )
    .await;

    // Citizens, support courses, contacts, goals.
    let jonas = citizen(app, &s, "Jonas Holm", "630").await;
    let mette = citizen(app, &s, "Mette Berg", "630").await;
    let karen = citizen(app, &s, "Karen Dahl", "621").await;
    for purpose in ["data_processing", "share_with_jobcentre"] {
        post(
            app,
            &c,
            &format!("/api/v1/citizens/{jonas}/consents"),
            json!({"purpose": purpose, "given_on": day(today, -50), "method": "written"}),
        )
        .await;
    }
    let a = support_course(app, &s, &jonas, "peer_guide", Some(&guide)).await;
    support_course(app, &s, &mette, "employment_support", None).await;
    let k = support_course(app, &s, &karen, "employment_support", Some(&guide)).await;
    for (course, offset, minutes) in [(&a, -40, 60), (&a, -5, 90), (&k, -5, 30)] {
        post(
            app,
            &s.peer_token,
            &format!("/api/v1/support-courses/{course}/contacts"),
            json!({"date": day(today, offset), "minutes": minutes, "mode": "in_person"}),
        )
        .await;
    }
    for text in ["Komme i arbejde", "Flytte i egen bolig"] {
        post(
            app,
            &s.peer_token,
            &format!("/api/v1/support-courses/{a}/goals"),
            json!({"text": text, "domain": "work"}),
        )
        .await;
    }
    let goals = app
        .get(&format!("/api/v1/support-courses/{a}/goals"))
        .token(&c)
        .send()
        .await;
    let first = goals.ids()[0].clone();
    ok(app
        .patch(&format!("/api/v1/support-courses/{a}/goals/{first}"))
        .token(&s.peer_token)
        .if_match(1)
        .merge_patch(json!({"status": "achieved"}))
        .await)
    .await;

    // Employment: Jonas started 100 days ago (3-month check retained), Karen 20 days ago.
    let checks = app
        .post(&format!("/api/v1/citizens/{jonas}/employment-statuses"))
        .token(&c)
        .json(json!({"effective_on": day(today, -100), "status": "employed_ordinary"}))
        .await;
    checks.assert_status(201);
    let three = checks.body["retention_check_ids"][0]
        .as_str()
        .expect("a check")
        .to_owned();
    ok(app
        .patch(&format!("/api/v1/retention-checks/{three}"))
        .token(&c)
        .if_match(1)
        .merge_patch(json!({"outcome": "retained", "recorded_on": day(today, -1)}))
        .await)
    .await;
    post(
        app,
        &c,
        &format!("/api/v1/citizens/{karen}/employment-statuses"),
        json!({"effective_on": day(today, -20), "status": "employed_flexjob"}),
    )
    .await;

    // A course: Jonas and a relative, two sessions with attendance.
    // The cohort granted the guide peer_teacher too.
    let course = post(
        app,
        &c,
        "/api/v1/courses",
        json!({"programme_id": s.programme, "title": "Recovery",
        "format": "recovery_college", "provider_organisation_id": s.p.vejle, "capacity": 5,
        "co_created_by": ["peer", "professional"]}),
    )
    .await;
    post(
        app,
        &c,
        &format!("/api/v1/courses/{course}/teachers"),
        json!({"user_id": professional}),
    )
    .await;
    post(
        app,
        &c,
        &format!("/api/v1/courses/{course}/teachers"),
        json!({"peer_worker_id": guide}),
    )
    .await;
    post(
        app,
        &c,
        &format!("/api/v1/courses/{course}/transitions"),
        json!({"to": "open_for_enrolment"}),
    )
    .await;
    let jonas_place = post(
        app,
        &c,
        &format!("/api/v1/courses/{course}/enrolments"),
        json!({"citizen_id": jonas}),
    )
    .await;
    let relative = post(
        app,
        &c,
        &format!("/api/v1/courses/{course}/enrolments"),
        json!({"participant_name": "Lis Holm", "participant_type": "relative"}),
    )
    .await;
    for (offset, other) in [(-14, "absent"), (-2, "present")] {
        let starts = format!("{}T17:00:00Z", day(today, offset));
        let ends = format!("{}T19:00:00Z", day(today, offset));
        let session = post(
            app,
            &c,
            &format!("/api/v1/courses/{course}/sessions"),
            json!({"starts_at": starts, "ends_at": ends}),
        )
        .await;
        let recorded = app
            .request(
                "PUT",
                &format!("/api/v1/courses/{course}/sessions/{session}/attendance"),
            )
            .token(&c)
            .json(
                json!({"items": [{"enrolment_id": jonas_place, "status": "present"},
                {"enrolment_id": relative, "status": other}]}),
            )
            .await;
        recorded.assert_status(200);
    }

    // Targets.
    for (metric, value) in [
        ("citizens_reached", 10),
        ("peers_trained", 2),
        ("referrals_made", 4),
    ] {
        post(
            app,
            &c,
            &format!("/api/v1/programmes/{}/targets", s.programme),
            json!({"metric": metric, "value": value}),
        )
        .await;
    }

    // A referral sent today and accepted three days later; a draft never sent.
    let body = json!({"support_course_id": a, "target_organisation_id": jobcentre,
        "purpose": "Et fleksjob på 15 timer", "requested_by_citizen": true});
    let referral = post(app, &s.peer_token, "/api/v1/referrals", body.clone()).await;
    post(app, &s.peer_token, "/api/v1/referrals", body).await;
    post(
        app,
        &s.peer_token,
        &format!("/api/v1/referrals/{referral}/transitions"),
        json!({"to": "sent"}),
    )
    .await;
    app.clock.advance(TimeDelta::days(3));
    let pro = app.login("jc.vejle", PASSWORD).await;
    for to in ["acknowledged", "accepted"] {
        post(
            app,
            &pro,
            &format!("/api/v1/referrals/{referral}/transitions"),
            json!({"to": to}),
        )
        .await;
    }
    let mut s = s;
    s.p.coordinator = app.login("coordinator", PASSWORD).await;
    s.evaluator = app.login("evaluator", PASSWORD).await;
    s.peer_token = app.login("guide", PASSWORD).await;
    s
}

fn period(s: &Scenario, from: i64, to: i64) -> String {
    format!("from={}&to={}", day(s.today, from), day(s.today, to))
}

test_both! {
    async fn every_figure_equals_the_hand_count_for_the_whole_period(app) {
        let s = scenario(&app).await;
        let r = report(&app, &s.p.coordinator, &s, &period(&s, -400, 400)).await;
        assert_eq!(r["peers"], json!({"recruited": 2, "trained": 1, "active": 1, "supervised": 1, "supervision_coverage": 1.0}));
        assert_eq!(r["citizens_reached"], 3);
        assert_eq!(r["support_courses"], json!({"started": 3, "by_model_and_status": [
            {"model": "peer_guide", "status": "active", "count": 1},
            {"model": "employment_support", "status": "requested", "count": 1},
            {"model": "employment_support", "status": "active", "count": 1}]}));
        assert_eq!(r["contacts"], json!({"count": 3, "minutes": 180, "hours": 3.0}));
        assert_eq!(r["goals"], json!([{"status": "open", "count": 1}, {"status": "achieved", "count": 1}]));
        assert_eq!(r["courses"], json!([{"format": "recovery_college", "courses": 1, "sessions": 2,
            "participants": 2, "attendance_rate": 0.75}]));
        assert_eq!(r["participants"], json!([{"participant_type": "citizen", "count": 1},
            {"participant_type": "relative", "count": 1}]));
        assert_eq!(r["referrals"], json!({"sent": 1, "by_target_kind_and_status": [
            {"target_kind": "jobcentre", "status": "accepted", "count": 1}],
            "accepted": 1, "median_days_sent_to_accepted": 3.0}));
        assert_eq!(r["employment"], json!({"moves": 2, "citizens": 2, "retention": [
            {"months_after": 3, "retained": 1, "not_retained": 0, "unknown": 0, "pending": 1, "rate": 1.0},
            {"months_after": 6, "retained": 0, "not_retained": 0, "unknown": 0, "pending": 2, "rate": null},
            {"months_after": 12, "retained": 0, "not_retained": 0, "unknown": 0, "pending": 2, "rate": null}]}));
        assert_eq!(r["targets"], json!([
            {"metric": "citizens_reached", "target": 10, "deadline": null, "measured": 3, "share": 0.3},
            {"metric": "peers_trained", "target": 2, "deadline": null, "measured": 1, "share": 0.5},
            {"metric": "referrals_made", "target": 4, "deadline": null, "measured": 1, "share": 0.25}]));
        // Aggregates only: no citizen's name or id anywhere.
        for name in ["Jonas", "Mette", "Karen", "Lis Holm", "fleksjob"] {
            assert!(!r.to_string().contains(name), "{name} in the report");
        }
    }
}

test_both! {
    async fn a_period_that_cuts_through_counts_only_its_facts(app) {
        let s = scenario(&app).await;
        let r = report(&app, &s.p.coordinator, &s, &period(&s, -60, -10)).await;
        assert_eq!(r["peers"], json!({"recruited": 0, "trained": 1, "active": 1, "supervised": 0, "supervision_coverage": 0.0}));
        assert_eq!(r["citizens_reached"], 0);
        assert_eq!(r["support_courses"], json!({"started": 0, "by_model_and_status": []}));
        assert_eq!(r["contacts"], json!({"count": 1, "minutes": 60, "hours": 1.0}));
        assert_eq!(r["goals"], json!([]));
        assert_eq!(r["courses"], json!([{"format": "recovery_college", "courses": 1, "sessions": 1,
            "participants": 2, "attendance_rate": 0.5}]));
        assert_eq!(r["referrals"], json!({"sent": 0, "by_target_kind_and_status": [], "accepted": 0,
            "median_days_sent_to_accepted": null}));
        assert_eq!(r["employment"]["moves"], 1);
        assert_eq!(r["employment"]["citizens"], 1);
        let pending: Vec<i64> = r["employment"]["retention"].as_array().expect("retention").iter()
            .map(|c| c["pending"].as_i64().unwrap_or(-1)).collect();
        assert_eq!(pending, [1, 1, 1]);
        let measured: Vec<(i64, Value)> = r["targets"].as_array().expect("targets").iter()
            .map(|t| (t["measured"].as_i64().unwrap_or(-1), t["share"].clone())).collect();
        assert_eq!(measured, [(0, json!(0.0)), (1, json!(0.5)), (0, json!(0.0))]);
    }
}

test_both! {
    async fn one_municipality_counts_its_citizens_peers_and_providers(app) {
        let s = scenario(&app).await;
        let query = format!("{}&municipality_code=621", period(&s, -400, 400));
        let r = report(&app, &s.p.coordinator, &s, &query).await;
        assert_eq!(r["municipality_code"], "621");
        assert_eq!(r["peers"], json!({"recruited": 1, "trained": 0, "active": 0, "supervised": 0, "supervision_coverage": null}));
        assert_eq!(r["citizens_reached"], 1);
        assert_eq!(r["support_courses"], json!({"started": 1, "by_model_and_status": [
            {"model": "employment_support", "status": "active", "count": 1}]}));
        assert_eq!(r["contacts"], json!({"count": 1, "minutes": 30, "hours": 0.5}));
        assert_eq!(r["goals"], json!([]));
        assert_eq!(r["courses"], json!([]));
        assert_eq!(r["participants"], json!([]));
        assert_eq!(r["referrals"]["sent"], 0);
        assert_eq!(r["employment"]["moves"], 1);
        assert_eq!(r["targets"][0]["measured"], 1);
        assert_eq!(r["targets"][0]["share"], json!(0.1));
    }
}

test_both! {
    async fn evaluators_read_the_report_and_others_get_404_and_bad_periods_422(app) {
        let p = partnership(&app).await;
        let (_, evaluator) = app.user_with_token("evaluator", "evaluator", &p.kolding).await;
        let (_, peer) = app.user_with_token("peer", "peer_worker", &p.vejle).await;
        let (_, stranger) = app.user_with_token("stranger", "evaluator", &p.aarhus).await;
        let path = format!("/api/v1/programmes/{}/report", p.programme_id);
        for token in [&evaluator, &p.coordinator, &app.admin_token] {
            let read = app.get(&path).token(token).send().await;
            read.assert_status(200);
            // The default period is the programme's.
            assert_eq!(read.body["from"], "2020-01-01");
            assert_eq!(read.body["to"], "2022-12-31");
        }
        for token in [&peer, &p.kolding_user, &p.outsider, &stranger] {
            app.get(&path).token(token).send().await.assert_problem(404, "not_found");
        }
        let random = format!("/api/v1/programmes/{}/report", uuid::Uuid::now_v7());
        app.get(&random).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        let backwards = app.get(&format!("{path}?from=2021-02-01&to=2021-01-31")).token(&p.coordinator).send().await;
        backwards.assert_problem(422, "validation");
        assert_eq!(backwards.error_fields(), ["to"]);
        let unknown = app.get(&format!("{path}?municipality_code=999")).token(&p.coordinator).send().await;
        unknown.assert_problem(422, "validation");
        assert_eq!(unknown.error_fields(), ["municipality_code"]);
    }
}

/// Figures computed over citizens rather than counted (`Amount`s, never small-count checked
/// themselves).
const AMOUNTS: [&str; 5] = [
    "hours",
    "attendance_rate",
    "median_days_sent_to_accepted",
    "rate",
    "share",
];

/// Walks an evaluator's report (`shown`) beside the coordinator's exact one: every figure is
/// `{"value", "suppressed"}`; a suppressed one has no value; a shown one equals the exact value
/// and, for a count, is at least 5. Returns how many counts were suppressed.
fn check_disclosure(key: &str, shown: &Value, exact_figures: &Value) -> usize {
    match shown {
        Value::Object(m) if m.len() == 2 && m.contains_key("suppressed") => {
            if m["suppressed"] == true {
                assert_eq!(m["value"], Value::Null, "{key}: a suppressed value shown");
                usize::from(!AMOUNTS.contains(&key))
            } else {
                assert_eq!(&m["value"], exact_figures, "{key}");
                if !AMOUNTS.contains(&key) {
                    let n = m["value"].as_i64().expect("an integer count");
                    assert!(n >= 5, "{key}: {n} shown to an evaluator");
                }
                0
            }
        }
        // Targets about peers and courses are not about citizens: exact.
        Value::Object(m)
            if ["peers_trained", "peers_active", "courses_held"]
                .iter()
                .any(|metric| m.get("metric") == Some(&json!(metric))) =>
        {
            assert_eq!(exact(shown), *exact_figures, "{key}");
            0
        }
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| check_disclosure(k, v, &exact_figures[k]))
            .sum(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| check_disclosure(key, v, &exact_figures[i]))
            .sum(),
        other => {
            assert_eq!(other, exact_figures, "{key}");
            0
        }
    }
}

/// A reader's subtraction on one sum of the report: `first` (a total, or one margin) minus the
/// shown members of `rest`. The members the reader does not know must not be exactly one.
fn try_subtraction(name: &str, members: &[&Value], signs: &[i64]) {
    if members.len() < 2 {
        // A total over an empty breakdown: the empty list itself says there is nothing.
        return;
    }
    let unknown: Vec<usize> = (0..members.len())
        .filter(|&i| members[i]["suppressed"] == true)
        .collect();
    let shown: i64 = (0..members.len())
        .filter(|i| !unknown.contains(i))
        .map(|i| signs[i] * members[i]["value"].as_i64().expect("a count"))
        .sum();
    match unknown.len() {
        0 => assert_eq!(shown, 0, "{name}: the shown figures do not add up"),
        1 => panic!(
            "{name}: the suppressed figure is recoverable as {}",
            -shown * signs[unknown[0]]
        ),
        _ => {}
    }
}

/// Every sum the report shows, as subtractions an evaluator could try.
fn try_every_subtraction(r: &Value) {
    let referrals = &r["referrals"];
    let mut members = vec![&referrals["sent"]];
    let cells = referrals["by_target_kind_and_status"]
        .as_array()
        .expect("cells");
    members.extend(cells.iter().map(|c| &c["count"]));
    let mut signs = vec![-1];
    signs.extend(cells.iter().map(|_| 1));
    try_subtraction("referrals.sent", &members, &signs);

    let courses = r["courses"].as_array().expect("courses");
    let types = r["participants"].as_array().expect("participants");
    let mut members: Vec<&Value> = courses.iter().map(|c| &c["participants"]).collect();
    members.extend(types.iter().map(|t| &t["count"]));
    let signs: Vec<i64> = courses
        .iter()
        .map(|_| 1)
        .chain(types.iter().map(|_| -1))
        .collect();
    try_subtraction("participants by format and by type", &members, &signs);

    let moves = &r["employment"]["moves"];
    for row in r["employment"]["retention"].as_array().expect("retention") {
        let members = [
            moves,
            &row["retained"],
            &row["not_retained"],
            &row["unknown"],
            &row["pending"],
        ];
        try_subtraction("retention", &members, &[-1, 1, 1, 1, 1]);
        if row["retained"]["suppressed"] == true || row["not_retained"]["suppressed"] == true {
            assert_eq!(row["rate"], json!({"value": null, "suppressed": true}));
        }
    }
    for target in r["targets"].as_array().expect("targets") {
        if target["measured"]["suppressed"] == true {
            assert_eq!(target["share"]["suppressed"], true, "{target}");
        }
    }
}

test_both! {
    async fn evaluators_see_no_count_below_five_and_no_subtraction_recovers_one(app) {
        let s = scenario(&app).await;
        for query in [period(&s, -400, 400), period(&s, -60, -10),
                format!("{}&municipality_code=621", period(&s, -400, 400))] {
            let exact = report(&app, &s.p.coordinator, &s, &query).await;
            let shown = raw_report(&app, &s.evaluator, &s, &query).await;
            let suppressed = check_disclosure("report", &shown, &exact);
            assert!(suppressed > 0, "the small data set has small counts");
            try_every_subtraction(&shown);
            // Not about citizens: peers, courses and sessions stay exact.
            assert_eq!(shown["peers"], exact["peers"]);
            assert_eq!(shown["courses"][0]["sessions"], exact["courses"][0]["sessions"]);
        }
        // The whole period's citizen counts are all below 5: all suppressed, as documented.
        let r = raw_report(&app, &s.evaluator, &s, &period(&s, -400, 400)).await;
        let hidden = json!({"value": null, "suppressed": true});
        assert_eq!(r["citizens_reached"], hidden);
        assert_eq!(r["contacts"], json!({"count": hidden, "minutes": hidden, "hours": hidden}));
        assert_eq!(r["referrals"]["median_days_sent_to_accepted"], hidden);
        assert_eq!(r["targets"][0]["measured"], hidden);
        assert_eq!(r["targets"][0]["share"], hidden);
        // A target about peers is not suppressed.
        assert_eq!(r["targets"][1]["measured"], json!({"value": 1, "suppressed": false}));
    }
}

async fn html_report(app: &TestApp, token: &str, s: &Scenario, query: &str) -> String {
    let response = app
        .get(&format!(
            "/api/v1/programmes/{}/report?{query}",
            s.programme
        ))
        .token(token)
        .header("Accept", "text/html,application/xhtml+xml;q=0.9")
        .send()
        .await;
    response.assert_status(200);
    let kind = response.header("content-type").unwrap_or_default();
    assert!(kind.starts_with("text/html"), "{kind}");
    let page = response.text.clone();
    // Self-contained: no external URL, stylesheet or script.
    for needle in [
        "http://",
        "https://",
        "src=\"//",
        "href=\"//",
        "<link",
        "<script",
        "url(",
    ] {
        assert!(!page.contains(needle), "{needle} in the page");
    }
    assert!(page.contains("<style>") && page.contains("<svg"));
    page
}

/// Each figure cell of the page: its `data-figure` (a JSON pointer) and its text.
fn page_figures(page: &str) -> Vec<(String, String)> {
    page.split("data-figure=\"")
        .skip(1)
        .map(|rest| {
            let (pointer, rest) = rest.split_once("\">").expect("a figure cell");
            let (text, _) = rest.split_once("</td>").expect("a closed cell");
            (pointer.to_owned(), text.to_owned())
        })
        .collect()
}

/// How the page prints a plain JSON figure.
fn printed(pointer: &str, v: &Value) -> String {
    match (v.as_i64(), v.as_f64()) {
        (Some(n), _) => n.to_string(),
        (None, Some(x))
            if ["rate", "share", "coverage"]
                .iter()
                .any(|e| pointer.ends_with(e)) =>
        {
            format!("{:.1} %", x * 100.0)
        }
        (None, Some(x)) => format!("{x:.2}"),
        _ => "–".to_owned(),
    }
}

test_both! {
    async fn the_html_report_is_self_contained_and_shows_the_json_figures(app) {
        let s = scenario(&app).await;
        for query in [period(&s, -400, 400), period(&s, -60, -10)] {
            let json = report(&app, &s.p.coordinator, &s, &query).await;
            let page = html_report(&app, &s.p.coordinator, &s, &query).await;
            let figures = page_figures(&page);
            assert!(figures.len() >= 25, "{} figures", figures.len());
            for (pointer, text) in &figures {
                let value = json.pointer(pointer).unwrap_or_else(|| panic!("{pointer} not in the JSON"));
                assert_eq!(text, &printed(pointer, value), "{pointer}");
            }
            assert!(!page.contains("&lt; 5</td>"), "nothing suppressed for a coordinator");

            let shown = raw_report(&app, &s.evaluator, &s, &query).await;
            let page = html_report(&app, &s.evaluator, &s, &query).await;
            let figures = page_figures(&page);
            let mut suppressed = 0;
            for (pointer, text) in &figures {
                let value = shown.pointer(pointer).unwrap_or_else(|| panic!("{pointer} not in the JSON"));
                if value.get("suppressed") == Some(&json!(true)) {
                    assert!(text == "&lt; 5" || text == "–", "{pointer}: {text} for a suppressed figure");
                    suppressed += 1;
                } else {
                    let plain = value.get("value").unwrap_or(value);
                    assert_eq!(text, &printed(pointer, plain), "{pointer}");
                }
            }
            assert!(suppressed > 0);
        }
        // The whole period: every citizen count is below 5, so no chart or cell shows one.
        let page = html_report(&app, &s.evaluator, &s, &period(&s, -400, 400)).await;
        assert!(page.contains("class=\"value\">&lt; 5</text>"));
        let evaluator_rows = page_figures(&page);
        let citizens = evaluator_rows.iter().find(|(p, _)| p == "/citizens_reached").expect("reached");
        assert_eq!(citizens.1, "&lt; 5");
        // Text is escaped.
        assert!(!page.contains("<script"));
    }
}

test_both! {
    async fn an_evaluator_sees_counts_of_five_or_more_and_a_second_cell_hidden_beside_a_small_one(app) {
        let s = scenario(&app).await;
        let c = s.p.coordinator.clone();
        // Six more citizens waiting for a peer guide, and six more referrals sent for Jonas.
        for i in 0..6 {
            let citizen = citizen(&app, &s, &format!("Borger {i}"), "630").await;
            support_course(&app, &s, &citizen, "peer_guide", None).await;
        }
        let courses = app.get(&format!("/api/v1/support-courses?programme_id={}", s.programme))
            .token(&c).send().await;
        let jonas_course = courses.body["items"].as_array().expect("items").iter()
            .find(|course| course["status"] == "active" && course["model"] == "peer_guide")
            .and_then(|course| course["id"].as_str()).expect("Jonas's course").to_owned();
        let jobcentre = app.get("/api/v1/organisations?kind=jobcentre").token(&app.admin_token).send().await;
        let jobcentre = jobcentre.body["items"][0]["id"].as_str().expect("a jobcentre").to_owned();
        for _ in 0..6 {
            let body = json!({"support_course_id": jonas_course, "target_organisation_id": jobcentre,
                "purpose": "Praktik", "requested_by_citizen": true});
            let referral = post(&app, &s.peer_token, "/api/v1/referrals", body).await;
            post(&app, &s.peer_token, &format!("/api/v1/referrals/{referral}/transitions"),
                json!({"to": "sent"})).await;
        }
        let query = period(&s, -400, 400);
        let exact = report(&app, &c, &s, &query).await;
        assert_eq!(exact["citizens_reached"], 9);
        assert_eq!(exact["referrals"]["sent"], 7);
        assert_eq!(exact["referrals"]["by_target_kind_and_status"], json!([
            {"target_kind": "jobcentre", "status": "sent", "count": 6},
            {"target_kind": "jobcentre", "status": "accepted", "count": 1}]));

        let shown = raw_report(&app, &s.evaluator, &s, &query).await;
        check_disclosure("report", &shown, &exact);
        try_every_subtraction(&shown);
        let count = |n: i64| json!({"value": n, "suppressed": false});
        let hidden = json!({"value": null, "suppressed": true});
        assert_eq!(shown["citizens_reached"], count(9));
        assert_eq!(shown["support_courses"]["started"], count(9));
        assert_eq!(shown["targets"][0]["measured"], count(9));
        assert_eq!(shown["targets"][0]["share"], json!({"value": 0.9, "suppressed": false}));
        // 7 = 6 + 1: the 1 is small, so the 6 is hidden too, or 7 − 6 would give it away.
        assert_eq!(shown["referrals"]["sent"], count(7));
        assert_eq!(shown["referrals"]["by_target_kind_and_status"], json!([
            {"target_kind": "jobcentre", "status": "sent", "count": hidden},
            {"target_kind": "jobcentre", "status": "accepted", "count": hidden}]));
        let by_status = shown["support_courses"]["by_model_and_status"].as_array().expect("cells");
        assert!(by_status.contains(&json!({"model": "peer_guide", "status": "requested", "count": count(6)})));
    }
}

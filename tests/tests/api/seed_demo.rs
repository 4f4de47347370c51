//! `brobygger seed-demo`: the demo data set on a fresh database, read back through the API.
//! Its demo users sign in; the four programmes are there with partners, phases and targets;
//! peer workers stay within capacity; every referral stands on a consent of the right purpose;
//! the advisory processes of "Udbrede anvendelse af peers" add up to an experience summary;
//! a second run refuses and changes nothing; one seed gives one data set.

use brobygger_api::Settings;
use brobygger_api::demo::{self, DEMO_USERS, SeedError};
use brobygger_persistence::DatabaseUrl;
use brobygger_tests::{Backend, ENCRYPTION_KEY, TestApp, test_both};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const SCALE: f64 = 0.0005;

/// Settings for the test's database, with the key the server uses (SQLite: its key file).
fn settings(app: &TestApp) -> Settings {
    let mut settings = Settings::new(DatabaseUrl::parse(app.database_url()).expect("url"));
    if app.backend == Backend::Postgres {
        settings.encryption_key = Some(ENCRYPTION_KEY.to_owned().into());
    }
    settings
}

fn seed(app: &TestApp, seed: u64) -> demo::Outcome {
    demo::run(&settings(app), SCALE, seed).expect("seed-demo runs")
}

/// Every item of a list, page by page.
async fn all(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
            None => format!("{path}{sep}limit=200"),
        };
        let page = app.get(&url).token(token).send().await;
        page.assert_status(200);
        items.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

fn field(item: &Value, name: &str) -> String {
    match &item[name] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The sorted rows of a few tables, as the admin reads them.
async fn digest(app: &TestApp, token: &str) -> Vec<String> {
    let mut rows = Vec::new();
    for (path, fields) in [
        (
            "/api/v1/programmes",
            &["id", "name", "phase", "grant_dkk"][..],
        ),
        (
            "/api/v1/peer-workers",
            &["id", "name", "status", "capacity"][..],
        ),
        ("/api/v1/citizens", &["id", "name", "municipality_code"][..]),
        (
            "/api/v1/support-courses",
            &["id", "status", "peer_worker_id", "created_at"][..],
        ),
        (
            "/api/v1/referrals",
            &["id", "status", "consent_id", "sent_at"][..],
        ),
        ("/api/v1/courses", &["id", "title", "status"][..]),
        (
            "/api/v1/advisory-processes",
            &["id", "municipality_code", "status", "start_date"][..],
        ),
    ] {
        for item in all(app, token, path).await {
            let values: Vec<String> = fields.iter().map(|f| field(&item, f)).collect();
            rows.push(format!("{path} {}", values.join("|")));
        }
    }
    rows.sort();
    rows
}

test_both! {
    async fn seed_demo_loads_the_programmes_and_keeps_the_rules(app) {
        let outcome = seed(&app, 7);
        // Every demo user signs in; the integration client with its id and secret.
        for (role, username) in DEMO_USERS {
            if role.is_machine() {
                app.post("/api/v1/auth/token")
                    .json(json!({"grant_type": "client_credentials", "client_id": outcome.client_id, "client_secret": outcome.client_secret}))
                    .await
                    .assert_status(200);
            } else {
                app.login(username, &outcome.password).await;
            }
        }
        let admin = app.login("demo-admin", &outcome.password).await;

        // The four programmes, with their partners (by official codes), phases and targets.
        let programmes = all(&app, &admin, "/api/v1/programmes").await;
        let names: BTreeSet<String> = programmes.iter().map(|p| field(p, "name")).collect();
        assert_eq!(names, BTreeSet::from([
            "Peer-indsatser for inklusion og fastholdelse på arbejdsmarkedet".to_owned(),
            "Projekt Ligestillet Støtte".to_owned(),
            "Peer-støtte i Region Hovedstaden".to_owned(),
            "Udbrede anvendelse af peers".to_owned(),
        ]));
        let hovedstaden = programmes.iter().find(|p| p["name"] == "Peer-støtte i Region Hovedstaden").expect("Region Hovedstaden");
        assert_eq!(hovedstaden["grant_dkk"], 9_300_000);
        assert_eq!(hovedstaden["start_date"], "2015-01-01");
        assert_eq!(hovedstaden["end_date"], "2018-06-30");
        let phases: Vec<String> = hovedstaden["status_history"].as_array().expect("history").iter().map(|h| field(h, "status")).collect();
        assert_eq!(phases, ["development", "implementation", "pilot", "trial", "closed"]);
        let id = field(hovedstaden, "id");
        let targets: BTreeMap<String, i64> = all(&app, &admin, &format!("/api/v1/programmes/{id}/targets")).await
            .iter().map(|t| (field(t, "metric"), t["value"].as_i64().unwrap_or(0))).collect();
        assert_eq!(targets, BTreeMap::from([("peers_trained".to_owned(), 12), ("citizens_reached".to_owned(), 250)]));
        let mut codes = BTreeSet::new();
        for partner in all(&app, &admin, &format!("/api/v1/programmes/{id}/partners")).await {
            let org = app.get(&format!("/api/v1/organisations/{}", field(&partner, "organisation_id"))).token(&admin).send().await;
            org.assert_status(200);
            if let Some(code) = org.body["municipality_code"].as_str() {
                codes.insert(code.to_owned());
            }
        }
        assert_eq!(codes, BTreeSet::from(["101".to_owned(), "217".to_owned(), "230".to_owned()]));

        // Udbrede advises 20 municipalities, a process each whose history follows the workflow;
        // the experience summary finds themes that more than one municipality named.
        let udbrede = programmes.iter().find(|p| p["name"] == "Udbrede anvendelse af peers").expect("Udbrede");
        let udbrede = field(udbrede, "id");
        let processes = all(&app, &admin, &format!("/api/v1/advisory-processes?programme_id={udbrede}")).await;
        assert_eq!(processes.len(), 20);
        let advised: BTreeSet<String> = processes.iter().map(|p| field(p, "municipality_code")).collect();
        assert_eq!(advised.len(), 20);
        for process in &processes {
            let history: Vec<String> = process["status_history"].as_array().expect("history").iter().map(|h| field(h, "status")).collect();
            let expected = ["planned", "running", "completed"];
            assert_eq!(history, expected[..history.len()], "{process}");
            assert_eq!(history.last(), Some(&field(process, "status")));
        }
        assert!(processes.iter().any(|p| p["status"] == "completed"));
        let summary = app.get(&format!("/api/v1/programmes/{udbrede}/experience-summary")).token(&admin).send().await;
        summary.assert_status(200);
        assert!(summary.body["advisory_processes"].as_i64().unwrap_or(0) >= 10, "{}", summary.body);
        let themes = summary.body["themes"].as_array().expect("themes");
        assert!(themes.iter().filter(|t| t["municipalities"].as_i64().unwrap_or(0) > 1).count() >= 3, "{}", summary.body);
        assert!(themes.iter().any(|t| !t["drivers"].as_array().expect("drivers").is_empty()));
        assert!(themes.iter().any(|t| !t["barriers"].as_array().expect("barriers").is_empty()));

        // No peer worker guides more open support courses than its capacity.
        let peers = all(&app, &admin, "/api/v1/peer-workers").await;
        let courses = all(&app, &admin, "/api/v1/support-courses").await;
        assert!(!courses.is_empty());
        let mut open: BTreeMap<String, i64> = BTreeMap::new();
        for course in &courses {
            if ["requested", "matched", "active", "paused"].contains(&field(course, "status").as_str())
                && let Some(peer) = course["peer_worker_id"].as_str()
            {
                *open.entry(peer.to_owned()).or_default() += 1;
            }
        }
        for peer in &peers {
            let guiding = open.get(&field(peer, "id")).copied().unwrap_or(0);
            assert!(guiding <= peer["capacity"].as_i64().unwrap_or(0), "{peer}");
            if guiding > 0 {
                assert_eq!(peer["status"], "active");
            }
        }

        // Every referral's citizen gave the consent its target needs, active when it was made.
        let referrals = all(&app, &admin, "/api/v1/referrals").await;
        assert!(!referrals.is_empty());
        let mut consents: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for referral in &referrals {
            let citizen = field(referral, "citizen_id");
            if !consents.contains_key(&citizen) {
                let list = all(&app, &admin, &format!("/api/v1/citizens/{citizen}/consents")).await;
                consents.insert(citizen.clone(), list);
            }
            let consent = consents[&citizen].iter().find(|c| c["id"] == referral["consent_id"]).expect("the referral's consent is the citizen's");
            let needed = match referral["target_kind"].as_str() {
                Some("jobcentre") => "share_with_jobcentre",
                Some("employer") => "share_with_employer",
                Some("psychiatry") => "share_with_psychiatry",
                _ => "share_with_other",
            };
            assert_eq!(consent["purpose"], needed);
            let made = &field(referral, "created_at")[..10];
            assert!(field(consent, "given_on").as_str() <= made);
            assert!(consent["withdrawn_on"].is_null() || field(consent, "withdrawn_on").as_str() > made);
            assert_eq!(referral["requested_by_citizen"], true);
        }

        // A second run refuses and changes nothing.
        let before = digest(&app, &admin).await;
        match demo::run(&settings(&app), SCALE, 8) {
            Err(SeedError::Refused(message)) => assert!(message.contains("programme"), "{message}"),
            other => panic!("a second run must refuse: {other:?}"),
        }
        assert_eq!(digest(&app, &admin).await, before);
    }
}

test_both! {
    async fn the_same_seed_gives_the_same_data(app) {
        let first = seed(&app, 11);
        let other = TestApp::spawn_with(app.backend, |_| {}).await.expect("a second database");
        let second = seed(&other, 11);
        let a = digest(&app, &app.login("demo-admin", &first.password).await).await;
        let b = digest(&other, &other.login("demo-admin", &second.password).await).await;
        assert!(a.len() > 100, "{}", a.len());
        assert_eq!(a, b);
    }
}

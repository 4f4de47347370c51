//! The audit records of reads are committed together, each durable before its read answers:
//! with the audit log unwritable, audited reads answer `503` without the data; once it is
//! writable again they answer, each with its record; concurrent reads each leave exactly one.

use crate::support_courses::{course, world};
use brobygger_persistence::DatabaseUrl;
use brobygger_persistence::connection::Manager;
use brobygger_tests::{Resp, TestApp, test_both};
use diesel::connection::SimpleConnection;
use futures_util::future::join_all;
use serde_json::Value;

/// Makes the audit log refuse every insert, or accept them again, through a connection of the
/// test's own (a trigger that raises).
fn audit_log_writable(app: &TestApp, writable: bool) {
    let url = DatabaseUrl::parse(app.database_url()).expect("database url");
    let mut conn = Manager::new(url)
        .connect_now()
        .expect("a connection of the test's own");
    let sql = match (app.is_postgres(), writable) {
        (true, false) => {
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'the audit log is unwritable'; END $$; \
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events \
             FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit();"
        }
        (true, true) => "DROP TRIGGER refuse_audit ON audit_events; DROP FUNCTION refuse_audit();",
        (false, false) => {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events \
             BEGIN SELECT RAISE(ABORT, 'the audit log is unwritable'); END;"
        }
        (false, true) => "DROP TRIGGER refuse_audit;",
    };
    conn.batch_execute(sql).expect("the trigger changes");
}

/// The events of one request, as `(action, resource_type, resource_id)`.
fn of_request(events: &[Value], request_id: &str) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter(|e| e["request_id"] == request_id)
        .map(|e| {
            let field = |name: &str| e[name].as_str().unwrap_or_default().to_owned();
            (
                field("action"),
                field("resource_type"),
                field("resource_id"),
            )
        })
        .collect()
}

/// The value of an unlabelled counter in `/metrics`.
async fn counter(app: &TestApp, name: &str) -> u64 {
    let metrics = app.get("/metrics").send().await;
    metrics.assert_status(200);
    metrics
        .text
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {}", metrics.text))
}

#[track_caller]
fn assert_unavailable_without(response: &Resp, data: &[&str]) {
    response.assert_problem(503, "unavailable");
    for datum in data {
        assert!(
            !response.text.contains(datum),
            "the refused read shows {datum}: {}",
            response.text
        );
    }
}

test_both! {
    async fn audited_reads_answer_503_without_data_while_their_audit_cannot_be_stored(app) {
        let w = world(&app).await;
        let jonas = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        let mette = course(&app, &w, &w.other_citizen, "peer_guide", None).await;
        let token = &w.p.coordinator;
        let course_path = format!("/api/v1/support-courses/{jonas}");
        let citizen_path = format!("/api/v1/citizens/{}", w.citizen);
        let list_path = "/api/v1/support-courses?limit=50";
        let get = |path: &str, request_id: &str| {
            app.get(path).token(token).header("x-request-id", request_id).send()
        };

        audit_log_writable(&app, false);
        let refused_course = get(&course_path, "outage-course").await;
        assert_unavailable_without(&refused_course, &["Jonas Holm", "Discharged", "peer_guide"]);
        let refused_citizen = get(&citizen_path, "outage-citizen").await;
        assert_unavailable_without(&refused_citizen, &["Jonas Holm", "070761", "0707614286"]);
        let refused_list = get(list_path, "outage-list").await;
        assert_unavailable_without(&refused_list, &[&jonas, &mette, "Discharged", "peer_guide"]);
        // A read that finds nothing records nothing, so it answers as ever.
        get("/api/v1/support-courses/00000000-0000-7000-8000-000000000000", "outage-missing")
            .await
            .assert_problem(404, "not_found");

        audit_log_writable(&app, true);
        let shown_course = get(&course_path, "again-course").await;
        shown_course.assert_status(200);
        assert_eq!(shown_course.id(), jonas);
        let shown_citizen = get(&citizen_path, "again-citizen").await;
        shown_citizen.assert_status(200);
        assert_eq!(shown_citizen.body["name"], "Jonas Holm");
        let shown_list = get(list_path, "again-list").await;
        shown_list.assert_status(200);
        let mut listed = shown_list.ids();
        listed.sort();
        let mut expected = vec![jonas.clone(), mette.clone()];
        expected.sort();
        assert_eq!(listed, expected);

        let (jonas_events, mette_events) =
            (app.audit_events_of(&w.citizen).await, app.audit_events_of(&w.other_citizen).await);
        let all: Vec<Value> = jonas_events.iter().chain(&mette_events).cloned().collect();
        for refused in ["outage-course", "outage-citizen", "outage-list", "outage-missing"] {
            assert_eq!(of_request(&all, refused), [], "a refused read left a record");
        }
        let read = |resource: &str, id: &str| ("read".to_owned(), resource.to_owned(), id.to_owned());
        assert_eq!(of_request(&all, "again-course"), [read("support_course", &jonas)]);
        assert_eq!(of_request(&all, "again-citizen"), [read("citizen", &w.citizen)]);
        let listed = |id: &str| ("list".to_owned(), "support_course".to_owned(), id.to_owned());
        assert_eq!(of_request(&jonas_events, "again-list"), [listed(&jonas)]);
        assert_eq!(of_request(&mette_events, "again-list"), [listed(&mette)]);
    }
}

test_both! {
    async fn concurrent_audited_reads_each_leave_exactly_one_record(app) {
        let w = world(&app).await;
        let id = course(&app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
        let path = format!("/api/v1/support-courses/{id}");
        let records_before = counter(&app, "brobygger_audit_batch_records_total").await;
        let batches_before = counter(&app, "brobygger_audit_batches_total").await;
        let request_ids: Vec<String> = (0..50).map(|n| format!("concurrent-read-{n}")).collect();
        let reads = request_ids.iter().map(|request_id| {
            app.get(&path).token(&w.p.coordinator).header("x-request-id", request_id).send()
        });
        for response in join_all(reads).await {
            response.assert_status(200);
            assert_eq!(response.id(), id);
        }
        let events = app.audit_events_of(&w.citizen).await;
        for request_id in &request_ids {
            assert_eq!(
                of_request(&events, request_id),
                [("read".to_owned(), "support_course".to_owned(), id.clone())],
                "the records of {request_id}"
            );
        }
        let reads = events.iter().filter(|e| e["action"] == "read").count();
        assert_eq!(reads, 50, "no read recorded twice");
        // Every record went through the group commit, in at least one batch and at most one
        // batch per read.
        let records = counter(&app, "brobygger_audit_batch_records_total").await - records_before;
        let batches = counter(&app, "brobygger_audit_batches_total").await - batches_before;
        assert_eq!(records, 50);
        assert!((1..=50).contains(&batches), "{batches} batches");
    }
}

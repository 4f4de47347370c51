//! Citizens: CPR protection, scope, audit, and the citizen's rights.

use brobygger_tests::{TestApp, test_both};
use serde_json::{Value, json};

const CPR: &str = "070761-4286"; // a real date, fails modulus 11: valid since 2007
const CPR_DIGITS: &str = "0707614286";

async fn citizen(app: &TestApp, token: &str, name: &str, cpr: Option<&str>) -> String {
    let mut body = json!({"name": name, "municipality_code": "630", "preferred_language": "da", "email": "borger@example.dk"});
    if let Some(cpr) = cpr {
        body["cpr"] = json!(cpr);
    }
    let response = app.post("/api/v1/citizens").token(token).json(body).await;
    response.assert_status(201);
    response.id()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

test_both! {
    async fn cpr_numbers_need_a_real_date_but_no_modulus_11(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
        let read = app.get(&format!("/api/v1/citizens/{id}")).token(&coordinator).send().await;
        read.assert_status(200);
        assert_eq!(read.body["cpr"], CPR_DIGITS, "a coordinator sees the full CPR");
        assert_eq!(read.header("cache-control"), Some("no-store"));
        for (cpr, code) in [("310299-1234", "invalid_date"), ("311399-1234", "invalid_date"), ("07076-14286", "invalid_format"), ("abcdefghij", "invalid_format")] {
            let bad = app.post("/api/v1/citizens").token(&coordinator).json(json!({"name": "X", "cpr": cpr, "municipality_code": "630"})).await;
            bad.assert_problem(422, "validation");
            assert_eq!(bad.body["errors"][0]["field"], "cpr", "{cpr}");
            assert_eq!(bad.body["errors"][0]["code"], code, "{cpr}");
            assert!(!bad.text.contains(&cpr[..6]), "the CPR is not echoed in errors");
        }
        let everything = app.post("/api/v1/citizens").token(&coordinator).json(json!({"name": "", "cpr": "310299-1234", "municipality_code": "999", "email": "nope"})).await;
        everything.assert_problem(422, "validation");
        assert_eq!(everything.error_fields(), ["cpr", "email", "municipality_code", "name"]);
        // A CPR registered twice in one organisation is a conflict, written either way.
        app.post("/api/v1/citizens").token(&coordinator).json(json!({"name": "Again", "cpr": CPR_DIGITS, "municipality_code": "630"})).await.assert_problem(409, "conflict");
        // Another organisation may register the same person.
        let aarhus = app.municipality("Aarhus Kommune", "751").await;
        let (_, other) = app.user_with_token("coord.aarhus", "coordinator", &aarhus).await;
        citizen(&app, &other, "Jonas Holm", Some(CPR)).await;
    }
}

test_both! {
    async fn cpr_is_encrypted_at_rest_and_found_only_by_post_lookup(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
        citizen(&app, &coordinator, "Someone Else", Some("010203-4005")).await;
        let stored = app.database_bytes();
        assert!(contains(&stored, "Jonas Holm"), "the check can see stored text");
        assert!(!contains(&stored, CPR_DIGITS) && !contains(&stored, CPR), "the CPR is stored in clear");
        let found = app.post("/api/v1/citizens/lookup").token(&coordinator).json(json!({"cpr": CPR})).await;
        found.assert_status(200);
        assert_eq!(found.ids(), [id.as_str()]);
        assert!(found.body["items"][0].get("cpr").is_none(), "no CPR in lookup results");
        let none = app.post("/api/v1/citizens/lookup").token(&coordinator).json(json!({"cpr": "111111-1118"})).await;
        assert!(none.ids().is_empty());
        let list = app.get("/api/v1/citizens").token(&coordinator).send().await;
        assert_eq!(list.ids().len(), 2);
        assert!(!list.text.contains(CPR_DIGITS), "lists never carry CPR numbers");
        let by_url = app.get(&format!("/api/v1/citizens?cpr={CPR_DIGITS}")).token(&coordinator).send().await;
        by_url.assert_problem(422, "validation");
        assert_eq!(by_url.error_fields(), ["cpr"]);
        assert!(!by_url.text.contains(CPR_DIGITS));
    }
}

test_both! {
    async fn only_admins_and_coordinators_ever_see_the_cpr(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
        let admin = app.get(&format!("/api/v1/citizens/{id}")).token(&app.admin_token).send().await;
        assert_eq!(admin.body["cpr"], CPR_DIGITS);
        let integration = app
            .post("/api/v1/users")
            .token(&app.admin_token)
            .json(json!({"username": "esdh", "display_name": "ESDH", "role": "integration", "organisation_id": vejle, "scopes": ["citizens:read"]}))
            .await;
        let token = app
            .post("/api/v1/auth/token")
            .json(json!({"grant_type": "client_credentials", "client_id": integration.body["client_id"], "client_secret": integration.body["client_secret"]}))
            .await
            .body["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        let machine = app.get(&format!("/api/v1/citizens/{id}")).token(&token).send().await;
        machine.assert_status(200);
        assert!(machine.body.get("cpr").is_none() && !machine.text.contains(CPR_DIGITS));
    }
}

test_both! {
    async fn citizens_outside_the_scope_do_not_exist(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let aarhus = app.municipality("Aarhus Kommune", "751").await;
        let (_, coordinator) = app.user_with_token("coord.vejle", "coordinator", &vejle).await;
        let (_, stranger) = app.user_with_token("coord.aarhus", "coordinator", &aarhus).await;
        let (_, peer) = app.user_with_token("peer.vejle", "peer_worker", &vejle).await;
        let (_, evaluator) = app.user_with_token("eval", "evaluator", &vejle).await;
        let (_, professional) = app.user_with_token("prof", "professional", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
        for token in [&stranger, &peer, &evaluator, &professional] {
            app.get(&format!("/api/v1/citizens/{id}")).token(token).send().await.assert_problem(404, "not_found");
            app.get(&format!("/api/v1/citizens/{id}/consents")).token(token).send().await.assert_problem(404, "not_found");
            app.get(&format!("/api/v1/citizens/{id}/data-export")).token(token).send().await.assert_problem(404, "not_found");
            app.post(&format!("/api/v1/citizens/{id}/anonymise")).token(token).send().await.assert_problem(404, "not_found");
            app.patch(&format!("/api/v1/citizens/{id}")).token(token).if_match(1).merge_patch(json!({"name": "X"})).await.assert_problem(404, "not_found");
            assert!(app.get("/api/v1/citizens").token(token).send().await.lists_nothing());
            let lookup = app.post("/api/v1/citizens/lookup").token(token).json(json!({"cpr": CPR})).await;
            assert!(lookup.lists_nothing(), "{}", lookup.text);
        }
        app.post("/api/v1/citizens").token(&peer).json(json!({"name": "X", "municipality_code": "630"})).await.assert_problem(403, "forbidden");
        app.post("/api/v1/citizens").token(&stranger).json(json!({"name": "X", "municipality_code": "630", "organisation_id": vejle})).await.assert_problem(403, "forbidden");
        let unchanged = app.get(&format!("/api/v1/citizens/{id}")).token(&app.admin_token).send().await;
        assert_eq!(unchanged.version(), 1);
        assert_eq!(unchanged.body["name"], "Jonas Holm");
    }
}

test_both! {
    async fn each_read_and_write_leaves_exactly_one_audit_event(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (coordinator_id, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
        app.get(&format!("/api/v1/citizens/{id}")).token(&coordinator).send().await.assert_status(200);
        app.patch(&format!("/api/v1/citizens/{id}")).token(&coordinator).if_match(1).merge_patch(json!({"phone": "+45 11 22 33 44"})).await.assert_status(200);
        app.post("/api/v1/citizens/lookup").token(&coordinator).json(json!({"cpr": CPR})).await.assert_status(200);
        let consent = app.post(&format!("/api/v1/citizens/{id}/consents")).token(&coordinator).json(json!({"purpose": "share_with_jobcentre", "given_on": "2026-01-05", "method": "written"})).await;
        consent.assert_status(201);
        app.post(&format!("/api/v1/citizens/{id}/consents/{}/withdraw", consent.id())).token(&coordinator).json(json!({})).await.assert_status(200);
        app.get("/api/v1/citizens").token(&coordinator).send().await.assert_status(200);
        let events = app.audit_events_of(&id).await;
        let actions: Vec<(&str, &str)> = events.iter().map(|e| (e["action"].as_str().unwrap_or_default(), e["resource_type"].as_str().unwrap_or_default())).collect();
        assert_eq!(actions, [
            ("create", "citizen"), ("read", "citizen"), ("update", "citizen"), ("lookup", "citizen"),
            ("create", "consent"), ("withdraw", "consent"), ("list", "citizen"),
        ]);
        for event in &events {
            assert_eq!(event["user_id"], coordinator_id.as_str());
            assert_eq!(event["role"], "coordinator");
            assert_eq!(event["organisation_id"], vejle.as_str());
            assert_eq!(event["citizen_id"], id.as_str());
            assert!(event["request_id"].as_str().is_some_and(|r| !r.is_empty()));
        }
        // Requests are traceable: the request id of a read is in its audit event.
        app.get(&format!("/api/v1/citizens/{id}")).token(&coordinator).header("x-request-id", "trace-read-1").send().await;
        let last = app.audit_events_of(&id).await.pop().expect("event");
        assert_eq!(last["request_id"], "trace-read-1");
        // The audit log is the admin's alone, and cannot be changed through the API.
        app.get("/api/v1/audit-events").token(&coordinator).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.delete("/api/v1/audit-events").token(&app.admin_token).send().await.status, 405);
        let by_user = app.get(&format!("/api/v1/audit-events?user_id={coordinator_id}&limit=200")).token(&app.admin_token).send().await;
        assert_eq!(by_user.ids().len(), 8);
        app.get("/api/v1/audit-events?from=yesterday").token(&app.admin_token).send().await.assert_problem(422, "validation");
    }
}

test_both! {
    async fn consents_are_withdrawn_never_deleted_and_tell_what_is_active(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", None).await;
        let path = format!("/api/v1/citizens/{id}/consents");
        let jobcentre = app.post(&path).token(&coordinator).json(json!({"purpose": "share_with_jobcentre", "given_on": "2026-01-05", "method": "written", "expires_on": "2027-01-05"})).await;
        jobcentre.assert_status(201);
        assert_eq!(jobcentre.body["active"], true);
        let psychiatry = app.post(&path).token(&coordinator).json(json!({"purpose": "share_with_psychiatry", "given_on": "2026-02-01", "method": "oral"})).await;
        let withdrawn = app.post(&format!("{path}/{}/withdraw", psychiatry.id())).token(&coordinator).json(json!({"withdrawn_on": "2026-06-01"})).await;
        withdrawn.assert_status(200);
        assert_eq!(withdrawn.body["withdrawn_on"], "2026-06-01");
        assert_eq!(withdrawn.body["active"], false);
        app.post(&format!("{path}/{}/withdraw", psychiatry.id())).token(&coordinator).json(json!({})).await.assert_problem(409, "conflict");
        let active_in_march = app.get(&format!("{path}?active_on=2026-03-01")).token(&coordinator).send().await;
        let purposes: Vec<_> = active_in_march.body["items"].as_array().expect("items").iter().map(|c| c["purpose"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(purposes, ["share_with_jobcentre", "share_with_psychiatry"]);
        let active_in_july = app.get(&format!("{path}?active_on=2026-07-01")).token(&coordinator).send().await;
        assert_eq!(active_in_july.ids(), [jobcentre.id().as_str()]);
        assert_eq!(app.get(&path).token(&coordinator).send().await.ids().len(), 2, "withdrawn consents stay on record");
        let bad = app.post(&path).token(&coordinator).json(json!({"purpose": "share_with_everyone", "given_on": "2026-13-01", "method": "telepathy"})).await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["given_on", "method", "purpose"]);
        let order = app.post(&path).token(&coordinator).json(json!({"purpose": "evaluation", "given_on": "2026-03-01", "method": "digital", "expires_on": "2026-02-01"})).await;
        order.assert_problem(422, "validation");
        assert_eq!(order.error_fields(), ["expires_on"]);
    }
}

test_both! {
    async fn the_data_export_holds_everything_and_lists_the_reads(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (coordinator_id, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
        app.post(&format!("/api/v1/citizens/{id}/consents")).token(&coordinator).json(json!({"purpose": "data_processing", "given_on": "2026-01-05", "method": "written"})).await.assert_status(201);
        app.get(&format!("/api/v1/citizens/{id}")).token(&app.admin_token).send().await.assert_status(200);
        let export = app.get(&format!("/api/v1/citizens/{id}/data-export")).token(&coordinator).send().await;
        export.assert_status(200);
        assert_eq!(export.body["citizen"]["name"], "Jonas Holm");
        assert_eq!(export.body["citizen"]["cpr"], CPR_DIGITS);
        assert_eq!(export.body["consents"].as_array().map(Vec::len), Some(1));
        let log = export.body["access_log"].as_array().expect("access_log");
        let reads: Vec<_> = log.iter().filter(|e| e["action"] == "read").collect();
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0]["role"], "admin");
        assert!(log.iter().any(|e| e["action"] == "create" && e["user_id"] == coordinator_id.as_str()));
        assert_eq!(log.last().map(|e| e["action"].clone()), Some(json!("export")), "the export itself is recorded");
    }
}

test_both! {
    async fn anonymising_removes_name_and_cpr_for_good(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let id = citizen(&app, &coordinator, "Jonas Zacharias Holm", Some(CPR)).await;
        app.post(&format!("/api/v1/citizens/{id}/consents")).token(&coordinator).json(json!({"purpose": "data_processing", "given_on": "2026-01-05", "method": "written"})).await.assert_status(201);
        let done = app.post(&format!("/api/v1/citizens/{id}/anonymise")).token(&coordinator).send().await;
        done.assert_status(200);
        assert!(done.body["anonymised_at"].is_string());
        assert!(done.body.get("cpr").is_none());
        assert_eq!(done.body["email"], Value::Null);
        assert!(!done.text.contains("Jonas"));
        let read = app.get(&format!("/api/v1/citizens/{id}")).token(&app.admin_token).send().await;
        assert!(!read.text.contains("Jonas") && !read.text.contains(CPR_DIGITS));
        assert!(app.post("/api/v1/citizens/lookup").token(&coordinator).json(json!({"cpr": CPR})).await.ids().is_empty());
        let export = app.get(&format!("/api/v1/citizens/{id}/data-export")).token(&app.admin_token).send().await;
        assert!(!export.text.contains("Jonas"));
        assert_eq!(export.body["consents"].as_array().map(Vec::len), Some(1), "pseudonymous facts stay");
        app.post(&format!("/api/v1/citizens/{id}/anonymise")).token(&coordinator).send().await.assert_problem(409, "conflict");
        app.patch(&format!("/api/v1/citizens/{id}")).token(&coordinator).if_match(2).merge_patch(json!({"name": "Back"})).await.assert_problem(409, "conflict");
        let stored = app.database_bytes();
        assert!(!contains(&stored, "Jonas Zacharias Holm"), "the name is gone from the database");
        assert!(!contains(&stored, CPR_DIGITS));
        let events = app.audit_events_of(&id).await;
        assert!(events.iter().any(|e| e["action"] == "anonymise"));
        // A new registration of the same CPR is possible again.
        citizen(&app, &coordinator, "Jonas Holm", Some(CPR)).await;
    }
}

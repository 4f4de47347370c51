//! Referrals (bridge-building): the consent gate, the recipient's inbox and workflow, what the
//! recipient sees, the consent-withdrawal cascade, audit and the citizen's rights.

use crate::support_courses::{World, course, world};
use brobygger_tests::{PASSWORD, TestApp, test_both};
use serde_json::{Value, json};

/// A support course guided by Anna for Jonas, and two jobcentres with a professional each.
struct Bridge {
    w: World,
    course: String,
    jobcentre: String,
    /// A professional of `jobcentre`.
    pro: String,
    /// A professional of another jobcentre.
    other_pro: String,
}

async fn bridge(app: &TestApp) -> Bridge {
    let w = world(app).await;
    let course = course(app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
    let jobcentre = app
        .organisation(
            "Jobcenter Vejle",
            "jobcentre",
            json!({"municipality_code": "630"}),
        )
        .await;
    let other = app
        .organisation(
            "Jobcenter Aarhus",
            "jobcentre",
            json!({"municipality_code": "751"}),
        )
        .await;
    let pro = app
        .user_with_token("jc.vejle", "professional", &jobcentre)
        .await
        .1;
    let other_pro = app
        .user_with_token("jc.aarhus", "professional", &other)
        .await
        .1;
    Bridge {
        w,
        course,
        jobcentre,
        pro,
        other_pro,
    }
}

async fn consent(app: &TestApp, b: &Bridge, purpose: &str) -> String {
    let given = app
        .post(&format!("/api/v1/citizens/{}/consents", b.w.citizen))
        .token(&b.w.p.coordinator)
        .json(json!({"purpose": purpose, "given_on": "2026-01-05", "method": "written"}))
        .await;
    given.assert_status(201);
    given.id()
}

const PURPOSE: &str = "Jonas vil gerne tale om et fleksjob på 15 timer om ugen";

fn referral_body(b: &Bridge) -> Value {
    json!({"support_course_id": b.course, "target_organisation_id": b.jobcentre,
        "purpose": PURPOSE, "requested_by_citizen": true})
}

/// A referral made by the guiding peer worker (a draft).
async fn referral(app: &TestApp, b: &Bridge) -> String {
    let made = app
        .post("/api/v1/referrals")
        .token(&b.w.guide_token)
        .json(referral_body(b))
        .await;
    made.assert_status(201);
    made.id()
}

async fn move_to(app: &TestApp, token: &str, id: &str, body: Value) -> brobygger_tests::Resp {
    app.post(&format!("/api/v1/referrals/{id}/transitions"))
        .token(token)
        .json(body)
        .await
}

async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let list = app
        .get(&format!("/api/v1/referrals{query}"))
        .token(token)
        .send()
        .await;
    list.assert_status(200);
    list.ids()
}

test_both! {
    async fn a_referral_needs_the_citizens_request_and_an_active_consent_for_the_target(app) {
        let b = bridge(&app).await;
        let refused = app.post("/api/v1/referrals").token(&b.w.guide_token).json(referral_body(&b)).await;
        refused.assert_problem(409, "consent_required");
        assert!(refused.body["detail"].as_str().unwrap_or_default().contains("share_with_jobcentre"), "{}", refused.text);
        // Another purpose does not count.
        consent(&app, &b, "share_with_employer").await;
        app.post("/api/v1/referrals").token(&b.w.guide_token).json(referral_body(&b)).await
            .assert_problem(409, "consent_required");
        let consent_id = consent(&app, &b, "share_with_jobcentre").await;
        let mut not_asked = referral_body(&b);
        not_asked["requested_by_citizen"] = json!(false);
        let refused = app.post("/api/v1/referrals").token(&b.w.guide_token).json(not_asked).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["requested_by_citizen"]);
        assert_eq!(refused.body["errors"][0]["code"], "must_be_true");
        let mut missing = referral_body(&b);
        missing.as_object_mut().expect("object").remove("requested_by_citizen");
        let refused = app.post("/api/v1/referrals").token(&b.w.guide_token).json(missing).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["requested_by_citizen"]);
        let made = app.post("/api/v1/referrals").token(&b.w.guide_token).json(referral_body(&b)).await;
        made.assert_status(201);
        assert_eq!(made.body["consent_id"], consent_id.as_str());
        assert_eq!(made.body["status"], "draft");
        assert_eq!(made.body["target_kind"], "jobcentre");
        assert_eq!(made.body["requested_by_citizen"], true);
        assert_eq!(made.body["view"], "sender");
        assert_eq!(made.body["shared_contact_details"], json!([]));
        assert_eq!(made.header("location"), Some(format!("/api/v1/referrals/{}", made.id()).as_str()));
        assert_eq!(made.body["status_history"][0]["status"], "draft");
        // A civil-society organisation is `other` and needs share_with_other.
        let club = app.organisation("Klubhuset", "civil_society", json!({"municipality_code": "630"})).await;
        let mut to_club = referral_body(&b);
        to_club["target_organisation_id"] = json!(club);
        let refused = app.post("/api/v1/referrals").token(&b.w.p.coordinator).json(to_club).await;
        refused.assert_problem(409, "consent_required");
        assert!(refused.text.contains("share_with_other"));
    }
}

test_both! {
    async fn bad_input_is_refused_and_nothing_is_stored(app) {
        let b = bridge(&app).await;
        consent(&app, &b, "share_with_jobcentre").await;
        let malformed = app.post("/api/v1/referrals").token(&b.w.guide_token).raw("application/json", "{\"purpose\": ").await;
        malformed.assert_problem(400, "malformed_body");
        let wrong = app.post("/api/v1/referrals").token(&b.w.guide_token)
            .json(json!({"support_course_id": 7, "target_organisation_id": "nope", "purpose": ["x"], "requested_by_citizen": "yes",
                "shared_contact_details": ["fax"]})).await;
        wrong.assert_problem(422, "validation");
        assert_eq!(wrong.error_fields(), ["purpose", "requested_by_citizen", "shared_contact_details.0", "support_course_id", "target_organisation_id"]);
        let mut unknown = referral_body(&b);
        unknown["target_organisation_id"] = json!("00000000-0000-7000-8000-000000000000");
        let refused = app.post("/api/v1/referrals").token(&b.w.guide_token).json(unknown).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["target_organisation_id"]);
        // A course the caller does not see is unknown too; so is a contact detail not on record.
        let mut unseen = referral_body(&b);
        unseen["shared_contact_details"] = json!(["email"]);
        let refused = app.post("/api/v1/referrals").token(&b.w.p.outsider).json(unseen.clone()).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["support_course_id"]);
        let refused = app.post("/api/v1/referrals").token(&b.w.guide_token).json(unseen).await;
        assert_eq!(refused.error_fields(), ["shared_contact_details"]);
        let mut blank = referral_body(&b);
        blank["purpose"] = json!("   ");
        let refused = app.post("/api/v1/referrals").token(&b.w.guide_token).json(blank).await;
        assert_eq!(refused.error_fields(), ["purpose"]);
        // A professional does not make referrals.
        app.post("/api/v1/referrals").token(&b.pro).json(referral_body(&b)).await.assert_problem(403, "forbidden");
        assert!(listed(&app, &b.w.p.coordinator, "").await.is_empty(), "nothing was stored");
        app.post("/api/v1/referrals/00000000-0000-7000-8000-000000000000/transitions").token(&b.w.guide_token)
            .json(json!({"to": "sent"})).await.assert_problem(404, "not_found");
        let id = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &id, json!({"to": "finished"})).await.assert_problem(422, "validation");
        move_to(&app, &b.w.guide_token, &id, json!({"to": "sent", "by": "me"})).await.assert_problem(422, "validation");
    }
}

test_both! {
    async fn the_jobcentre_finds_it_once_sent_and_moves_it_through_its_workflow(app) {
        let b = bridge(&app).await;
        consent(&app, &b, "share_with_jobcentre").await;
        let id = referral(&app, &b).await;
        // A draft is the sender's alone.
        assert!(listed(&app, &b.pro, "").await.is_empty());
        app.get(&format!("/api/v1/referrals/{id}")).token(&b.pro).send().await.assert_problem(404, "not_found");
        move_to(&app, &b.pro, &id, json!({"to": "acknowledged"})).await.assert_problem(404, "not_found");
        let refused = move_to(&app, &b.w.guide_token, &id, json!({"to": "accepted"})).await;
        refused.assert_problem(409, "invalid_transition");
        assert_eq!(refused.body["allowed"], json!(["sent", "cancelled"]));
        let sent = move_to(&app, &b.w.guide_token, &id, json!({"to": "sent"})).await;
        sent.assert_status(200);
        assert_eq!(sent.body["status"], "sent");
        assert!(sent.body["sent_at"].is_string());
        // The inbox: the jobcentre's professional finds it; another jobcentre's does not.
        assert_eq!(listed(&app, &b.pro, "").await, [id.as_str()]);
        assert_eq!(listed(&app, &b.pro, "?unacknowledged=true").await, [id.as_str()]);
        assert_eq!(listed(&app, &b.pro, "?status=sent").await, [id.as_str()]);
        assert!(listed(&app, &b.pro, "?status=accepted").await.is_empty());
        let inbox = app.get("/api/v1/referrals").token(&b.pro).send().await;
        assert_eq!(inbox.body["items"][0]["view"], "recipient");
        assert!(listed(&app, &b.other_pro, "").await.is_empty());
        app.get(&format!("/api/v1/referrals/{id}")).token(&b.other_pro).send().await.assert_problem(404, "not_found");
        move_to(&app, &b.other_pro, &id, json!({"to": "acknowledged"})).await.assert_problem(404, "not_found");
        assert!(listed(&app, &b.w.p.outsider, "").await.is_empty());
        // The sender may not acknowledge; the recipient may not send or cancel.
        move_to(&app, &b.w.guide_token, &id, json!({"to": "acknowledged"})).await.assert_problem(403, "forbidden");
        let refused = move_to(&app, &b.pro, &id, json!({"to": "completed"})).await;
        refused.assert_problem(409, "invalid_transition");
        assert_eq!(refused.body["allowed"], json!(["acknowledged", "declined", "cancelled"]));
        let acknowledged = move_to(&app, &b.pro, &id, json!({"to": "acknowledged"})).await;
        acknowledged.assert_status(200);
        assert_eq!(acknowledged.body["view"], "recipient");
        assert!(acknowledged.body["acknowledged_at"].is_string());
        assert!(listed(&app, &b.pro, "?unacknowledged=true").await.is_empty());
        // The peer worker cannot accept it.
        move_to(&app, &b.w.guide_token, &id, json!({"to": "accepted"})).await.assert_problem(403, "forbidden");
        move_to(&app, &b.w.p.coordinator, &id, json!({"to": "accepted"})).await.assert_problem(403, "forbidden");
        let accepted = move_to(&app, &b.pro, &id, json!({"to": "accepted"})).await;
        accepted.assert_status(200);
        assert_eq!(accepted.body["status"], "accepted");
        assert!(accepted.body["accepted_at"].is_string());
        let seen = app.get(&format!("/api/v1/referrals/{id}")).token(&b.w.guide_token).send().await;
        seen.assert_status(200);
        assert_eq!(seen.header("etag"), Some("\"4\""));
        let history: Vec<_> = seen.body["status_history"].as_array().expect("history").iter()
            .map(|h| h["status"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(history, ["draft", "sent", "acknowledged", "accepted"]);
        // Declining needs a reason.
        let second = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &second, json!({"to": "sent"})).await.assert_status(200);
        let refused = move_to(&app, &b.pro, &second, json!({"to": "declined"})).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["reason"]);
        move_to(&app, &b.pro, &second, json!({"to": "declined", "reason": "  "})).await.assert_problem(422, "validation");
        let declined = move_to(&app, &b.pro, &second, json!({"to": "declined", "reason": "Borgeren bor i Kolding"})).await;
        declined.assert_status(200);
        assert!(declined.body["closed_at"].is_string());
        assert_eq!(listed(&app, &b.pro, "").await.len(), 2, "a declined referral stays in the inbox");
    }
}

test_both! {
    async fn an_unanswered_referral_shows_on_the_senders_follow_up_list(app) {
        let mut b = bridge(&app).await;
        consent(&app, &b, "share_with_jobcentre").await;
        let waiting = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &waiting, json!({"to": "sent"})).await.assert_status(200);
        let answered = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &answered, json!({"to": "sent"})).await.assert_status(200);
        move_to(&app, &b.pro, &answered, json!({"to": "acknowledged"})).await.assert_status(200);
        referral(&app, &b).await; // a draft is not waiting for anyone
        assert_eq!(listed(&app, &b.w.p.coordinator, "?awaiting_acknowledgement_days=0").await, [waiting.as_str()]);
        assert!(listed(&app, &b.w.p.coordinator, "?awaiting_acknowledgement_days=3").await.is_empty());
        app.clock.advance(chrono::TimeDelta::days(3));
        b.w.p.relogin(&app).await;
        assert_eq!(listed(&app, &b.w.p.coordinator, "?awaiting_acknowledgement_days=3").await, [waiting.as_str()]);
        assert!(listed(&app, &b.w.p.coordinator, "?awaiting_acknowledgement_days=4").await.is_empty());
        app.get("/api/v1/referrals?awaiting_acknowledgement_days=-1").token(&b.w.p.coordinator).send().await
            .assert_problem(422, "validation");
        let guide = app.login("guide", PASSWORD).await;
        assert_eq!(listed(&app, &guide, "?awaiting_acknowledgement_days=2").await, [waiting]);
    }
}

test_both! {
    async fn the_recipient_sees_only_what_the_citizen_agreed_to_share(app) {
        let b = bridge(&app).await;
        consent(&app, &b, "share_with_jobcentre").await;
        app.patch(&format!("/api/v1/citizens/{}", b.w.citizen)).token(&b.w.p.coordinator).if_match(1)
            .merge_patch(json!({"phone": "+45 20 30 40 50", "email": "jonas@example.dk"})).await.assert_status(200);
        app.post(&format!("/api/v1/support-courses/{}/goals", b.course)).token(&b.w.guide_token)
            .json(json!({"text": "Komme i arbejde igen", "domain": "work"})).await.assert_status(201);
        let mut body = referral_body(&b);
        body["shared_contact_details"] = json!(["phone"]);
        let made = app.post("/api/v1/referrals").token(&b.w.guide_token).json(body).await;
        made.assert_status(201);
        let id = made.id();
        assert_eq!(made.body["shared_contact_details"], json!(["phone"]));
        move_to(&app, &b.w.guide_token, &id, json!({"to": "sent"})).await.assert_status(200);
        let seen = app.get(&format!("/api/v1/referrals/{id}")).token(&b.pro).send().await;
        seen.assert_status(200);
        let r = &seen.body;
        assert_eq!(r["view"], "recipient");
        assert_eq!(r["citizen"], json!({"name": "Jonas Holm", "phone": "+45 20 30 40 50"}));
        assert_eq!(r["purpose"], PURPOSE);
        assert_eq!(r["sending_organisation"]["name"], "Vejle Kommune");
        assert_eq!(r["peer_worker"]["name"], "Anna Nielsen");
        assert_eq!(r["status"], "sent");
        let keys: Vec<&str> = r.as_object().expect("object").keys().map(String::as_str).collect();
        for never in ["cpr", "goals", "contacts", "support_course_id", "support_course", "citizen_id", "consent_id", "referrals", "shared_contact_details"] {
            assert!(!keys.contains(&never), "{never} in {keys:?}");
        }
        for never in ["070761", "jonas@example.dk", "Komme i arbejde", "peer_guide"] {
            assert!(!seen.text.contains(never), "{never} leaked: {}", seen.text);
        }
        // The contract's schema for the recipient shows the same.
        let contract = app.get("/api/v1/openapi.json").send().await;
        let schemas = &contract.body["components"]["schemas"];
        let properties = |name: &str| -> Vec<String> {
            schemas[name]["properties"].as_object().unwrap_or_else(|| panic!("{name} in the contract")).keys().cloned().collect()
        };
        let received = properties("ReceivedReferral");
        for never in ["cpr", "goals", "contacts", "support_course_id", "citizen_id", "consent_id"] {
            assert!(!received.contains(&never.to_owned()), "{never} in ReceivedReferral");
        }
        assert!(received.contains(&"citizen".to_owned()) && received.contains(&"peer_worker".to_owned()));
        let mut citizen = properties("ReferredCitizen");
        citizen.sort();
        assert_eq!(citizen, ["email", "name", "phone"]);
        assert!(properties("Referral").contains(&"support_course_id".to_owned()), "the sender's schema differs");
    }
}

test_both! {
    async fn withdrawing_the_consent_closes_the_referral_and_the_recipient_loses_it(app) {
        let b = bridge(&app).await;
        let consent_id = consent(&app, &b, "share_with_jobcentre").await;
        let id = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &id, json!({"to": "sent"})).await.assert_status(200);
        move_to(&app, &b.pro, &id, json!({"to": "acknowledged"})).await.assert_status(200);
        let draft = referral(&app, &b).await;
        let cancelled = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &cancelled, json!({"to": "cancelled"})).await.assert_status(200);
        app.post(&format!("/api/v1/citizens/{}/consents/{consent_id}/withdraw", b.w.citizen)).token(&b.w.p.coordinator)
            .json(json!({})).await.assert_status(200);
        let seen = app.get(&format!("/api/v1/referrals/{id}")).token(&b.w.guide_token).send().await;
        seen.assert_status(200);
        assert_eq!(seen.body["status"], "consent_withdrawn");
        assert!(seen.body["closed_at"].is_string());
        let last = seen.body["status_history"].as_array().expect("history").last().cloned().expect("entry");
        assert_eq!(last["status"], "consent_withdrawn");
        assert_eq!(last["by"], Value::Null, "by the system");
        assert!(last["reason"].as_str().unwrap_or_default().contains("share_with_jobcentre"));
        let status = |id: String| { let app = &app; let token = b.w.guide_token.clone(); async move {
            app.get(&format!("/api/v1/referrals/{id}")).token(&token).send().await.body["status"].clone() } };
        assert_eq!(status(draft.clone()).await, "consent_withdrawn", "a draft is open too");
        assert_eq!(status(cancelled).await, "cancelled", "a closed referral stays as it was");
        app.get(&format!("/api/v1/referrals/{id}")).token(&b.pro).send().await.assert_problem(404, "not_found");
        move_to(&app, &b.pro, &id, json!({"to": "accepted"})).await.assert_problem(404, "not_found");
        assert!(listed(&app, &b.pro, "").await.is_empty());
        assert_eq!(listed(&app, &b.w.guide_token, "?status=consent_withdrawn").await.len(), 2, "the sender still sees them");
        // Sending needs the consent again.
        app.post("/api/v1/referrals").token(&b.w.guide_token).json(referral_body(&b)).await.assert_problem(409, "consent_required");
        move_to(&app, &b.w.guide_token, &draft, json!({"to": "sent"})).await.assert_problem(409, "invalid_transition");
    }
}

test_both! {
    async fn a_draft_is_sent_only_while_the_consent_still_holds(app) {
        let b = bridge(&app).await;
        let tomorrow = app.clock.now_naive().date() + chrono::TimeDelta::days(1);
        app.post(&format!("/api/v1/citizens/{}/consents", b.w.citizen)).token(&b.w.p.coordinator)
            .json(json!({"purpose": "share_with_jobcentre", "given_on": "2026-01-05", "method": "oral", "expires_on": tomorrow.to_string()}))
            .await.assert_status(201);
        let draft = referral(&app, &b).await;
        app.clock.advance(chrono::TimeDelta::days(2));
        let guide = app.login("guide", PASSWORD).await;
        let refused = move_to(&app, &guide, &draft, json!({"to": "sent"})).await;
        refused.assert_problem(409, "consent_required");
        assert!(refused.text.contains("share_with_jobcentre"));
        let seen = app.get(&format!("/api/v1/referrals/{draft}")).token(&guide).send().await;
        assert_eq!(seen.body["status"], "draft", "nothing changed");
        let coordinator = app.login("coordinator", PASSWORD).await;
        let renewed = app.post(&format!("/api/v1/citizens/{}/consents", b.w.citizen)).token(&coordinator)
            .json(json!({"purpose": "share_with_jobcentre", "given_on": app.clock.now_naive().date().to_string(), "method": "written"})).await;
        renewed.assert_status(201);
        let sent = move_to(&app, &guide, &draft, json!({"to": "sent"})).await;
        sent.assert_status(200);
        assert_eq!(sent.body["consent_id"], renewed.id().as_str(), "the consent that holds now");
    }
}

/// `(user, action, resource id)` of every audited access to referrals of `citizen`.
async fn referral_events(app: &TestApp, citizen: &str) -> Vec<(String, String, String)> {
    app.audit_events_of(citizen)
        .await
        .iter()
        .filter(|e| e["resource_type"] == "referral")
        .map(|e| {
            (
                e["user_id"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["resource_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

test_both! {
    async fn every_referral_read_and_write_is_audited_once_as_who_did_it(app) {
        let b = bridge(&app).await;
        let consent_id = consent(&app, &b, "share_with_jobcentre").await;
        let me = |token: &str| { let token = token.to_owned(); let app = &app; async move {
            app.get("/api/v1/me").token(&token).send().await.body["user"]["id"].as_str().unwrap_or_default().to_owned() } };
        let (guide, pro, coordinator) = (me(&b.w.guide_token).await, me(&b.pro).await, me(&b.w.p.coordinator).await);
        let id = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &id, json!({"to": "sent"})).await.assert_status(200);
        app.get(&format!("/api/v1/referrals/{id}")).token(&b.pro).send().await.assert_status(200);
        listed(&app, &b.pro, "").await;
        move_to(&app, &b.pro, &id, json!({"to": "acknowledged"})).await.assert_status(200);
        move_to(&app, &b.w.guide_token, &id, json!({"to": "accepted"})).await.assert_problem(403, "forbidden");
        app.get(&format!("/api/v1/referrals/{id}")).token(&b.other_pro).send().await.assert_problem(404, "not_found");
        listed(&app, &b.other_pro, "").await;
        app.post(&format!("/api/v1/citizens/{}/consents/{consent_id}/withdraw", b.w.citizen)).token(&b.w.p.coordinator)
            .json(json!({})).await.assert_status(200);
        let events = referral_events(&app, &b.w.citizen).await;
        let expected: Vec<(String, String, String)> = [
            (&guide, "create"), (&guide, "transition"), (&pro, "read"), (&pro, "list"), (&pro, "transition"),
            (&coordinator, "transition"),
        ].into_iter().map(|(user, action)| (user.clone(), action.to_owned(), id.clone())).collect();
        assert_eq!(events, expected);
        let all = app.audit_events_of(&b.w.citizen).await;
        assert!(all.iter().filter(|e| e["resource_type"] == "referral")
            .all(|e| e["citizen_id"] == b.w.citizen.as_str()));
    }
}

test_both! {
    async fn the_data_export_holds_the_referrals_and_anonymising_keeps_them_without_free_text(app) {
        let b = bridge(&app).await;
        consent(&app, &b, "share_with_jobcentre").await;
        let id = referral(&app, &b).await;
        move_to(&app, &b.w.guide_token, &id, json!({"to": "sent"})).await.assert_status(200);
        move_to(&app, &b.pro, &id, json!({"to": "declined", "reason": "Jonas har allerede en sagsbehandler hos os"})).await.assert_status(200);
        let other = referral(&app, &b).await;
        let export = app.get(&format!("/api/v1/citizens/{}/data-export", b.w.citizen)).token(&b.w.p.coordinator).send().await;
        export.assert_status(200);
        let exported: Vec<_> = export.body["referrals"].as_array().expect("referrals").iter()
            .map(|r| r["id"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(exported, [id.clone(), other.clone()]);
        assert_eq!(export.body["referrals"][0]["purpose"], PURPOSE);
        assert_eq!(export.body["referrals"][0]["status_history"][2]["status"], "declined");
        app.post(&format!("/api/v1/citizens/{}/anonymise", b.w.citizen)).token(&b.w.p.coordinator).send().await.assert_status(200);
        assert_eq!(listed(&app, &b.w.p.coordinator, "").await, [id.clone(), other], "the counts stay");
        let read = app.get(&format!("/api/v1/referrals/{id}")).token(&b.w.p.coordinator).send().await;
        assert_eq!(read.body["status"], "declined");
        assert_ne!(read.body["purpose"], PURPOSE);
        assert_eq!(read.body["status_history"][2]["reason"], "(slettet)");
        let stored = app.database_bytes();
        let contains = |needle: &str| stored.windows(needle.len()).any(|w| w == needle.as_bytes());
        for gone in ["fleksjob på 15 timer", "allerede en sagsbehandler"] {
            assert!(!contains(gone), "{gone} is still stored");
        }
    }
}

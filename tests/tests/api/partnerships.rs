//! A partnership is an agreement: a coordinator's offer to an organisation of another tenant is
//! pending and grants nothing until a coordinator of that organisation accepts it; declining
//! leaves nothing; an admin adds partners directly; the directory shows organisations' public
//! facts to find partners by.

use crate::support_courses::{course, world};
use brobygger_tests::{TestApp, test_both};
use serde_json::json;

/// A programme led by Vejle, a citizen with a course in it, and Aarhus (another tenant) with a
/// coordinator who has not agreed to anything.
async fn offer(app: &TestApp) -> (crate::support_courses::World, String) {
    let w = world(app).await;
    course(app, &w, &w.citizen, "peer_guide", Some(&w.guide)).await;
    let (_, aarhus_coordinator) = app
        .user_with_token("aarhus-coordinator", "coordinator", &w.p.aarhus)
        .await;
    (w, aarhus_coordinator)
}

fn partners_path(programme: &str) -> String {
    format!("/api/v1/programmes/{programme}/partners")
}

test_both! {
    async fn an_offer_grants_nothing_until_the_other_tenant_accepts(app) {
        let (w, aarhus) = offer(&app).await;
        let programme = &w.programme;
        let offered = app.post(&partners_path(programme)).token(&w.p.coordinator)
            .json(json!({"organisation_id": w.p.aarhus, "role": "partner"})).await;
        offered.assert_status(201);
        assert_eq!(offered.body["status"], "pending");
        let invitation = offered.id();
        assert_eq!(offered.header("location"), Some(format!("/api/v1/partner-invitations/{invitation}").as_str()));
        // Offered twice: a conflict; the programme's partners do not list it yet.
        app.post(&partners_path(programme)).token(&w.p.coordinator)
            .json(json!({"organisation_id": w.p.aarhus, "role": "funder"})).await
            .assert_problem(409, "conflict");
        let partners = app.get(&partners_path(programme)).token(&w.p.coordinator).send().await;
        assert!(!partners.text.contains(&w.p.aarhus), "a pending offer is no partner");

        // Pending: Aarhus's coordinator sees the offer, but nothing of the programme.
        let inbox = app.get("/api/v1/partner-invitations").token(&aarhus).send().await;
        assert_eq!(inbox.ids(), [invitation.as_str()]);
        assert_eq!(inbox.body["items"][0]["programme_name"], "Ligestillet Støtte");
        for path in [format!("/api/v1/programmes/{programme}"), format!("/api/v1/citizens/{}", w.citizen)] {
            app.get(&path).token(&aarhus).send().await.assert_problem(404, "not_found");
        }
        assert!(!app.get("/api/v1/citizens?limit=200").token(&aarhus).send().await.text.contains(&w.citizen));
        assert!(app.get("/api/v1/programmes").token(&aarhus).send().await.ids().is_empty());
        // Only the invited side accepts; others do not even see the offer.
        app.post(&format!("/api/v1/partner-invitations/{invitation}/accept")).token(&w.p.coordinator)
            .json(json!({})).await.assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/partner-invitations/{invitation}/accept")).token(&w.p.kolding_user)
            .json(json!({})).await.assert_problem(404, "not_found");

        // Accepted: now a partner, and its coordinator reads the programme and its citizens.
        let accepted = app.post(&format!("/api/v1/partner-invitations/{invitation}/accept")).token(&aarhus)
            .json(json!({})).await;
        accepted.assert_status(200);
        assert_eq!(accepted.body["status"], "accepted");
        assert_eq!(accepted.body["organisation_id"], w.p.aarhus.as_str());
        app.get(&format!("/api/v1/programmes/{programme}")).token(&aarhus).send().await.assert_status(200);
        app.get(&format!("/api/v1/citizens/{}", w.citizen)).token(&aarhus).send().await.assert_status(200);
        assert!(app.get("/api/v1/partner-invitations").token(&aarhus).send().await.ids().is_empty());
    }
}

test_both! {
    async fn declining_leaves_nothing_and_an_admin_adds_directly(app) {
        let (w, aarhus) = offer(&app).await;
        let programme = &w.programme;
        let offered = app.post(&partners_path(programme)).token(&w.p.coordinator)
            .json(json!({"organisation_id": w.p.aarhus, "role": "advisor"})).await;
        offered.assert_status(201);
        let invitation = offered.id();
        app.post(&format!("/api/v1/partner-invitations/{invitation}/decline")).token(&aarhus)
            .json(json!({})).await.assert_status(204);
        app.get(&format!("/api/v1/partner-invitations/{invitation}")).token(&aarhus).send().await
            .assert_problem(404, "not_found");
        assert!(app.get("/api/v1/partner-invitations").token(&w.p.coordinator).send().await.ids().is_empty());
        app.get(&format!("/api/v1/programmes/{programme}")).token(&aarhus).send().await.assert_problem(404, "not_found");

        // The inviting side may withdraw an offer the same way.
        let again = app.post(&partners_path(programme)).token(&w.p.coordinator)
            .json(json!({"organisation_id": w.p.aarhus, "role": "advisor"})).await;
        again.assert_status(201);
        app.post(&format!("/api/v1/partner-invitations/{}/decline", again.id())).token(&w.p.coordinator)
            .json(json!({})).await.assert_status(204);

        // A random id is refused as before; an admin's partner holds at once.
        app.post(&partners_path(programme)).token(&w.p.coordinator)
            .json(json!({"organisation_id": uuid::Uuid::now_v7(), "role": "partner"})).await
            .assert_problem(422, "validation");
        let direct = app.post(&partners_path(programme)).token(&app.admin_token)
            .json(json!({"organisation_id": w.p.aarhus, "role": "partner"})).await;
        direct.assert_status(201);
        assert_eq!(direct.body["status"], "accepted");
        app.get(&format!("/api/v1/programmes/{programme}")).token(&aarhus).send().await.assert_status(200);
    }
}

test_both! {
    async fn the_directory_shows_public_facts_to_those_who_look_for_partners(app) {
        let (w, aarhus) = offer(&app).await;
        let directory = app.get("/api/v1/organisation-directory?limit=200").token(&aarhus).send().await;
        directory.assert_status(200);
        let ids = directory.ids();
        assert!(ids.contains(&w.p.vejle) && ids.contains(&w.p.kolding) && ids.contains(&w.p.aarhus));
        let entry = &directory.body["items"][0];
        let mut keys: Vec<_> = entry.as_object().expect("entry").keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["id", "kind", "municipality_code", "name", "parent_id", "region_code"]);
        let filtered = app.get("/api/v1/organisation-directory?municipality_code=621").token(&aarhus).send().await;
        assert_eq!(filtered.ids(), [w.p.kolding.as_str()]);
        // Other roles look for no partners.
        app.get("/api/v1/organisation-directory").token(&w.p.kolding_user).send().await
            .assert_problem(403, "forbidden");
        app.get("/api/v1/organisation-directory").token(&w.guide_token).send().await
            .assert_problem(403, "forbidden");
    }
}

//! Programmes: creation by a coordinator, partners, targets, phases, scope and bad input.

use brobygger_tests::{PASSWORD, TestApp, test_both};
use serde_json::{Value, json};

/// A partnership to test with: Vejle (lead, with a coordinator), Kolding (a partner, with a
/// professional) and Aarhus (outside, with a coordinator).
pub struct Partnership {
    pub vejle: String,
    pub kolding: String,
    pub aarhus: String,
    pub coordinator: String,
    pub kolding_user: String,
    pub outsider: String,
    pub programme_id: String,
}

impl Partnership {
    /// Signs everyone in again (after the clock moved past the tokens' lifetime).
    pub async fn relogin(&mut self, app: &TestApp) {
        self.coordinator = app.login("coordinator", PASSWORD).await;
        self.kolding_user = app.login("kolding", PASSWORD).await;
        self.outsider = app.login("outsider", PASSWORD).await;
    }
}

pub fn programme_body() -> Value {
    json!({
        "name": "Peer-indsatser for inklusion og fastholdelse",
        "description": "Peer workers as bridge-builders to the jobcentre and the workplace.",
        "funding_source": "Sundhedsstyrelsen",
        "grant_dkk": 4500000,
        "start_date": "2020-01-01",
        "end_date": "2022-12-31",
        "models": ["employment_support", "peer_teaching"]
    })
}

/// Creates the organisations, users and a programme led by Vejle with Kolding as partner.
pub async fn partnership(app: &TestApp) -> Partnership {
    let vejle = app.municipality("Vejle Kommune", "630").await;
    let kolding = app.municipality("Kolding Kommune", "621").await;
    let aarhus = app.municipality("Aarhus Kommune", "751").await;
    let (_, coordinator) = app
        .user_with_token("coordinator", "coordinator", &vejle)
        .await;
    let (_, kolding_user) = app
        .user_with_token("kolding", "professional", &kolding)
        .await;
    let (_, outsider) = app
        .user_with_token("outsider", "coordinator", &aarhus)
        .await;
    let created = app
        .post("/api/v1/programmes")
        .token(&coordinator)
        .json(programme_body())
        .await;
    created.assert_status(201);
    let programme_id = created.id();
    // An admin adds the partner directly (a coordinator's offer would wait for Kolding's yes).
    app.post(&format!("/api/v1/programmes/{programme_id}/partners"))
        .token(&app.admin_token)
        .json(json!({"organisation_id": kolding, "role": "partner"}))
        .await
        .assert_status(201);
    Partnership {
        vejle,
        kolding,
        aarhus,
        coordinator,
        kolding_user,
        outsider,
        programme_id,
    }
}

test_both! {
    async fn a_coordinator_creates_a_programme_with_partners_and_targets_and_moves_its_phase(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let kolding = app.municipality("Kolding Kommune", "621").await;
        let (coordinator_id, token) = app.user_with_token("coordinator", "coordinator", &vejle).await;

        let created = app.post("/api/v1/programmes").token(&token).json(programme_body()).await;
        created.assert_status(201);
        let id = created.id();
        assert_eq!(created.header("location"), Some(format!("/api/v1/programmes/{id}").as_str()));
        assert_eq!(created.header("etag"), Some("\"1\""));
        assert_eq!(created.body["lead_organisation_id"], vejle);
        assert_eq!(created.body["phase"], "development");
        assert_eq!(created.body["supervision_interval_days"], 30);
        assert_eq!(created.body["models"], json!(["employment_support", "peer_teaching"]));

        // Kolding is another tenant: it joins by its own agreement.
        let partner = app.post(&format!("/api/v1/programmes/{id}/partners")).token(&token)
            .json(json!({"organisation_id": kolding, "role": "partner"})).await;
        partner.assert_status(201);
        assert_eq!(partner.body["role"], "partner");
        assert_eq!(partner.body["status"], "pending");
        let (_, kolding_coordinator) = app.user_with_token("kolding-coordinator", "coordinator", &kolding).await;
        app.post(&format!("/api/v1/partner-invitations/{}/accept", partner.id())).token(&kolding_coordinator)
            .json(json!({})).await.assert_status(200);
        // One role per organisation per programme.
        app.post(&format!("/api/v1/programmes/{id}/partners")).token(&token)
            .json(json!({"organisation_id": kolding, "role": "funder"})).await
            .assert_problem(409, "conflict");
        let partners = app.get(&format!("/api/v1/programmes/{id}/partners")).token(&token).send().await;
        partners.assert_status(200);
        let roles: Vec<_> = partners.body["items"].as_array().expect("items").iter()
            .map(|p| (p["organisation_id"].as_str().unwrap_or_default().to_owned(), p["role"].as_str().unwrap_or_default().to_owned()))
            .collect();
        assert_eq!(roles, [(vejle.clone(), "lead".to_owned()), (kolding.clone(), "partner".to_owned())]);

        let target = app.post(&format!("/api/v1/programmes/{id}/targets")).token(&token)
            .json(json!({"metric": "peers_trained", "value": 12, "deadline": "2021-12-31"})).await;
        target.assert_status(201);
        app.post(&format!("/api/v1/programmes/{id}/targets")).token(&token)
            .json(json!({"metric": "citizens_reached", "value": 250})).await
            .assert_status(201);
        let targets = app.get(&format!("/api/v1/programmes/{id}/targets?metric=peers_trained")).token(&token).send().await;
        assert_eq!(targets.ids(), [target.id()]);

        app.clock.advance(chrono::TimeDelta::days(1));
        let token = app.login("coordinator", PASSWORD).await;
        let moved = app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&token)
            .json(json!({"to": "pilot", "reason": "skipping implementation"})).await;
        moved.assert_status(200);
        assert_eq!(moved.body["phase"], "pilot");
        assert_eq!(moved.header("etag"), Some("\"2\""));

        let back = app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&token)
            .json(json!({"to": "development"})).await;
        back.assert_problem(409, "invalid_transition");
        assert_eq!(back.body["allowed"], json!(["trial", "operation", "closed"]));
        assert!(back.body["detail"].as_str().unwrap_or_default().contains("trial, operation, closed"));

        let read = app.get(&format!("/api/v1/programmes/{id}")).token(&token).send().await;
        read.assert_status(200);
        assert_eq!(read.body["phase"], "pilot");
        assert_eq!(read.body["models"], json!(["employment_support", "peer_teaching"]), "each model once beside two history entries");
        let history = read.body["status_history"].as_array().expect("history");
        assert_eq!(history.len(), 2);
        assert_eq!(history[0]["status"], "development");
        assert_eq!(history[1]["status"], "pilot");
        assert_eq!(history[1]["reason"], "skipping implementation");
        assert_eq!(history[1]["by"], coordinator_id.as_str());
        let day = |v: &Value| v["at"].as_str().unwrap_or_default()[..10].to_owned();
        assert_ne!(day(&history[0]), day(&history[1]), "both dates are kept");
    }
}

test_both! {
    async fn closed_is_final_and_only_managers_move_phases(app) {
        let p = partnership(&app).await;
        let id = &p.programme_id;
        let (_, evaluator) = app.user_with_token("kolding-evaluator", "evaluator", &p.kolding).await;
        app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&evaluator)
            .json(json!({"to": "pilot"})).await
            .assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&p.coordinator)
            .json(json!({"to": "closed"})).await
            .assert_status(200);
        let after = app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&p.coordinator)
            .json(json!({"to": "operation"})).await;
        after.assert_problem(409, "invalid_transition");
        assert_eq!(after.body["allowed"], json!([]));
        app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&p.coordinator)
            .json(json!({"to": "finished"})).await
            .assert_problem(422, "validation");
    }
}

test_both! {
    async fn a_programme_is_invisible_outside_its_partnership(app) {
        let p = partnership(&app).await;
        let id = &p.programme_id;
        // Partners see it; the evaluator of a partner reads but does not manage; a professional
        // sees only the referrals addressed to it, no programme.
        let (_, evaluator) = app.user_with_token("kolding-evaluator", "evaluator", &p.kolding).await;
        app.get(&format!("/api/v1/programmes/{id}")).token(&evaluator).send().await.assert_status(200);
        app.patch(&format!("/api/v1/programmes/{id}")).token(&evaluator).if_match(1)
            .merge_patch(json!({"name": "Renamed"})).await
            .assert_problem(403, "forbidden");
        let listed = app.get("/api/v1/programmes").token(&evaluator).send().await;
        assert_eq!(listed.ids(), [id.as_str()]);
        app.get(&format!("/api/v1/programmes/{id}")).token(&p.kolding_user).send().await.assert_problem(404, "not_found");
        assert!(app.get("/api/v1/programmes").token(&p.kolding_user).send().await.lists_nothing());

        // Outside the partnership nothing exists.
        for path in [
            format!("/api/v1/programmes/{id}"),
            format!("/api/v1/programmes/{id}/partners"),
            format!("/api/v1/programmes/{id}/targets"),
        ] {
            app.get(&path).token(&p.outsider).send().await.assert_problem(404, "not_found");
        }
        app.post(&format!("/api/v1/programmes/{id}/transitions")).token(&p.outsider)
            .json(json!({"to": "pilot"})).await
            .assert_problem(404, "not_found");
        app.patch(&format!("/api/v1/programmes/{id}")).token(&p.outsider).if_match(1)
            .merge_patch(json!({"name": "Mine"})).await
            .assert_problem(404, "not_found");
        app.post(&format!("/api/v1/programmes/{id}/targets")).token(&p.outsider)
            .json(json!({"metric": "peers_trained", "value": 1})).await
            .assert_problem(404, "not_found");
        let listed = app.get("/api/v1/programmes").token(&p.outsider).send().await;
        listed.assert_status(200);
        assert!(listed.ids().is_empty());

        // The outsider's own programme is its own; the admin sees both.
        let own = app.post("/api/v1/programmes").token(&p.outsider).json(programme_body()).await;
        own.assert_status(201);
        assert_eq!(own.body["lead_organisation_id"], p.aarhus);
        let all = app.get("/api/v1/programmes").token(&app.admin_token).send().await;
        assert_eq!(all.ids(), [id.clone(), own.id()]);
        let _ = (&p.vejle, &p.kolding);
    }
}

test_both! {
    async fn bad_programmes_are_422_listing_every_field(app) {
        let p = partnership(&app).await;
        let bad = app.post("/api/v1/programmes").token(&p.coordinator).json(json!({
            "name": "",
            "start_date": "2020-02-01",
            "end_date": "2020-01-01",
            "grant_dkk": -1,
            "models": ["peer_guide", "telepathy"],
            "supervision_interval_days": 0,
            "colour": "blue"
        })).await;
        bad.assert_problem(422, "validation");
        assert_eq!(
            bad.error_fields(),
            ["colour", "end_date", "grant_dkk", "models.1", "name", "supervision_interval_days"]
        );
        // A coordinator cannot lead with another organisation.
        let other = app.post("/api/v1/programmes").token(&p.coordinator)
            .json({ let mut b = programme_body(); b["lead_organisation_id"] = json!(p.kolding); b }).await;
        other.assert_problem(422, "validation");
        assert_eq!(other.error_fields(), ["lead_organisation_id"]);
        // Only the lead has the role lead; negative targets and unknown metrics are refused.
        let id = &p.programme_id;
        let lead = app.post(&format!("/api/v1/programmes/{id}/partners")).token(&p.coordinator)
            .json(json!({"organisation_id": p.aarhus, "role": "lead"})).await;
        lead.assert_problem(422, "validation");
        assert_eq!(lead.error_fields(), ["role"]);
        let target = app.post(&format!("/api/v1/programmes/{id}/targets")).token(&p.coordinator)
            .json(json!({"metric": "smiles", "value": -3, "deadline": "soon"})).await;
        target.assert_problem(422, "validation");
        assert_eq!(target.error_fields(), ["deadline", "metric", "value"]);
        // A peer worker user may not create programmes.
        let (_, peer) = app.user_with_token("peer", "peer_worker", &p.vejle).await;
        app.post("/api/v1/programmes").token(&peer).json(programme_body()).await
            .assert_problem(403, "forbidden");
    }
}

test_both! {
    async fn programme_changes_need_the_current_version_and_creates_are_idempotent(app) {
        let p = partnership(&app).await;
        let id = &p.programme_id;
        let path = format!("/api/v1/programmes/{id}");
        app.patch(&path).token(&p.coordinator).merge_patch(json!({"grant_dkk": 5000000})).await
            .assert_problem(428, "precondition_required");
        app.patch(&path).token(&p.coordinator).if_match(7).merge_patch(json!({"grant_dkk": 5000000})).await
            .assert_problem(412, "version_mismatch");
        let changed = app.patch(&path).token(&p.coordinator).if_match(1)
            .merge_patch(json!({"grant_dkk": 5000000, "end_date": null, "supervision_interval_days": 14})).await;
        changed.assert_status(200);
        assert_eq!(changed.body["grant_dkk"], 5000000);
        assert_eq!(changed.body["end_date"], Value::Null);
        assert_eq!(changed.body["supervision_interval_days"], 14);
        assert_eq!(changed.header("etag"), Some("\"2\""));
        let refused = app.patch(&path).token(&p.coordinator).if_match(2)
            .merge_patch(json!({"phase": "closed", "lead_organisation_id": p.kolding, "start_date": "2030-01-01", "end_date": "2029-01-01"})).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["lead_organisation_id", "phase"]);

        let first = app.post("/api/v1/programmes").token(&p.coordinator)
            .header("idempotency-key", "programme-1").json(programme_body()).await;
        first.assert_status(201);
        let again = app.post("/api/v1/programmes").token(&p.coordinator)
            .header("idempotency-key", "programme-1").json(programme_body()).await;
        again.assert_status(201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.id(), first.id());
        let listed = app.get("/api/v1/programmes?limit=1").token(&p.coordinator).send().await;
        assert_eq!(listed.ids(), [id.as_str()]);
        let cursor = listed.body["next_cursor"].as_str().expect("cursor").to_owned();
        let next = app.get(&format!("/api/v1/programmes?limit=1&cursor={cursor}")).token(&p.coordinator).send().await;
        assert_eq!(next.ids(), [first.id()]);
        assert_eq!(next.body["next_cursor"], Value::Null);
    }
}

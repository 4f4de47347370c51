//! Users: who manages whom, and what each role sees.

use brobygger_tests::{PASSWORD, TestApp, test_both};
use serde_json::{Value, json};

fn new_user(username: &str, role: &str, organisation_id: &str) -> Value {
    json!({"username": username, "display_name": "Test Person", "role": role, "organisation_id": organisation_id, "password": PASSWORD})
}

async fn version(app: &TestApp, token: &str, id: &str) -> i64 {
    app.get(&format!("/api/v1/users/{id}"))
        .token(token)
        .send()
        .await
        .version()
}

test_both! {
    async fn a_coordinator_manages_its_own_organisations_users(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (coordinator_id, coordinator) = app.user_with_token("coord.vejle", "coordinator", &vejle).await;
        let created = app.post("/api/v1/users").token(&coordinator).json(new_user("peer.vejle", "peer_worker", &vejle)).await;
        created.assert_status(201);
        assert_eq!(created.body["role"], "peer_worker");
        assert_eq!(created.body["active"], true);
        assert!(created.body.get("password").is_none() && !created.text.contains(PASSWORD), "no password in responses");
        let peer = created.id();
        let listed = app.get("/api/v1/users").token(&coordinator).send().await.ids();
        assert!(listed.contains(&peer) && listed.contains(&coordinator_id));
        let changed = app
            .patch(&format!("/api/v1/users/{peer}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"role": "professional", "display_name": "Peer Vejle", "email": "peer@vejle.dk"}))
            .await;
        changed.assert_status(200);
        assert_eq!(changed.body["role"], "professional");
        assert_eq!(changed.version(), 2);
    }
}

test_both! {
    async fn a_coordinator_never_creates_or_makes_an_admin_nor_raises_its_own_role(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let aarhus = app.municipality("Aarhus Kommune", "751").await;
        let (coordinator_id, coordinator) = app.user_with_token("coord.vejle", "coordinator", &vejle).await;
        app.post("/api/v1/users").token(&coordinator).json(new_user("boss", "admin", &vejle)).await.assert_problem(403, "forbidden");
        app.post("/api/v1/users").token(&coordinator).json(new_user("elsewhere", "peer_worker", &aarhus)).await.assert_problem(403, "forbidden");
        let peer = app.user("peer.vejle", "peer_worker", &vejle).await;
        app.patch(&format!("/api/v1/users/{peer}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"role": "admin"}))
            .await
            .assert_problem(403, "forbidden");
        let own = app
            .patch(&format!("/api/v1/users/{coordinator_id}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"role": "admin"}))
            .await;
        own.assert_problem(422, "validation");
        assert_eq!(own.error_fields(), ["role"]);
        assert_eq!(own.body["errors"][0]["code"], "read_only");
        let moved = app
            .patch(&format!("/api/v1/users/{peer}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"organisation_id": aarhus}))
            .await;
        moved.assert_problem(422, "validation");
        let me = app.get("/api/v1/me").token(&coordinator).send().await;
        assert_eq!(me.body["role"], "coordinator");
        assert_eq!(version(&app, &app.admin_token, &peer).await, 1, "nothing changed");
        // An admin in the coordinator's organisation is out of its reach.
        let admin_here = app.user("admin.vejle", "admin", &vejle).await;
        app.patch(&format!("/api/v1/users/{admin_here}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"active": false}))
            .await
            .assert_problem(403, "forbidden");
    }
}

test_both! {
    async fn another_organisations_users_do_not_exist_for_a_coordinator(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let aarhus = app.municipality("Aarhus Kommune", "751").await;
        let (_, coordinator) = app.user_with_token("coord.vejle", "coordinator", &vejle).await;
        let stranger = app.user("peer.aarhus", "peer_worker", &aarhus).await;
        app.get(&format!("/api/v1/users/{stranger}")).token(&coordinator).send().await.assert_problem(404, "not_found");
        app.patch(&format!("/api/v1/users/{stranger}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"active": false}))
            .await
            .assert_problem(404, "not_found");
        let listed = app.get("/api/v1/users").token(&coordinator).send().await;
        assert!(!listed.ids().contains(&stranger));
        let filtered = app.get(&format!("/api/v1/users?organisation_id={aarhus}")).token(&coordinator).send().await;
        assert!(filtered.ids().is_empty(), "a filter on another tenant leaks nothing");
        assert!(!filtered.text.contains("peer.aarhus"));
        assert_eq!(version(&app, &app.admin_token, &stranger).await, 1);
    }
}

test_both! {
    async fn other_roles_see_and_change_only_themselves(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let colleague = app.user("colleague", "peer_worker", &vejle).await;
        for role in ["peer_worker", "professional", "evaluator"] {
            let (me, token) = app.user_with_token(&format!("{role}.user"), role, &vejle).await;
            assert_eq!(app.get("/api/v1/users").token(&token).send().await.ids(), [me.as_str()], "{role}");
            app.get(&format!("/api/v1/users/{colleague}")).token(&token).send().await.assert_problem(404, "not_found");
            app.post("/api/v1/users").token(&token).json(new_user(&format!("{role}.new"), "peer_worker", &vejle)).await.assert_problem(403, "forbidden");
            app.patch(&format!("/api/v1/users/{me}"))
                .token(&token)
                .if_match(1)
                .merge_patch(json!({"display_name": "New Name", "password": "another long password"}))
                .await
                .assert_status(200);
            let active = app.patch(&format!("/api/v1/users/{me}")).token(&token).if_match(2).merge_patch(json!({"active": false})).await;
            active.assert_problem(422, "validation");
            app.login(&format!("{role}.user"), "another long password").await;
        }
    }
}

test_both! {
    async fn bad_users_are_422_and_duplicates_409(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let bad = app
            .post("/api/v1/users")
            .token(&app.admin_token)
            .json(json!({"username": "has space", "display_name": "", "email": "not-an-email", "role": "king", "organisation_id": "00000000-0000-7000-8000-000000000000", "password": "short"}))
            .await;
        bad.assert_problem(422, "validation");
        assert_eq!(bad.error_fields(), ["display_name", "email", "password", "role", "username"]);
        let no_password = app
            .post("/api/v1/users")
            .token(&app.admin_token)
            .json(json!({"username": "nopass", "display_name": "No Pass", "role": "coordinator", "organisation_id": vejle}))
            .await;
        no_password.assert_problem(422, "validation");
        assert_eq!(no_password.error_fields(), ["password"]);
        let unknown_org = app.post("/api/v1/users").token(&app.admin_token).json(new_user("lost", "coordinator", "00000000-0000-7000-8000-000000000000")).await;
        unknown_org.assert_problem(422, "validation");
        assert_eq!(unknown_org.error_fields(), ["organisation_id"]);
        app.post("/api/v1/users").token(&app.admin_token).json(new_user("twice", "coordinator", &vejle)).await.assert_status(201);
        app.post("/api/v1/users").token(&app.admin_token).json(new_user("twice", "coordinator", &vejle)).await.assert_problem(409, "conflict");
        let all = app.get("/api/v1/users?limit=200").token(&app.admin_token).send().await;
        assert_eq!(all.ids().len(), 2, "only the admin and one 'twice': {}", all.text);
    }
}

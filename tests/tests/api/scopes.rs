//! Integration scopes (OAuth 2.0 `scope`): a client is created with the scopes it may use, its
//! tokens carry them, and an operation needing another scope is `403 insufficient_scope`.

use base64::Engine;
use brobygger_tests::{ADMIN_PASSWORD, Resp, TestApp, test_both};
use serde_json::{Value, json};

async fn new_client(app: &TestApp, name: &str, organisation: &str, scopes: Value) -> Resp {
    app.post("/api/v1/users")
        .token(&app.admin_token)
        .json(
            json!({"username": name, "display_name": name, "role": "integration",
            "organisation_id": organisation, "scopes": scopes}),
        )
        .await
}

async fn client_token(app: &TestApp, client: &Resp, scope: Option<&str>) -> Resp {
    let mut body = json!({"grant_type": "client_credentials", "client_id": client.body["client_id"],
        "client_secret": client.body["client_secret"]});
    if let Some(scope) = scope {
        body["scope"] = json!(scope);
    }
    app.post("/api/v1/auth/token").json(body).await
}

/// The claims of a JWT, unverified.
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[track_caller]
fn assert_insufficient(answer: &Resp, scope: &str) {
    answer.assert_problem(403, "insufficient_scope");
    assert_eq!(answer.body["type"], "/problems/insufficient_scope");
    let challenge = answer.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains(&format!("scope=\"{scope}\"")),
        "{challenge}"
    );
}

test_both! {
    async fn a_client_with_only_citizens_read_reads_citizens_and_nothing_more(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coordinator", "coordinator", &vejle).await;
        let citizen = app.post("/api/v1/citizens").token(&coordinator)
            .json(json!({"name": "Jonas Holm", "cpr": "070761-4286", "municipality_code": "630"})).await;
        citizen.assert_status(201);
        let citizen = citizen.id();

        let client = new_client(&app, "esdh", &vejle, json!(["citizens:read"])).await;
        client.assert_status(201);
        assert_eq!(client.body["scopes"], json!(["citizens:read"]));
        let shown = app.get(&format!("/api/v1/users/{}", client.id())).token(&app.admin_token).send().await;
        assert_eq!(shown.body["scopes"], json!(["citizens:read"]));

        // The token response lists the scopes, and the token carries them.
        let issued = client_token(&app, &client, None).await;
        issued.assert_status(200);
        assert_eq!(issued.body["scope"], "citizens:read");
        let token = issued.body["access_token"].as_str().expect("token").to_owned();
        assert_eq!(claims(&token)["scope"], "citizens:read");

        // It reads citizens …
        let listed = app.get("/api/v1/citizens").token(&token).send().await;
        listed.assert_status(200);
        assert_eq!(listed.ids(), [citizen.as_str()]);
        app.get(&format!("/api/v1/citizens/{citizen}")).token(&token).send().await.assert_status(200);
        // … but writes none, and reads no support-course contacts (not even whether a course
        // exists: the scope is checked first).
        let write = app.post("/api/v1/citizens").token(&token)
            .json(json!({"name": "Mette Berg", "cpr": "010203-4005", "municipality_code": "630"})).await;
        assert_insufficient(&write, "citizens:write");
        let patch = app.patch(&format!("/api/v1/citizens/{citizen}")).token(&token).if_match(1)
            .merge_patch(json!({"name": "J. Holm"})).await;
        assert_insufficient(&patch, "citizens:write");
        let contacts = app.get("/api/v1/support-courses/0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21/contacts")
            .token(&token).send().await;
        assert_insufficient(&contacts, "support_courses:read");
        // A person's role decides, without scopes: the coordinator writes.
        assert!(claims(&coordinator).get("scope").is_none());
    }
}

test_both! {
    async fn a_client_asks_for_some_of_its_scopes_and_never_for_more(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let client = new_client(&app, "esdh", &vejle, json!(["citizens:write", "citizens:read"])).await;
        client.assert_status(201);
        assert_eq!(client.body["scopes"], json!(["citizens:read", "citizens:write"]));
        let all = client_token(&app, &client, None).await;
        assert_eq!(all.body["scope"], "citizens:read citizens:write");
        let some = client_token(&app, &client, Some("citizens:read")).await;
        some.assert_status(200);
        assert_eq!(some.body["scope"], "citizens:read");
        let token = some.body["access_token"].as_str().expect("token");
        let write = app.post("/api/v1/citizens").token(token)
            .json(json!({"name": "Mette Berg", "cpr": "010203-4005", "municipality_code": "630"})).await;
        assert_insufficient(&write, "citizens:write");

        for asked in ["citizens:read referrals:read", "everything"] {
            let more = client_token(&app, &client, Some(asked)).await;
            more.assert_problem(400, "invalid_scope");
            assert_eq!(more.body["error"], "invalid_scope", "{asked}");
        }
        // People have no scopes.
        let person = app.post("/api/v1/auth/token")
            .json(json!({"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD, "scope": "citizens:read"}))
            .await;
        person.assert_problem(400, "invalid_scope");
        assert_eq!(person.body["error"], "invalid_scope");
    }
}

test_both! {
    async fn scopes_are_known_and_only_for_integration_clients(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let unknown = new_client(&app, "esdh", &vejle, json!(["citizens:read", "citizens:delete"])).await;
        unknown.assert_problem(422, "validation");
        assert_eq!(unknown.error_fields(), ["scopes"]);
        let person = app.post("/api/v1/users").token(&app.admin_token)
            .json(json!({"username": "mette", "display_name": "Mette", "role": "coordinator",
                "organisation_id": vejle, "password": "a long test password", "scopes": ["citizens:read"]}))
            .await;
        person.assert_problem(422, "validation");
        assert_eq!(person.error_fields(), ["scopes"]);
        // Without scopes a client reads only itself.
        let bare = new_client(&app, "bare", &vejle, json!([])).await;
        bare.assert_status(201);
        let issued = client_token(&app, &bare, None).await;
        issued.assert_status(200);
        assert!(issued.body.get("scope").is_none(), "no scope granted, none listed");
        let token = issued.body["access_token"].as_str().expect("token");
        app.get("/api/v1/me").token(token).send().await.assert_status(200);
        assert_insufficient(&app.get("/api/v1/citizens").token(token).send().await, "citizens:read");
    }
}

//! The token endpoint as a standard OAuth 2.0 library meets it (RFC 6749): HTTP Basic client
//! authentication and the `error` member on every failure.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use brobygger_tests::{TestApp, test_both};
use serde_json::json;

/// An integration client: (client_id, client_secret).
async fn client(app: &TestApp) -> (String, String) {
    let org = app.municipality("Aarhus Kommune", "751").await;
    let created = app
        .post("/api/v1/users")
        .token(&app.admin_token)
        .json(json!({"username": "aarhus-esdh", "display_name": "Aarhus ESDH", "role": "integration", "organisation_id": org}))
        .await;
    created.assert_status(201);
    (
        created.body["client_id"]
            .as_str()
            .expect("client_id")
            .to_owned(),
        created.body["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned(),
    )
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

test_both! {
    async fn client_credentials_by_http_basic(app) {
        let (id, secret) = client(&app).await;
        let tokens = app
            .post("/api/v1/auth/token")
            .header("authorization", &basic(&id, &secret))
            .raw("application/x-www-form-urlencoded", "grant_type=client_credentials")
            .await;
        tokens.assert_status(200);
        assert_eq!(tokens.header("cache-control"), Some("no-store"));
        let access = tokens.body["access_token"].as_str().expect("token");
        let me = app.get("/api/v1/me").token(access).send().await;
        assert_eq!(me.body["role"], "integration");

        let wrong = app
            .post("/api/v1/auth/token")
            .header("authorization", &basic(&id, "wrong"))
            .raw("application/x-www-form-urlencoded", "grant_type=client_credentials")
            .await;
        wrong.assert_status(401);
        assert_eq!(wrong.body["error"], "invalid_client");
        assert_eq!(wrong.body["code"], "unauthorized");
        assert!(wrong.header("www-authenticate").is_some_and(|h| h.starts_with("Basic")));
        assert_eq!(wrong.header("cache-control"), Some("no-store"));

        let in_body = app
            .post("/api/v1/auth/token")
            .json(json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "wrong"}))
            .await;
        in_body.assert_status(401);
        assert_eq!(in_body.body["error"], "invalid_client");
    }
}

test_both! {
    async fn every_token_failure_carries_the_oauth_error(app) {
        let unknown = app
            .post("/api/v1/auth/token")
            .raw("application/x-www-form-urlencoded", "grant_type=implicit")
            .await;
        assert_eq!(unknown.body["error"], "unsupported_grant_type", "{}", unknown.text);
        unknown.assert_problem(400, "unsupported_grant_type");
        assert_eq!(unknown.header("cache-control"), Some("no-store"));
        let missing = app.post("/api/v1/auth/token").json(json!({"username": "admin"})).await;
        assert_eq!(missing.body["error"], "invalid_request", "{}", missing.text);
        let fields = app.post("/api/v1/auth/token").json(json!({"grant_type": "password"})).await;
        assert_eq!(fields.body["error"], "invalid_request");
        let wrong = app.token_response("admin", "not the password").await;
        wrong.assert_problem(400, "invalid_grant");
        assert_eq!(wrong.body["error"], "invalid_grant");
        let scope = app
            .post("/api/v1/auth/token")
            .raw("application/x-www-form-urlencoded", "grant_type=password&username=admin&password=x&scope=admin")
            .await;
        assert_eq!(scope.body["error"], "invalid_scope", "{}", scope.text);
        scope.assert_problem(400, "invalid_scope");
        let refresh = app
            .post("/api/v1/auth/token")
            .json(json!({"grant_type": "refresh_token", "refresh_token": "nope"}))
            .await;
        assert_eq!(refresh.body["error"], "invalid_grant");
        refresh.assert_status(400);
        let revoke = app.post("/api/v1/auth/revoke").json(json!({})).await;
        revoke.assert_problem(400, "invalid_request");
        assert_eq!(revoke.body["error"], "invalid_request");
        assert_eq!(revoke.header("cache-control"), Some("no-store"));
    }
}

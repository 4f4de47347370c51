//! Tokens: the three grants, revocation, rotation, throttling and every way a token is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use brobygger_tests::{ADMIN_PASSWORD, JWT_SECRET, PASSWORD, TestApp, test_both};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json")
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me").token(token).send().await.status
}

test_both! {
    async fn password_grant_token_works_on_me(app) {
        let response = app.token_response("admin", ADMIN_PASSWORD).await;
        response.assert_status(200);
        assert_eq!(response.body["token_type"], "Bearer");
        assert_eq!(response.body["expires_in"], 900);
        assert!(response.body["refresh_token"].as_str().is_some());
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let claims = claims_of(response.body["access_token"].as_str().expect("token"));
        for claim in ["sub", "org", "role", "iat", "exp", "iss", "aud", "jti"] {
            assert!(!claims[claim].is_null(), "claim {claim} missing");
        }
        let me = app.get("/api/v1/me").token(&app.admin_token).send().await;
        me.assert_status(200);
        assert_eq!(me.body["user"]["username"], "admin");
        assert_eq!(me.body["role"], "admin");
        assert_eq!(me.body["organisation"]["id"], me.body["user"]["organisation_id"]);
        assert_eq!(me.header("cache-control"), Some("no-store"));
    }
}

test_both! {
    async fn the_token_endpoint_takes_forms_too(app) {
        let response = app
            .post("/api/v1/auth/token")
            .raw("application/x-www-form-urlencoded", format!("grant_type=password&username=admin&password={ADMIN_PASSWORD}"))
            .await;
        response.assert_status(200);
        let token = response.body["access_token"].as_str().expect("token");
        assert_eq!(me_status(&app, token).await, 200);
    }
}

test_both! {
    async fn wrong_credentials_and_missing_fields_are_400_as_rfc_6749_has_it(app) {
        let wrong = app.token_response("admin", "not the password").await;
        wrong.assert_problem(400, "invalid_grant");
        assert!(wrong.header("www-authenticate").is_none());
        app.token_response("nobody", "whatever").await.assert_problem(400, "invalid_grant");
        let missing = app.post("/api/v1/auth/token").json(json!({"grant_type": "password"})).await;
        missing.assert_problem(400, "invalid_request");
        assert_eq!(missing.error_fields(), ["password", "username"]);
        let bad_grant = app.post("/api/v1/auth/token").json(json!({"grant_type": "implicit"})).await;
        bad_grant.assert_problem(400, "unsupported_grant_type");
        assert_eq!(bad_grant.error_fields(), ["grant_type"]);
    }
}

test_both! {
    async fn refused_tokens_are_401(app) {
        let no_token = app.get("/api/v1/me").send().await;
        no_token.assert_problem(401, "unauthorized");
        assert!(no_token.header("www-authenticate").is_some());

        let good = claims_of(&app.admin_token);
        let now = chrono::Utc::now().timestamp();
        let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).expect("json"));
        let alg_none = format!("{header_none}.{payload}.");
        let rs_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let hs_rs_confusion = {
            let signed = sign(&good, JWT_SECRET);
            let signature = signed.rsplit('.').next().expect("signature");
            format!("{rs_header}.{payload}.{signature}")
        };
        let wrong_signature = sign(&good, "another-secret-of-at-least-32-characters!");
        let mut expired = good.clone();
        expired["exp"] = json!(now - 60);
        expired["iat"] = json!(now - 1000);
        let mut no_aud = good.clone();
        no_aud.as_object_mut().expect("object").remove("aud");
        let mut wrong_aud = good.clone();
        wrong_aud["aud"] = json!("someone-else");
        let mut wrong_iss = good.clone();
        wrong_iss["iss"] = json!("https://evil.example");
        let mut no_iss = good.clone();
        no_iss.as_object_mut().expect("object").remove("iss");
        let refresh = app.token_response("admin", ADMIN_PASSWORD).await.body["refresh_token"].as_str().expect("refresh").to_owned();

        let cases = [
            ("alg none", alg_none),
            ("HS/RS confusion", hs_rs_confusion),
            ("wrong signature", wrong_signature),
            ("expired", sign(&expired, JWT_SECRET)),
            ("no aud", sign(&no_aud, JWT_SECRET)),
            ("wrong aud", sign(&wrong_aud, JWT_SECRET)),
            ("wrong iss", sign(&wrong_iss, JWT_SECRET)),
            ("no iss", sign(&no_iss, JWT_SECRET)),
            ("refresh token as access token", refresh),
            ("garbage", "not-a-token".to_owned()),
        ];
        for (case, token) in cases {
            let response = app.get("/api/v1/me").token(&token).send().await;
            assert_eq!(response.status, 401, "{case}: {}", response.text);
            assert_eq!(response.code(), "unauthorized", "{case}");
        }
        // The well-formed control still works: the cases above fail for their own reason.
        assert_eq!(me_status(&app, &sign(&good, JWT_SECRET)).await, 200);
    }
}

test_both! {
    async fn revoking_ends_the_sign_in(app) {
        let tokens = app.token_response("admin", ADMIN_PASSWORD).await;
        let access = tokens.body["access_token"].as_str().expect("access").to_owned();
        let refresh = tokens.body["refresh_token"].as_str().expect("refresh").to_owned();
        assert_eq!(me_status(&app, &access).await, 200);
        app.post("/api/v1/auth/revoke").json(json!({"token": refresh})).await.assert_status(204);
        assert_eq!(me_status(&app, &access).await, 401);
        app.post("/api/v1/auth/token")
            .json(json!({"grant_type": "refresh_token", "refresh_token": refresh}))
            .await
            .assert_problem(400, "invalid_grant");
        // Revoking by the access token works as well; other sign-ins are untouched.
        let other = app.login("admin", ADMIN_PASSWORD).await;
        let third = app.login("admin", ADMIN_PASSWORD).await;
        app.post("/api/v1/auth/revoke").json(json!({"token": other})).await.assert_status(204);
        assert_eq!(me_status(&app, &other).await, 401);
        assert_eq!(me_status(&app, &third).await, 200);
        // Unknown tokens are accepted silently.
        app.post("/api/v1/auth/revoke").json(json!({"token": "unknown"})).await.assert_status(204);
    }
}

test_both! {
    async fn refresh_tokens_rotate_and_reuse_revokes_the_family(app) {
        let first = app.token_response("admin", ADMIN_PASSWORD).await.body["refresh_token"].as_str().expect("refresh").to_owned();
        let rotated = app.post("/api/v1/auth/token").json(json!({"grant_type": "refresh_token", "refresh_token": first})).await;
        rotated.assert_status(200);
        let second = rotated.body["refresh_token"].as_str().expect("refresh").to_owned();
        let access = rotated.body["access_token"].as_str().expect("access").to_owned();
        assert_ne!(first, second);
        assert_eq!(me_status(&app, &access).await, 200);
        // The first token again: reuse, so the whole family is revoked.
        app.post("/api/v1/auth/token")
            .json(json!({"grant_type": "refresh_token", "refresh_token": first}))
            .await
            .assert_problem(400, "invalid_grant");
        app.post("/api/v1/auth/token")
            .json(json!({"grant_type": "refresh_token", "refresh_token": second}))
            .await
            .assert_problem(400, "invalid_grant");
        assert_eq!(me_status(&app, &access).await, 401);
    }
}

test_both! {
    async fn a_disabled_users_tokens_stop_at_once(app) {
        let org = app.municipality("Vejle Kommune", "630").await;
        let (id, token) = app.user_with_token("peer.one", "peer_worker", &org).await;
        assert_eq!(me_status(&app, &token).await, 200);
        let user = app.get(&format!("/api/v1/users/{id}")).token(&app.admin_token).send().await;
        app.patch(&format!("/api/v1/users/{id}"))
            .token(&app.admin_token)
            .if_match(user.version())
            .merge_patch(json!({"active": false}))
            .await
            .assert_status(200);
        assert_eq!(me_status(&app, &token).await, 401);
        app.token_response("peer.one", PASSWORD).await.assert_problem(400, "invalid_grant");
    }
}

test_both! {
    async fn five_failures_throttle_the_username(app) {
        for _ in 0..5 {
            app.token_response("admin", "wrong").await.assert_status(400);
        }
        let throttled = app.token_response("admin", ADMIN_PASSWORD).await;
        throttled.assert_problem(429, "rate_limited");
        let retry_after: i64 = throttled.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!((1..=900).contains(&retry_after), "{retry_after}");
        // After the window, the right password works again.
        app.clock.advance(chrono::TimeDelta::minutes(16));
        app.token_response("admin", ADMIN_PASSWORD).await.assert_status(200);
    }
}

test_both! {
    async fn five_failures_throttle_the_address(app) {
        for i in 0..5 {
            app.token_response(&format!("someone{i}"), "wrong").await.assert_status(400);
        }
        app.token_response("admin", ADMIN_PASSWORD).await.assert_problem(429, "rate_limited");
    }
}

test_both! {
    async fn integration_clients_use_client_credentials(app) {
        let org = app.municipality("Aarhus Kommune", "751").await;
        let created = app
            .post("/api/v1/users")
            .token(&app.admin_token)
            .json(json!({"username": "aarhus-esdh", "display_name": "Aarhus ESDH", "role": "integration", "organisation_id": org}))
            .await;
        created.assert_status(201);
        let client_id = created.body["client_id"].as_str().expect("client_id").to_owned();
        let secret = created.body["client_secret"].as_str().expect("client_secret shown once").to_owned();
        let read = app.get(&format!("/api/v1/users/{}", created.id())).token(&app.admin_token).send().await;
        assert!(read.body.get("client_secret").is_none(), "the secret is shown only once");
        let tokens = app
            .post("/api/v1/auth/token")
            .json(json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}))
            .await;
        tokens.assert_status(200);
        assert!(tokens.body.get("refresh_token").is_none());
        let me = app.get("/api/v1/me").token(tokens.body["access_token"].as_str().expect("token")).send().await;
        assert_eq!(me.body["role"], "integration");
        app.post("/api/v1/auth/token")
            .json(json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong"}))
            .await
            .assert_problem(401, "unauthorized");
        // A client cannot sign in with the password grant.
        app.token_response("aarhus-esdh", &secret).await.assert_problem(400, "invalid_grant");
    }
}

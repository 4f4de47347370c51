//! The conventions every endpoint shares: problem documents, body rules, idempotency,
//! request ids, caching, CORS, health and metrics.

use brobygger_tests::{Backend, TestApp, test_both};
use serde_json::json;

fn organisation_body(name: &str) -> serde_json::Value {
    json!({"name": name, "kind": "user_organisation"})
}

async fn organisation_count(app: &TestApp) -> usize {
    app.get("/api/v1/organisations?limit=200")
        .token(&app.admin_token)
        .send()
        .await
        .ids()
        .len()
}

test_both! {
    async fn bodies_that_are_not_json_get_clear_problems_and_store_nothing(app) {
        let before = organisation_count(&app).await;
        let post = || app.post("/api/v1/organisations").token(&app.admin_token);
        post().raw("application/json", "{\"name\": ").await.assert_problem(400, "malformed_body");
        post().raw("text/plain", "name=x").await.assert_problem(415, "unsupported_media_type");
        post().raw("application/xml", "<organisation/>").await.assert_problem(415, "unsupported_media_type");
        let huge = json!({"name": "x".repeat(1024 * 1024 + 10), "kind": "other"}).to_string();
        post().raw("application/json", huge).await.assert_problem(413, "payload_too_large");
        let nul = post().json(json!({"name": "Nul\u{0}Org", "kind": "other"})).await;
        nul.assert_problem(422, "validation");
        assert_eq!(nul.body["errors"][0]["code"], "invalid_character");
        post().json(json!(["not", "an", "object"])).await.assert_problem(422, "validation");
        assert_eq!(organisation_count(&app).await, before);
        // Danish letters and any Unicode are stored as given.
        let created = post().json(json!({"name": "Pårørenderådgivningen Æbeltoft 🌉", "kind": "relatives_organisation"})).await;
        created.assert_status(201);
        assert_eq!(created.body["name"], "Pårørenderådgivningen Æbeltoft 🌉");
    }
}

test_both! {
    async fn a_repeated_post_with_an_idempotency_key_creates_one_record(app) {
        let before = organisation_count(&app).await;
        let send = |body: serde_json::Value| app.post("/api/v1/organisations").token(&app.admin_token).header("idempotency-key", "create-sind-1").json(body);
        let first = send(organisation_body("SIND Pårørenderådgivning")).await;
        first.assert_status(201);
        assert!(first.header("idempotent-replayed").is_none());
        let again = send(organisation_body("SIND Pårørenderådgivning")).await;
        again.assert_status(201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.id(), first.id());
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(organisation_count(&app).await, before + 1);
        send(organisation_body("Another body")).await.assert_problem(422, "idempotency_key_reuse");
        // Keys belong to their user: another user's identical key is its own.
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let (_, coordinator) = app.user_with_token("coord", "coordinator", &vejle).await;
        let users_key = app.post("/api/v1/users").token(&coordinator).header("idempotency-key", "create-sind-1")
            .json(json!({"username": "p1", "display_name": "P1", "role": "peer_worker", "organisation_id": vejle, "password": "a long password!"}))
            .await;
        users_key.assert_status(201);
        // After 24 hours the key is forgotten.
        app.clock.advance(chrono::TimeDelta::hours(25));
        let later = send(organisation_body("SIND Pårørenderådgivning")).await;
        later.assert_status(201);
        assert_ne!(later.id(), first.id());
    }
}

test_both! {
    async fn a_failed_create_does_not_burn_its_idempotency_key(app) {
        let send = |body: serde_json::Value| app.post("/api/v1/organisations").token(&app.admin_token).header("idempotency-key", "k-2").json(body);
        send(json!({"name": "Bad", "kind": "municipality", "municipality_code": "999"})).await.assert_problem(422, "validation");
        send(json!({"name": "Good", "kind": "municipality", "municipality_code": "630"})).await.assert_status(201);
    }
}

test_both! {
    async fn ten_concurrent_posts_with_one_key_create_one_record(app) {
        let before = organisation_count(&app).await;
        let requests = (0..10).map(|_| {
            app.post("/api/v1/organisations").token(&app.admin_token).header("idempotency-key", "burst").json(organisation_body("Det Sociale Netværk"))
        });
        let responses = futures_util::future::join_all(requests).await;
        let mut ids = std::collections::BTreeSet::new();
        for response in &responses {
            match response.status {
                201 => {
                    ids.insert(response.id());
                }
                409 => assert_eq!(response.code(), "idempotency_conflict"),
                other => panic!("unexpected {other}: {}", response.text),
            }
        }
        assert_eq!(ids.len(), 1, "every 201 is the same record");
        assert_eq!(organisation_count(&app).await, before + 1);
    }
}

test_both! {
    async fn two_concurrent_patches_with_one_version_one_wins(app) {
        let id = app.municipality("Esbjerg Kommune", "561").await;
        let path = format!("/api/v1/organisations/{id}");
        let a = app.patch(&path).token(&app.admin_token).if_match(1).merge_patch(json!({"name": "A"}));
        let b = app.patch(&path).token(&app.admin_token).if_match(1).merge_patch(json!({"name": "B"}));
        let (a, b) = futures_util::future::join(a, b).await;
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412], "{} / {}", a.text, b.text);
        let now = app.get(&path).token(&app.admin_token).send().await;
        assert_eq!(now.version(), 2);
    }
}

test_both! {
    async fn every_response_carries_a_request_id_and_private_ones_no_store(app) {
        let given = app.get("/api/v1/me").token(&app.admin_token).header("x-request-id", "trace-abc-123").send().await;
        assert_eq!(given.header("x-request-id"), Some("trace-abc-123"));
        assert_eq!(given.header("cache-control"), Some("no-store"));
        let made = app.get("/health/live").send().await;
        assert!(made.header("x-request-id").is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()));
        let problem = app.get("/api/v1/organisations/00000000-0000-7000-8000-000000000000").token(&app.admin_token).header("x-request-id", "trace-404").send().await;
        problem.assert_problem(404, "not_found");
        assert_eq!(problem.body["request_id"], "trace-404");
        assert_eq!(problem.body["instance"], "/api/v1/organisations/00000000-0000-7000-8000-000000000000");
        assert_eq!(problem.body["type"], "/problems/not_found");
        app.get("/api/v1/no-such-thing").send().await.assert_problem(404, "not_found");
    }
}

test_both! {
    async fn health_reference_and_metrics(app) {
        app.get("/health/live").send().await.assert_status(200);
        let ready = app.get("/health/ready").send().await;
        ready.assert_status(200);
        assert_eq!(ready.body["database"], "up");
        let municipalities = app.get("/api/v1/reference/municipalities").send().await;
        assert_eq!(municipalities.body["items"].as_array().map(Vec::len), Some(98));
        let syddanmark = app.get("/api/v1/reference/municipalities?region_code=1083").send().await;
        assert_eq!(syddanmark.body["items"].as_array().map(Vec::len), Some(22));
        let regions = app.get("/api/v1/reference/regions").send().await;
        assert_eq!(regions.body["items"].as_array().map(Vec::len), Some(5));
        let metrics = app.get("/metrics").send().await;
        metrics.assert_status(200);
        assert!(metrics.text.contains("brobygger_http_requests_total{method=\"GET\",route=\"/api/v1/reference/regions\",status=\"200\"} 1"), "{}", metrics.text);
        assert!(metrics.text.contains("brobygger_db_pool_connections"));
    }
}

#[actix_web::test]
async fn configured_cors_origins_may_call_the_api() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.cors_origins = vec!["https://frontend.example".to_owned()]
        })
        .await
        else {
            continue;
        };
        let preflight = app
            .request("OPTIONS", "/api/v1/organisations")
            .header("origin", "https://frontend.example")
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "authorization, if-match")
            .send()
            .await;
        assert_eq!(preflight.status, 200, "{}", preflight.text);
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some("https://frontend.example")
        );
        let call = app
            .get("/api/v1/me")
            .token(&app.admin_token)
            .header("origin", "https://frontend.example")
            .send()
            .await;
        assert_eq!(
            call.header("access-control-allow-origin"),
            Some("https://frontend.example")
        );
        let stranger = app
            .get("/api/v1/me")
            .token(&app.admin_token)
            .header("origin", "https://evil.example")
            .send()
            .await;
        assert!(stranger.header("access-control-allow-origin").is_none());
    }
}

test_both! {
    async fn a_known_path_with_an_undeclared_method_is_405_with_allow(app) {
        let trace = app.request("TRACE", "/api/v1/citizens").token(&app.admin_token).send().await;
        trace.assert_problem(405, "method_not_allowed");
        assert_eq!(trace.header("allow"), Some("GET, POST"));
        let put = app.request("PUT", &format!("/api/v1/citizens/{}", uuid::Uuid::now_v7())).token(&app.admin_token).send().await;
        put.assert_problem(405, "method_not_allowed");
        assert_eq!(put.header("allow"), Some("GET, PATCH"));
        let lookup = app.request("PUT", "/api/v1/citizens/lookup").token(&app.admin_token).send().await;
        lookup.assert_problem(405, "method_not_allowed");
        assert_eq!(lookup.header("allow"), Some("POST"));
        app.get("/api/v1/nowhere").token(&app.admin_token).send().await.assert_problem(404, "not_found");
    }
}

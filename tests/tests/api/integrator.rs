//! What an operator and an integrator meet around the API: the throttle behind a reverse proxy
//! (`BROBYGGER_TRUSTED_PROXIES`), the protected `/metrics`, the pages behind problem `type`s,
//! and `/` leading to the documentation.

use brobygger_api::Settings;
use brobygger_tests::{ADMIN_PASSWORD, Backend, TestApp, test_both};
use serde_json::json;

/// A test on SQLite and on PostgreSQL, with the settings adjusted.
macro_rules! test_both_with {
    ($name:ident, $adjust:expr, |$app:ident| $body:block) => {
        mod $name {
            use super::*;

            async fn run($app: TestApp) $body

            #[actix_web::test]
            async fn sqlite() {
                run(TestApp::spawn_with(Backend::Sqlite, $adjust).await.expect("sqlite")).await
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = TestApp::spawn_with(Backend::Postgres, $adjust).await {
                    run(app).await
                }
            }
        }
    };
}

fn trusting(proxies: &'static str) -> impl FnOnce(&mut Settings) {
    move |settings| settings.trusted_proxies = proxies.parse().expect("valid proxies")
}

async fn sign_in_from(app: &TestApp, header: (&str, &str), username: &str, password: &str) -> u16 {
    app.post("/api/v1/auth/token")
        .header(header.0, header.1)
        .json(json!({"grant_type": "password", "username": username, "password": password}))
        .await
        .status
}

test_both_with!(
    behind_a_trusted_proxy_each_client_has_its_own_throttle,
    trusting("127.0.0.1"),
    |app| {
        let typo = ("x-forwarded-for", "198.51.100.7, 203.0.113.1");
        for i in 0..5 {
            assert_eq!(
                sign_in_from(&app, typo, &format!("someone{i}"), "wrong").await,
                400
            );
        }
        assert_eq!(
            sign_in_from(&app, typo, "admin", ADMIN_PASSWORD).await,
            429,
            "that client is throttled"
        );
        // Another client behind the same proxy, by either header, signs in.
        let other = ("x-forwarded-for", "203.0.113.2");
        assert_eq!(
            sign_in_from(&app, other, "admin", ADMIN_PASSWORD).await,
            200
        );
        let rfc7239 = ("forwarded", "for=\"[2001:db8::5]:443\";proto=https");
        assert_eq!(
            sign_in_from(&app, rfc7239, "admin", ADMIN_PASSWORD).await,
            200
        );
        // A left-most address the client wrote itself changes nothing.
        let forged = ("x-forwarded-for", "192.0.2.99, 203.0.113.1");
        assert_eq!(
            sign_in_from(&app, forged, "admin", ADMIN_PASSWORD).await,
            429
        );
    }
);

test_both_with!(
    from_an_untrusted_peer_forwarding_headers_are_ignored,
    trusting("10.0.0.0/8"),
    |app| {
        for i in 0..5 {
            let from = format!("203.0.113.{i}");
            assert_eq!(
                sign_in_from(
                    &app,
                    ("x-forwarded-for", &from),
                    &format!("someone{i}"),
                    "wrong"
                )
                .await,
                400
            );
        }
        // The socket address (this test's loopback) is throttled, whatever the header says.
        let other = ("x-forwarded-for", "203.0.113.200");
        assert_eq!(
            sign_in_from(&app, other, "admin", ADMIN_PASSWORD).await,
            429
        );
    }
);

test_both! {
    async fn without_trusted_proxies_forwarding_headers_are_ignored(app) {
        for i in 0..5 {
            let from = format!("203.0.113.{i}");
            assert_eq!(sign_in_from(&app, ("forwarded", &format!("for={from}")), &format!("someone{i}"), "wrong").await, 400);
        }
        assert_eq!(sign_in_from(&app, ("forwarded", "for=203.0.113.200"), "admin", ADMIN_PASSWORD).await, 429);
    }
}

test_both! {
    async fn metrics_answer_loopback_without_a_token(app) {
        let metrics = app.get("/metrics").send().await;
        metrics.assert_status(200);
        assert!(metrics.text.contains("brobygger_http_requests_total"), "{}", metrics.text);
    }
}

test_both_with!(
    metrics_refuse_a_forwarded_remote_client_without_a_token,
    trusting("127.0.0.1"),
    |app| {
        app.get("/metrics")
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.get("/metrics").send().await.assert_status(200);
    }
);

test_both_with!(
    metrics_need_the_configured_token,
    |s: &mut Settings| s.metrics_token = Some("metrics-scraper-token".to_owned().into()),
    |app| {
        app.get("/metrics")
            .send()
            .await
            .assert_problem(401, "unauthorized");
        app.get("/metrics")
            .token("metrics-scraper-token-")
            .send()
            .await
            .assert_problem(401, "unauthorized");
        app.get("/metrics")
            .token(&app.admin_token)
            .send()
            .await
            .assert_problem(401, "unauthorized");
        app.get("/metrics")
            .token("metrics-scraper-token")
            .send()
            .await
            .assert_status(200);
    }
);

test_both! {
    async fn problem_types_resolve(app) {
        let missing = app.get("/api/v1/citizens/0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21").token(&app.admin_token).send().await;
        missing.assert_problem(404, "not_found");
        let type_uri = missing.body["type"].as_str().expect("type").to_owned();
        let page = app.get(&type_uri).send().await;
        page.assert_status(200);
        assert_eq!(page.body["code"], "not_found");
        assert_eq!(page.body["status"], 404);
        assert_eq!(page.body["type"], type_uri.as_str());
        assert!(page.body["description"].as_str().is_some_and(|d| !d.is_empty()));

        let html = app.get("/problems/version_mismatch").header("accept", "text/html,application/xhtml+xml,*/*;q=0.8").send().await;
        html.assert_status(200);
        assert!(html.header("content-type").is_some_and(|c| c.starts_with("text/html")));
        assert!(html.text.contains("<h1>Version mismatch</h1>") && html.text.contains("412"), "{}", html.text);

        app.get("/problems/no_such_problem").send().await.assert_problem(404, "not_found");
    }
}

test_both! {
    async fn the_root_leads_to_the_documentation(app) {
        let root = app.get("/").send().await;
        match root.status {
            301..=308 => assert_eq!(root.header("location"), Some("/docs/")),
            200 => assert!(root.text.to_lowercase().contains("swagger"), "{}", root.text),
            other => panic!("GET / answered {other}"),
        }
    }
}

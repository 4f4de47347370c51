//! The database goes away and comes back: `503`, the process stays up, and it recovers by
//! itself.

use brobygger_tests::{Proxy, TestApp};
use std::time::Duration;

#[actix_web::test]
async fn postgres_outage_gives_503_and_recovers_without_restart() {
    let Some((app, proxy)) = TestApp::spawn_postgres_behind(Proxy::for_postgres).await else {
        return;
    };
    app.get("/api/v1/me")
        .token(&app.admin_token)
        .send()
        .await
        .assert_status(200);

    proxy.cut();
    let started = std::time::Instant::now();
    let during = app.get("/api/v1/me").token(&app.admin_token).send().await;
    // Printed, not asserted (no timing assertions): the bar is under 1 s.
    eprintln!(
        "first request during the outage answered in {:?}",
        started.elapsed()
    );
    during.assert_problem(503, "unavailable");
    assert!(during.header("retry-after").is_some());
    let created = app
        .post("/api/v1/organisations")
        .token(&app.admin_token)
        .json(serde_json::json!({"name": "X", "kind": "other"}))
        .await;
    created.assert_problem(503, "unavailable");
    let started = std::time::Instant::now();
    let ready = app.get("/health/ready").send().await;
    eprintln!(
        "/health/ready during the outage answered in {:?}",
        started.elapsed()
    );
    assert_eq!(ready.status, 503);
    assert_eq!(ready.body["database"], "down");
    app.get("/health/live").send().await.assert_status(200);

    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if app
            .get("/api/v1/me")
            .token(&app.admin_token)
            .send()
            .await
            .status
            == 200
        {
            recovered = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "serves again once the database is back");
    app.get("/health/ready").send().await.assert_status(200);
    app.post("/api/v1/organisations")
        .token(&app.admin_token)
        .json(serde_json::json!({"name": "After the outage", "kind": "other"}))
        .await
        .assert_status(201);
}

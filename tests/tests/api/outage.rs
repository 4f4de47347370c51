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

#[actix_web::test]
async fn postgres_cut_during_write_load_loses_nothing_acknowledged() {
    use std::cell::{Cell, RefCell};
    let Some((app, proxy)) = TestApp::spawn_postgres_behind(Proxy::for_postgres).await else {
        return;
    };
    let stop = Cell::new(false);
    /// A create under load: its key, name, status and the id it got.
    type Attempt = (String, String, u16, Option<String>);
    let attempts: RefCell<Vec<Attempt>> = RefCell::default();
    let writers = (0..6).map(|writer| {
        let (app, stop, attempts) = (&app, &stop, &attempts);
        async move {
            for i in 0.. {
                if stop.get() {
                    break;
                }
                let (key, name) = (
                    format!("cut-{writer}-{i}"),
                    format!("Foreningen {writer}-{i}"),
                );
                let response = app
                    .post("/api/v1/organisations")
                    .token(&app.admin_token)
                    .header("idempotency-key", &key)
                    .json(serde_json::json!({"name": name, "kind": "civil_society"}))
                    .await;
                let id = (response.status == 201).then(|| response.id());
                assert!(
                    matches!(response.status, 201 | 503),
                    "under load with the database cut: {} {}",
                    response.status,
                    response.text
                );
                attempts.borrow_mut().push((key, name, response.status, id));
                if response.status == 503 {
                    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    });
    let cut = async {
        actix_web::rt::time::sleep(Duration::from_millis(400)).await;
        proxy.cut();
        actix_web::rt::time::sleep(Duration::from_millis(800)).await;
        proxy.restore();
        let restored = std::time::Instant::now();
        // Recovered once a create succeeds again.
        loop {
            let probe = app.get("/health/ready").send().await;
            if probe.status == 200 {
                break;
            }
            assert!(restored.elapsed() < Duration::from_secs(30), "no recovery");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        // Printed, not asserted (no timing assertions): the bar is 5 s.
        eprintln!(
            "ready again {:?} after the database came back",
            restored.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        stop.set(true);
    };
    futures_util::future::join(futures_util::future::join_all(writers), cut).await;
    let attempts = attempts.take();
    let refused = attempts.iter().filter(|a| a.2 == 503).count();
    eprintln!(
        "{} creates, {refused} refused with 503 while cut",
        attempts.len()
    );
    assert!(refused > 0, "the cut refused nothing: the test did not cut");
    for (key, name, status, id) in &attempts {
        match id {
            Some(id) => {
                let stored = app
                    .get(&format!("/api/v1/organisations/{id}"))
                    .token(&app.admin_token)
                    .send()
                    .await;
                stored.assert_status(200);
                assert_eq!(
                    stored.body["name"],
                    name.as_str(),
                    "acknowledged {key} is whole"
                );
            }
            None => {
                assert_eq!(*status, 503);
                app.post("/api/v1/organisations")
                    .token(&app.admin_token)
                    .header("idempotency-key", key)
                    .json(serde_json::json!({"name": name, "kind": "civil_society"}))
                    .await
                    .assert_status(201);
            }
        }
    }
}

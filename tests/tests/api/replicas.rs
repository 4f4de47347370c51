//! Two replicas of the server on one PostgreSQL database, as behind a load balancer: a session
//! cached in one process's memory (`auth::sessions`) is refused there soon after another
//! replica revoked it or disabled its user, long before the cache's own 30 s expiry (the bar
//! is 1 s; the time taken is printed, not asserted). The process that made the change refuses
//! it from its very next request.
//!
//! PostgreSQL only: SQLite is one file for one process, so there is no second replica to
//! tell; its local invalidation is covered by `auth.rs` (revocation, disabled users).
//!
//! Also here: many sign-ins at once, whose password hashing is bounded to one per core, all
//! end in `200` or in `503` with `Retry-After`, on both databases.

use brobygger_tests::{ADMIN_PASSWORD, PASSWORD, TestApp, test_both};
use serde_json::json;
use std::time::{Duration, Instant};

/// Far below the cache's 30 s expiry: a replica still accepting the session after this has not
/// heard of the change at all.
const PATIENCE: Duration = Duration::from_secs(5);

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me").token(token).send().await.status
}

/// Polls `app` until it refuses `token`; returns how long that took, or `None` if it still
/// accepted it after [`PATIENCE`].
async fn refused_within_patience(app: &TestApp, token: &str) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        match me_status(app, token).await {
            401 => return Some(started.elapsed()),
            200 => {}
            other => panic!("unexpected status {other} while polling"),
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Two servers on one fresh PostgreSQL database, or `None` without PostgreSQL.
async fn two_replicas() -> Option<(TestApp, TestApp)> {
    let a = TestApp::spawn_postgres().await?;
    let b = a.replica().await;
    Some((a, b))
}

#[actix_web::test]
async fn replicas_refuse_a_session_revoked_on_another_within_a_second() {
    let Some((a, b)) = two_replicas().await else {
        return;
    };
    let org = a.municipality("Vejle Kommune", "630").await;
    a.user("caseworker.vejle", "professional", &org).await;
    let token = a.login("caseworker.vejle", PASSWORD).await;
    let other = a.login("caseworker.vejle", PASSWORD).await;
    // Used on B (twice: the second from B's cache) and on A.
    for app in [&b, &b, &a, &a] {
        assert_eq!(me_status(app, &token).await, 200);
        assert_eq!(me_status(app, &other).await, 200);
    }
    a.post("/api/v1/auth/revoke")
        .json(json!({"token": token}))
        .await
        .assert_status(204);
    assert_eq!(
        me_status(&a, &token).await,
        401,
        "refused at once where revoked"
    );
    let took = refused_within_patience(&b, &token).await;
    eprintln!("replica B refused the revoked session after {took:?} (bar: 1 s)");
    assert!(took.is_some(), "replica B still accepts a revoked session");
    // Only that session: the user's other sign-in goes on, on both.
    assert_eq!(me_status(&b, &other).await, 200);
    assert_eq!(me_status(&a, &other).await, 200);
    drop(b);
}

#[actix_web::test]
async fn replicas_refuse_a_user_disabled_on_another_within_a_second() {
    let Some((a, b)) = two_replicas().await else {
        return;
    };
    let org = a.municipality("Vejle Kommune", "630").await;
    let id = a.user("peer.vejle", "professional", &org).await;
    let on_a = a.login("peer.vejle", PASSWORD).await;
    let on_b = b.login("peer.vejle", PASSWORD).await;
    for app in [&a, &a, &b, &b] {
        assert_eq!(me_status(app, &on_a).await, 200);
        assert_eq!(me_status(app, &on_b).await, 200);
    }
    let path = format!("/api/v1/users/{id}");
    let version = a.get(&path).token(&a.admin_token).send().await.version();
    a.patch(&path)
        .token(&a.admin_token)
        .if_match(version)
        .merge_patch(json!({"active": false}))
        .await
        .assert_status(200);
    assert_eq!(
        me_status(&a, &on_a).await,
        401,
        "refused at once where disabled"
    );
    assert_eq!(me_status(&a, &on_b).await, 401, "every session of the user");
    for token in [&on_a, &on_b] {
        let took = refused_within_patience(&b, token).await;
        eprintln!("replica B refused the disabled user's session after {took:?} (bar: 1 s)");
        assert!(took.is_some(), "replica B still accepts a disabled user");
    }
    // Enabled again (a user change as well): its sessions are accepted again.
    let version = a.get(&path).token(&a.admin_token).send().await.version();
    a.patch(&path)
        .token(&a.admin_token)
        .if_match(version)
        .merge_patch(json!({"active": true}))
        .await
        .assert_status(200);
    assert_eq!(me_status(&a, &on_a).await, 200);
    assert_eq!(me_status(&b, &on_b).await, 200);
    drop(b);
}

test_both! {
    async fn auth_many_sign_ins_at_once_end_in_200_or_503_with_retry_after(app) {
        let attempts = (0..24).map(|_| app.token_response("admin", ADMIN_PASSWORD));
        let responses = futures_util::future::join_all(attempts).await;
        let mut signed_in = 0;
        for response in &responses {
            match response.status {
                200 => signed_in += 1,
                503 => {
                    response.assert_problem(503, "unavailable");
                    assert!(response.header("retry-after").is_some(), "503 without Retry-After");
                }
                other => panic!("a sign-in ended in {other}: {}", response.text),
            }
        }
        eprintln!("{signed_in} of {} concurrent sign-ins got a token", responses.len());
        assert!(signed_in > 0, "no sign-in succeeded");
    }
}

//! An `Idempotency-Key` whose first request died with its process is free again at once; one
//! under way in a live process is `409`.
//!
//! A process under way holds the key's lock in its open transaction; a process that dies
//! closes its connection, and PostgreSQL releases the lock with it. Here a connection of the
//! test plays that other process: it takes the key's lock as the server would, then dies.

use brobygger_tests::TestApp;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde_json::json;
use std::time::Duration;

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[actix_web::test]
async fn a_key_held_by_a_process_that_died_is_retried_normally() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let me = app.get("/api/v1/me").token(&app.admin_token).send().await;
    let admin_id = me.body["user"]["id"].as_str().expect("id").to_owned();
    let send = || {
        app.post("/api/v1/organisations")
            .token(&app.admin_token)
            .header("idempotency-key", "crash-1")
            .json(json!({"name": "Foreningen Sind Vejle", "kind": "user_organisation"}))
    };

    let mut other_process = PgConnection::establish(app.database_url()).expect("a second session");
    other_process
        .batch_execute("BEGIN")
        .expect("a transaction under way");
    let held: Locked = diesel::sql_query(format!(
        "SELECT pg_try_advisory_xact_lock(hashtextextended('idempotency {admin_id} crash-1', 0)) AS locked"
    ))
    .get_result(&mut other_process)
    .expect("the key's lock");
    assert!(held.locked);

    send().await.assert_problem(409, "idempotency_conflict");

    drop(other_process); // the process dies: its connection closes, its transaction with it
    let mut retried = send().await;
    for _ in 0..20 {
        if retried.status != 409 {
            break;
        }
        // The database notices the closed connection within moments.
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        retried = send().await;
    }
    retried.assert_status(201);
    assert!(retried.header("idempotent-replayed").is_none());
    let replayed = send().await;
    replayed.assert_status(201);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.id(), retried.id());
}

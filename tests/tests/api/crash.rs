//! `kill -9` of the server under write load, then a restart on the same database, on both
//! databases: every create the server acknowledged is there and whole, and a create that got
//! no answer is retried with its `Idempotency-Key` and succeeds (created now or replayed),
//! never `409`.
//!
//! The server runs in a process of its own, so that it can be killed: this test binary started
//! again with `serve_for_the_crash_test` (an ignored test that serves until killed).

use brobygger_api::{Application, Clock, Settings};
use brobygger_tests::postgres::TestDatabase;
use brobygger_tests::{ADMIN_PASSWORD, ENCRYPTION_KEY, JWT_SECRET};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

const CHILD: &str = "BROBYGGER_CRASH_CHILD";
const WRITERS: usize = 8;
const LOAD_FOR: Duration = Duration::from_millis(1500);

#[actix_web::test]
#[ignore = "the server process that the crash test starts and kills, not a test by itself"]
async fn serve_for_the_crash_test() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let settings = Settings::from_env().expect("settings");
    let app = Application::build(settings, Clock::system())
        .await
        .expect("the server starts");
    app.run_until_stopped().await.expect("serves");
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

fn spawn(database_url: &str, port: u16) -> Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--ignored",
            "--exact",
            "crash::serve_for_the_crash_test",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("DATABASE_URL", database_url)
        .env("BROBYGGER_BIND", format!("127.0.0.1:{port}"))
        .env("BROBYGGER_JWT_SECRET", JWT_SECRET)
        .env("BROBYGGER_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("BROBYGGER_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server process starts")
}

/// Waits until the server answers ready, then signs in as the admin.
async fn ready(client: &awc::Client, base: &str) -> String {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = client.get(format!("{base}/health/ready")).send().await
            && response.status() == 200
        {
            break;
        }
        assert!(Instant::now() < until, "the server did not get ready");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let mut response = client
        .post(format!("{base}/api/v1/auth/token"))
        .send_json(
            &json!({"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD}),
        )
        .await
        .expect("token");
    let body: Value = response.json().await.expect("token body");
    body["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// One create: its key, its body, and what came back (`None`: no answer).
struct Attempt {
    key: String,
    body: Value,
    answer: Option<(u16, Value)>,
}

async fn create(
    client: &awc::Client,
    base: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let mut response = client
        .post(format!("{base}/api/v1/organisations"))
        .bearer_auth(token)
        .insert_header(("idempotency-key", key))
        .timeout(Duration::from_secs(10))
        .send_json(body)
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.ok()?;
    Some((status, body))
}

async fn kill_under_load_and_restart(database_url: &str) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Rc::new(RefCell::new(spawn(database_url, port)));
    let token = ready(&client, &base).await;

    let attempts: Rc<RefCell<Vec<Attempt>>> = Rc::default();
    let started = Instant::now();
    let writers = (0..WRITERS).map(|writer| {
        let (client, base, token, attempts) = (
            client.clone(),
            base.clone(),
            token.clone(),
            attempts.clone(),
        );
        async move {
            for i in 0.. {
                let key = format!("crash-{writer}-{i}");
                let body =
                    json!({"name": format!("Foreningen {writer}-{i}"), "kind": "civil_society"});
                let answer = create(&client, &base, &token, &key, &body).await;
                let stop = answer.is_none();
                attempts.borrow_mut().push(Attempt { key, body, answer });
                if stop {
                    break;
                }
            }
        }
    });
    let killer = {
        let server = server.clone();
        async move {
            actix_web::rt::time::sleep(LOAD_FOR).await;
            server.borrow_mut().kill().expect("kill -9");
            let _ = server.borrow_mut().wait();
        }
    };
    futures_util::future::join(futures_util::future::join_all(writers), killer).await;
    let attempts = attempts.take();
    let acknowledged: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| a.answer.as_ref().is_some_and(|(s, _)| *s == 201))
        .collect();
    let unanswered: Vec<&Attempt> = attempts.iter().filter(|a| a.answer.is_none()).collect();
    for attempt in &attempts {
        if let Some((status, body)) = &attempt.answer {
            assert_eq!(*status, 201, "under load, before the kill: {body}");
        }
    }
    println!(
        "{database_url}: {} creates acknowledged in {:?}, {} unanswered at the kill",
        acknowledged.len(),
        started.elapsed(),
        unanswered.len()
    );
    assert!(
        !acknowledged.is_empty(),
        "the load wrote nothing before the kill"
    );

    let mut server = spawn(database_url, port);
    let token = ready(&client, &base).await;
    for attempt in &acknowledged {
        let (_, created) = attempt.answer.as_ref().expect("answered");
        let id = created["id"].as_str().expect("id");
        let mut response = client
            .get(format!("{base}/api/v1/organisations/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("read");
        assert_eq!(response.status(), 200, "acknowledged {id} is lost");
        let stored: Value = response.json().await.expect("body");
        assert_eq!(stored["name"], attempt.body["name"], "{id} is whole");
        assert_eq!(stored["kind"], attempt.body["kind"]);
    }
    for attempt in &unanswered {
        let (status, first) = create(&client, &base, &token, &attempt.key, &attempt.body)
            .await
            .expect("an answer");
        assert_eq!(
            status, 201,
            "the retry of {} after the crash: {first}",
            attempt.key
        );
        let (status, again) = create(&client, &base, &token, &attempt.key, &attempt.body)
            .await
            .expect("an answer");
        assert_eq!(status, 201);
        assert_eq!(
            again["id"], first["id"],
            "the second retry replays the first"
        );
    }
    server.kill().expect("stop");
    let _ = server.wait();
}

#[actix_web::test]
async fn kill_9_under_write_load_loses_nothing_acknowledged_sqlite() {
    let dir = tempfile::tempdir().expect("a directory");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    kill_under_load_and_restart(&url).await;
}

#[actix_web::test]
async fn kill_9_under_write_load_loses_nothing_acknowledged_postgres() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    kill_under_load_and_restart(&database.url).await;
}

//! Black-box tests of Brobygger: the real server on a real port, on a fresh database per test,
//! on SQLite and on PostgreSQL.
//!
//! PostgreSQL runs when `BROBYGGER_TEST_POSTGRES_URL` names a server (a URL whose user may
//! create databases); each test gets a database cloned from a migrated template. When `CI` is
//! set and that variable is not, PostgreSQL tests fail instead of being skipped.

mod client;
pub mod postgres;
mod proxy;

pub use client::{Req, Resp};
pub use proxy::Proxy;

use brobygger_api::{Application, Clock, Settings};
use brobygger_persistence::DatabaseUrl;
use serde_json::{Value, json};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

pub const ADMIN_PASSWORD: &str = "test-admin-password";
pub const JWT_SECRET: &str = "test-signing-key-of-at-least-32-characters";
pub const PASSWORD: &str = "a long test password";
/// Base64 of 32 bytes, for PostgreSQL runs.
pub const ENCRYPTION_KEY: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one test body on SQLite and on PostgreSQL, as two tests named `…::sqlite` and
/// `…::postgres`.
#[macro_export]
macro_rules! test_both {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            async fn run($app: $crate::TestApp) $body

            #[actix_web::test]
            async fn sqlite() {
                run($crate::TestApp::spawn($crate::Backend::Sqlite).await).await
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::TestApp::spawn_postgres().await {
                    run(app).await
                }
            }
        }
    };
}

/// Where a test's database lives; removed when the test ends.
enum Store {
    Sqlite(tempfile::TempDir),
    Postgres(postgres::TestDatabase),
    /// Another server's: a replica's (see [`TestApp::replica`]).
    Shared,
}

/// A test's server, on a thread of its own with its own actix system. Stopping it returns when
/// its workers have stopped, its database connections are closed and its thread has ended, so
/// nothing of it is left running when the test ends, nor, after the last test, when the process
/// exits: OpenSSL's exit-time cleanup must not meet a thread that is still using OpenSSL.
struct Server {
    /// Dropping it stops the server.
    running: mpsc::Sender<()>,
    thread: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Builds the application on a new thread; returns when it listens, with its port.
    async fn start(settings: Settings, clock: Clock) -> (Server, u16) {
        let (running, stop) = mpsc::channel::<()>();
        let (ready, started) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("test-server".to_owned())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let application = match Application::build(settings, clock).await {
                        Ok(application) => application,
                        Err(e) => {
                            let _ = ready.send(Err(e.to_string()));
                            return Ok(());
                        }
                    };
                    let handle = application.handle();
                    actix_web::rt::spawn(async move {
                        let _ = actix_web::rt::task::spawn_blocking(move || stop.recv()).await;
                        handle.stop(true).await;
                    });
                    let _ = ready.send(Ok(application.port()));
                    application.run_until_stopped().await
                })
                // Here the system's runtime has ended, and with it the blocking threads that
                // ran the queries.
            })
            .expect("start the server thread");
        let started = actix_web::rt::task::spawn_blocking(move || started.recv())
            .await
            .expect("wait for the server");
        match started {
            Ok(Ok(port)) => (Server { running, thread }, port),
            Ok(Err(e)) => panic!("the server does not start: {e}"),
            Err(_) => panic!("the server thread ended: {:?}", thread.join()),
        }
    }

    /// Stops the server gracefully and waits for its thread to end.
    fn stop(self) {
        drop(self.running);
        match self.thread.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("the test server stopped with an error: {e}"),
            Err(_) => eprintln!("the test server thread panicked"),
        }
    }
}

pub struct TestApp {
    pub base_url: String,
    pub backend: Backend,
    /// The first admin's access token.
    pub admin_token: String,
    /// The service's clock; tests may move it.
    pub clock: Clock,
    client: awc::Client,
    server: Option<Server>,
    store: Store,
    database_url: String,
}

impl Drop for TestApp {
    /// Stops the server before the database goes (the fields drop after this).
    fn drop(&mut self) {
        // Closes the client's idle keep-alive connections first: a graceful stop waits for
        // open connections, checking once a second.
        drop(std::mem::take(&mut self.client));
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

impl TestApp {
    /// A server on `backend`; panics for PostgreSQL when it is not configured.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {})
            .await
            .expect("the backend is configured")
    }

    /// A server on PostgreSQL, or `None` when no PostgreSQL is configured outside CI.
    pub async fn spawn_postgres() -> Option<TestApp> {
        Self::spawn_with(Backend::Postgres, |_| {}).await
    }

    /// A server on `backend` with settings adjusted by `adjust`.
    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        let (store, url) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("brobygger.db").display());
                (Store::Sqlite(dir), url)
            }
            Backend::Postgres => {
                let database = postgres::TestDatabase::create()?;
                let url = database.url.clone();
                (Store::Postgres(database), url)
            }
        };
        Some(Self::start(backend, store, &url, adjust).await)
    }

    /// A second server on this server's database, as a replica behind a load balancer would
    /// be. Drop it before `self`, which owns the database.
    pub async fn replica(&self) -> TestApp {
        Self::start(self.backend, Store::Shared, &self.database_url, |_| {}).await
    }

    /// A PostgreSQL server reached through `proxy`, so a test can cut the database off.
    pub async fn spawn_postgres_behind(
        proxy_for: impl FnOnce(&str) -> (Proxy, String),
    ) -> Option<(TestApp, Proxy)> {
        let database = postgres::TestDatabase::create()?;
        let (proxy, url) = proxy_for(&database.url);
        let app = Self::start(Backend::Postgres, Store::Postgres(database), &url, |s| {
            s.pool.connection_timeout = Duration::from_secs(1);
        })
        .await;
        Some((app, proxy))
    }

    async fn start(
        backend: Backend,
        store: Store,
        url: &str,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        // Server logs show with a failing test's output (RUST_LOG=info for more).
        let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
            .is_test(true)
            .try_init();
        let mut settings = Settings::new(DatabaseUrl::parse(url).expect("database url"));
        settings.bind = "127.0.0.1:0".to_owned();
        settings.jwt_secret = Some(JWT_SECRET.to_owned().into());
        if backend == Backend::Postgres {
            // SQLite runs generate their key file beside the database, as in production.
            settings.encryption_key = Some(ENCRYPTION_KEY.to_owned().into());
        }
        settings.admin_password = Some(ADMIN_PASSWORD.to_owned().into());
        settings.workers = 1;
        settings.handle_signals = false;
        settings.pool.max_size = 4;
        adjust(&mut settings);
        let clock = Clock::system();
        let (server, port) = Server::start(settings, clock.clone()).await;
        let base_url = format!("http://127.0.0.1:{port}");
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        let mut app = TestApp {
            base_url,
            backend,
            admin_token: String::new(),
            clock,
            client,
            server: Some(server),
            store,
            database_url: url.to_owned(),
        };
        app.admin_token = app.login("admin", ADMIN_PASSWORD).await;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn get(&self, path: &str) -> Req {
        Req::new(self.client.get(self.url(path)))
    }

    pub fn post(&self, path: &str) -> Req {
        Req::new(self.client.post(self.url(path)))
    }

    pub fn patch(&self, path: &str) -> Req {
        Req::new(self.client.patch(self.url(path)))
    }

    pub fn delete(&self, path: &str) -> Req {
        Req::new(self.client.delete(self.url(path)))
    }

    pub fn request(&self, method: &str, path: &str) -> Req {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        Req::new(self.client.request(method, self.url(path)))
    }

    /// The full token response of a password sign-in.
    pub async fn token_response(&self, username: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/token")
            .json(json!({"grant_type": "password", "username": username, "password": password}))
            .await
    }

    /// An access token for `username`, or a panic.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self.token_response(username, password).await;
        assert_eq!(
            response.status, 200,
            "sign-in of {username}: {}",
            response.text
        );
        response.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// The audit events about `citizen` as the admin reads them (`GET /audit-events`), oldest
    /// first; panics unless they fit one page of 200.
    pub async fn audit_events_of(&self, citizen: &str) -> Vec<Value> {
        let events = self
            .get(&format!(
                "/api/v1/audit-events?citizen_id={citizen}&limit=200"
            ))
            .token(&self.admin_token)
            .send()
            .await;
        events.assert_status(200);
        assert!(events.body["next_cursor"].is_null(), "one page holds them");
        events.body["items"].as_array().expect("items").clone()
    }

    /// Creates an organisation as the admin; returns its id.
    pub async fn organisation(&self, name: &str, kind: &str, extra: Value) -> String {
        let mut body = json!({"name": name, "kind": kind});
        merge(&mut body, extra);
        let response = self
            .post("/api/v1/organisations")
            .token(&self.admin_token)
            .json(body)
            .await;
        assert_eq!(
            response.status, 201,
            "create organisation: {}",
            response.text
        );
        response.id()
    }

    /// A municipality organisation, by its official code.
    pub async fn municipality(&self, name: &str, code: &str) -> String {
        self.organisation(name, "municipality", json!({"municipality_code": code}))
            .await
    }

    /// Creates a user as the admin; returns its id.
    pub async fn user(&self, username: &str, role: &str, organisation_id: &str) -> String {
        let response = self
            .post("/api/v1/users")
            .token(&self.admin_token)
            .json(json!({
                "username": username,
                "display_name": username,
                "role": role,
                "organisation_id": organisation_id,
                "password": PASSWORD,
            }))
            .await;
        assert_eq!(response.status, 201, "create user: {}", response.text);
        response.id()
    }

    /// Creates a user as the admin and signs it in; returns (id, access token).
    pub async fn user_with_token(
        &self,
        username: &str,
        role: &str,
        organisation_id: &str,
    ) -> (String, String) {
        let id = self.user(username, role, organisation_id).await;
        (id, self.login(username, PASSWORD).await)
    }

    /// Settings for running a command-line job (retention) against this test's database.
    pub fn job_settings(&self) -> Settings {
        let mut settings =
            Settings::new(DatabaseUrl::parse(&self.database_url).expect("database url"));
        settings.encryption_key = Some(ENCRYPTION_KEY.to_owned().into());
        settings
    }

    /// The URL of this test's database (`postgres://…` or `sqlite://…`).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.store, Store::Postgres(_))
    }

    /// Everything the database holds, as bytes: the SQLite files (with the WAL), or a
    /// `pg_dump` of the PostgreSQL database. For checking what is stored in clear.
    pub fn database_bytes(&self) -> Vec<u8> {
        match &self.store {
            Store::Sqlite(dir) => {
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(dir.path())
                    .expect("the database folder")
                    .flatten()
                {
                    if entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("brobygger.db")
                        && !entry.file_name().to_string_lossy().ends_with(".key")
                    {
                        bytes.extend(std::fs::read(entry.path()).expect("read"));
                    }
                }
                bytes
            }
            Store::Postgres(database) => {
                let output = std::process::Command::new("pg_dump")
                    .arg("--data-only")
                    .arg(&database.url)
                    .output()
                    .expect("pg_dump runs");
                assert!(
                    output.status.success(),
                    "pg_dump: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                output.stdout
            }
            Store::Shared => panic!("a replica's database belongs to the server it replicates"),
        }
    }
}

/// RFC 7396 merge, for building request bodies.
pub fn merge(target: &mut Value, patch: Value) {
    if let (Value::Object(target), Value::Object(patch)) = (target, patch) {
        for (k, v) in patch {
            target.insert(k, v);
        }
    }
}

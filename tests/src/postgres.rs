//! A fresh PostgreSQL database per test, cloned from a template migrated once.

use brobygger_persistence::connection::with_database;
use diesel::{Connection, PgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use std::sync::{Mutex, OnceLock};

pub const URL_VARIABLE: &str = "BROBYGGER_TEST_POSTGRES_URL";

pub struct TestDatabase {
    pub url: String,
    name: String,
    admin_url: String,
}

/// The server URL, or `None` to skip PostgreSQL (never in CI).
fn admin_url() -> Option<String> {
    match std::env::var(URL_VARIABLE) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {URL_VARIABLE} is not: the PostgreSQL tests must run in CI")
        }
        _ => {
            eprintln!("{URL_VARIABLE} is not set: skipping the PostgreSQL run of this test");
            None
        }
    }
}

/// The template's name changes whenever a migration does.
fn template_name() -> String {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../persistence/migrations/postgres"
    );
    let mut files: Vec<_> = walk(std::path::Path::new(root));
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).unwrap_or_default());
    }
    format!("brobygger_template_{}", &hex::encode(hash.finalize())[..16])
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

fn ensure_template(admin_url: &str) -> String {
    static READY: OnceLock<String> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    if let Some(name) = READY.get() {
        return name.clone();
    }
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(name) = READY.get() {
        return name.clone();
    }
    let name = template_name();
    let mut admin = PgConnection::establish(admin_url).expect("connect to the PostgreSQL server");
    // Test binaries of several processes may race to build the template.
    diesel::sql_query("SELECT pg_advisory_lock(724242)")
        .execute(&mut admin)
        .expect("lock");
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let exists = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
    ))
    .get_result::<Count>(&mut admin)
    .expect("query")
    .n > 0;
    if !exists {
        diesel::sql_query(format!("CREATE DATABASE {name}_build"))
            .execute(&mut admin)
            .ok();
        let url = with_database(admin_url, &format!("{name}_build"));
        let settings_url = brobygger_persistence::DatabaseUrl::parse(&url).expect("url");
        let manager = brobygger_persistence::connection::Manager::new(settings_url);
        let mut conn = manager.connect_now().expect("connect to the template");
        brobygger_persistence::connection::migrate(&mut conn).expect("migrate the template");
        drop(conn);
        diesel::sql_query(format!("ALTER DATABASE {name}_build RENAME TO {name}"))
            .execute(&mut admin)
            .expect("rename");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(724242)")
        .execute(&mut admin)
        .expect("unlock");
    let _ = READY.set(name.clone());
    name
}

impl TestDatabase {
    pub fn create() -> Option<Self> {
        let admin_url = admin_url()?;
        let template = ensure_template(&admin_url);
        let name = format!("brobygger_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            PgConnection::establish(&admin_url).expect("connect to the PostgreSQL server");
        let mut attempt = 0;
        loop {
            match diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut admin)
            {
                Ok(_) => break,
                // Another test copying the template at the same moment: try again.
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    let _ = e;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("create the test database: {e}"),
            }
        }
        Some(Self {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

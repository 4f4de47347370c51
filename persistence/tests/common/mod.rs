//! What the persistence tests share: connections, a scratch PostgreSQL database, a temporary
//! directory. PostgreSQL comes from `BROBYGGER_TEST_POSTGRES_URL` (a server URL); a test
//! without it is skipped with a note, except when `CI` is set: then it fails.

#![allow(dead_code)] // each test file uses its own part

use brobygger_persistence::DatabaseUrl;
use brobygger_persistence::connection::{DbConnection, Manager, with_database};
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::path::PathBuf;

const URL_VARIABLE: &str = "BROBYGGER_TEST_POSTGRES_URL";

pub fn connect(url: &str) -> DbConnection {
    let url = DatabaseUrl::parse(url).expect("a database URL");
    Manager::new(url)
        .connect_now()
        .expect("connect to the database")
}

/// The server URL, or `None` to skip `test` (never when `CI` is set).
pub fn postgres_server_url(test: &str) -> Option<String> {
    match std::env::var(URL_VARIABLE) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {URL_VARIABLE} is not: {test} must run in CI")
        }
        _ => {
            eprintln!("{URL_VARIABLE} is not set: skipping {test}");
            None
        }
    }
}

/// A database created for this test on the server, dropped when this is dropped.
pub struct ScratchDatabase {
    pub url: String,
    name: String,
    server_url: String,
}

impl ScratchDatabase {
    pub fn create(server_url: &str) -> Self {
        let name = format!("brobygger_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            PgConnection::establish(server_url).expect("connect to the PostgreSQL server");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create the scratch database (the user needs CREATEDB)");
        Self {
            url: with_database(server_url, &name),
            name,
            server_url: server_url.to_owned(),
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        match PgConnection::establish(&self.server_url) {
            Ok(mut admin) => {
                if let Err(e) = diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .execute(&mut admin)
                {
                    eprintln!("could not drop the scratch database {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("could not drop the scratch database {}: {e}", self.name),
        }
    }
}

/// A directory under the system's temporary directory, removed with its contents on drop.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new() -> Self {
        let path =
            std::env::temp_dir().join(format!("brobygger-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

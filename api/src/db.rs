//! Running queries off the async threads: one pooled connection per call, one transaction per
//! call that writes.

use crate::error::ApiError;
use actix_web::web;
use brobygger_persistence::{Backend, DbConnection, Pool};
use diesel::Connection;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Database {
    pool: Pool,
    backend: Backend,
    /// SQLite has one writer at a time; taking turns here instead of in SQLite's busy loop
    /// keeps writers fair and avoids its deferred-transaction upgrade deadlock.
    sqlite_writer: Arc<Mutex<()>>,
}

impl Database {
    pub fn new(pool: Pool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            sqlite_writer: Arc::new(Mutex::new(())),
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Runs `work` on a pooled connection on the blocking thread pool, without a transaction.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|_| ApiError::Unavailable)?;
            work(&mut conn)
        })
        .await?
    }

    /// Runs `work` in one transaction: all of it is stored, or none of it.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let writer = (self.backend == Backend::Sqlite).then(|| self.sqlite_writer.clone());
        web::block(move || {
            let mut conn = pool.get().map_err(|_| ApiError::Unavailable)?;
            let _turn = writer
                .as_ref()
                .map(|w| w.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
            conn.transaction(|c| work(c))
        })
        .await?
    }

    /// Whether the database answers now.
    pub async fn ready(&self) -> bool {
        let pool = self.pool.clone();
        web::block(move || pool.get().is_ok())
            .await
            .unwrap_or(false)
    }
}

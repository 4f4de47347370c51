//! Running queries off the async threads: one pooled connection per call, one transaction per
//! call that writes.

use crate::error::ApiError;
use brobygger_persistence::{Backend, DbConnection, Pool};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;

#[derive(Clone)]
pub struct Database {
    pool: Pool,
    backend: Backend,
    /// SQLite has one writer at a time; taking turns here instead of in SQLite's busy loop
    /// keeps writers fair and avoids its deferred-transaction upgrade deadlock.
    sqlite_writer: Arc<Mutex<()>>,
    /// The runtime that opened the database (the server's main one): queries run on its
    /// blocking threads, which end, and are waited for, when that runtime ends. The HTTP
    /// workers' runtimes end on threads nobody waits for; a thread of theirs that had used a
    /// PostgreSQL connection over TLS could still be ending, in OpenSSL's thread cleanup, while
    /// the process exits and OpenSSL's `atexit` cleanup frees the same state.
    runtime: Option<Handle>,
}

impl Database {
    pub fn new(pool: Pool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            sqlite_writer: Arc::new(Mutex::new(())),
            runtime: Handle::try_current().ok(),
        }
    }

    /// Starts `task` on the runtime that opened the database (or on the current one).
    pub(crate) fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.runtime {
            Some(runtime) => runtime.spawn(task),
            None => tokio::spawn(task),
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Runs `work` on a blocking thread of the runtime that opened the database (or of the
    /// current one, outside any runtime's reach).
    async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let task = match &self.runtime {
            Some(runtime) => runtime.spawn_blocking(work),
            None => tokio::task::spawn_blocking(work),
        };
        task.await.map_err(ApiError::internal)
    }

    /// Runs `work` on a pooled connection on the blocking thread pool, without a transaction.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        self.blocking(move || {
            let mut conn = pool.get().map_err(unavailable)?;
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
        let db = self.clone();
        self.blocking(move || db.write_now(work)).await?
    }

    /// `write`, on the calling thread (a blocking one: an export's producer, a command).
    pub fn write_now<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    {
        let mut conn = self.pool.get().map_err(unavailable)?;
        let _turn = (self.backend == Backend::Sqlite).then(|| {
            self.sqlite_writer
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        });
        conn.transaction(|c| {
            take_the_write_lock(c)?;
            work(c)
        })
    }

    /// Starts `work` on a blocking thread of the database's runtime (see `blocking`), for work
    /// that holds a connection for long, such as an export's producer.
    pub fn spawn_blocking<T, F>(&self, work: F) -> tokio::task::JoinHandle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        match &self.runtime {
            Some(runtime) => runtime.spawn_blocking(work),
            None => tokio::task::spawn_blocking(work),
        }
    }

    /// Whether the database answers now.
    pub async fn ready(&self) -> bool {
        let pool = self.pool.clone();
        self.blocking(move || pool.check()).await.unwrap_or(false)
    }

    /// Closes the pool (see `Pool::close`): afterwards no connection is open, none is opened,
    /// and every query fails. Returns whether all connections closed within `patience`.
    pub async fn close(&self, patience: Duration) -> bool {
        let pool = self.pool.clone();
        self.blocking(move || pool.close(patience))
            .await
            .unwrap_or(false)
    }
}

/// `503`, with why no connection could be had in the log.
pub fn unavailable(error: impl std::fmt::Display) -> ApiError {
    log::warn!("no database connection: {error}");
    ApiError::Unavailable
}

/// SQLite: takes the write lock as the transaction's first statement, as `BEGIN IMMEDIATE`
/// would. A transaction that read first and wrote later could not upgrade its read once
/// another connection had written meanwhile (`SQLITE_BUSY_SNAPSHOT`, "database is locked" at
/// once, no busy timeout). A write first waits its turn under the busy timeout instead. PostgreSQL needs nothing.
fn take_the_write_lock(conn: &mut DbConnection) -> Result<(), ApiError> {
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("DELETE FROM idempotency_keys WHERE 0")?;
    }
    Ok(())
}

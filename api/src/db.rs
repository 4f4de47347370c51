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
    /// The threads of long work (exports' producers), each holding a connection for as long as
    /// its stream: kept off the runtime's few query threads, which they would take for
    /// seconds, and joined by `close` so that none is still ending while the process exits.
    long_work: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

impl Database {
    pub fn new(pool: Pool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            sqlite_writer: Arc::new(Mutex::new(())),
            runtime: Handle::try_current().ok(),
            long_work: Arc::default(),
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

    /// Starts `work` on a thread of its own, for work that holds a connection for long, such as
    /// an export's producer; `close` waits for it. Fails when the system has no thread to give.
    pub fn spawn_long<F>(&self, name: &str, work: F) -> Result<(), ApiError>
    where
        F: FnOnce() + Send + 'static,
    {
        let handle = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(work)
            .map_err(|e| ApiError::internal(format!("no thread for {name}: {e}")))?;
        let mut threads = self.long_work.lock().unwrap_or_else(|p| p.into_inner());
        threads.retain(|t| !t.is_finished());
        threads.push(handle);
        Ok(())
    }

    /// Whether the database answers now.
    pub async fn ready(&self) -> bool {
        let pool = self.pool.clone();
        self.blocking(move || pool.check()).await.unwrap_or(false)
    }

    /// Closes the pool (see `Pool::close`): afterwards no connection is open, none is opened,
    /// and every query fails. Returns whether all connections closed within `patience`.
    /// The long work still running ends then (its queries fail, or its client has gone); `false`
    /// as well when some of it had not ended within `patience`.
    pub async fn close(&self, patience: Duration) -> bool {
        let pool = self.pool.clone();
        let long_work = self.long_work.clone();
        self.blocking(move || {
            let started = std::time::Instant::now();
            let closed = pool.close(patience);
            let threads = std::mem::take(&mut *long_work.lock().unwrap_or_else(|p| p.into_inner()));
            while threads.iter().any(|t| !t.is_finished()) && started.elapsed() < patience {
                std::thread::sleep(Duration::from_millis(10));
            }
            let mut ended = true;
            for thread in threads {
                if thread.is_finished() {
                    let _ = thread.join();
                } else {
                    ended = false;
                }
            }
            closed && ended
        })
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

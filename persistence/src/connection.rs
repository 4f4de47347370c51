//! Connections: the backend from the URL, a pool, SQLite's pragmas, embedded migrations.

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, CustomizeConnection, HandleError, ManageConnection, R2D2Connection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use scheduled_thread_pool::ScheduledThreadPool;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection to either backend; queries written once run on both. The derive also declares
/// `MultiBackend` here (public), for `ToSql`/`FromSql` of persistence's own column types.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type PooledConnection = r2d2::PooledConnection<Manager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A parsed `DATABASE_URL`: `postgres://…`/`postgresql://…` or `sqlite://PATH`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl std::fmt::Debug for DatabaseUrl {
    // Never prints the URL itself: it may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Postgres(_) => f.write_str("DatabaseUrl::Postgres(..)"),
            Self::Sqlite(path) => write!(f, "DatabaseUrl::Sqlite({path})"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported DATABASE_URL scheme {0:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE"
    )]
    UnknownScheme(String),
    #[error("sqlite:// needs a file path, e.g. sqlite://brobygger.db")]
    EmptySqlitePath,
    #[error("cannot reach the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::EmptySqlitePath);
            }
            Ok(Self::Sqlite(path.to_owned()))
        } else {
            let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
            Err(DbError::UnknownScheme(scheme.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Opens connections for the pool. Unlike diesel's generic manager it never falls back from
/// one backend to the other: a PostgreSQL outage must not open a SQLite file by that name.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    gate: Arc<Gate>,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self {
            url,
            gate: Arc::default(),
        }
    }

    pub fn connect_now(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(url).map(DbConnection::Postgresql)
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // Durable and safe under concurrent writers (`spec/quality.md`, Reliability);
                // deleted or overwritten personal data is zeroed, not left in free pages.
                // The busy timeout first: switching to WAL takes a lock, which a connection
                // opened while another writes must wait for rather than fail on.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                     PRAGMA secure_delete = ON;",
                )
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        if !self.gate.start_opening() {
            return Err(closed());
        }
        let conn = self.connect_now();
        self.gate.finish_opening(conn.is_ok());
        conn.map_err(r2d2::Error::ConnectionError)
    }

    /// The check on every check-out, without a round trip (no `SELECT 1`): a PostgreSQL
    /// connection whose server has gone (restarted, cut off) has had its socket closed, which
    /// reading what the server sent reveals at once; r2d2 then discards it and tries another.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        // Once the pool is closed, checking out a connection closes it instead.
        if self.gate.is_closed() {
            return Err(closed());
        }
        still_connected(conn).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        self.gate.is_closed() || conn.is_broken() || still_connected(conn).is_err()
    }
}

/// Whether a connection's server is still there, without sending anything: for PostgreSQL,
/// libpq reads whatever the server sent (`PQconsumeInput`, through diesel's
/// `notifications_iter`), which fails once the server closed the connection; a pooled
/// connection listens on no channel, so there is never a notification to lose. SQLite's file
/// does not go away.
fn still_connected(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) => pg.notifications_iter().try_for_each(|n| n.map(drop)),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

fn closed() -> r2d2::Error {
    r2d2::Error::ConnectionError(ConnectionError::BadConnection(
        "the connection pool is closed".to_owned(),
    ))
}

/// What a pool's connections are doing, so that [`Pool::close`] can wait for them: how many
/// are being opened, how many are open, and whether the pool is closed.
#[derive(Debug, Default)]
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct GateState {
    closed: bool,
    opening: usize,
    open: usize,
    /// The last attempt to open a connection failed: the database is unreachable until one
    /// succeeds.
    unreachable: bool,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_closed(&self) -> bool {
        self.lock().closed
    }

    fn is_unreachable(&self) -> bool {
        self.lock().unreachable
    }

    /// False when the pool is closed: then no connection may be opened.
    fn start_opening(&self) -> bool {
        let mut state = self.lock();
        if state.closed {
            return false;
        }
        state.opening += 1;
        true
    }

    fn finish_opening(&self, opened: bool) {
        let mut state = self.lock();
        state.opening -= 1;
        state.open += usize::from(opened);
        state.unreachable = !opened;
        self.changed.notify_all();
    }

    fn closed_one(&self) {
        let mut state = self.lock();
        state.open = state.open.saturating_sub(1);
        self.changed.notify_all();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Waits until `until` for no connection to be open or being opened; returns whether none
    /// is.
    fn wait_until_none(&self, until: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if state.opening == 0 && state.open == 0 {
                return true;
            }
            let now = Instant::now();
            if now >= until {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// Counts the connections r2d2 lets go of (broken, expired or, once the pool is closed, every
/// one), closing each on the thread that lets go of it.
#[derive(Debug)]
struct CountReleases(Arc<Gate>);

impl CustomizeConnection<DbConnection, r2d2::Error> for CountReleases {
    fn on_release(&self, conn: DbConnection) {
        drop(conn);
        self.0.closed_one();
    }
}

/// r2d2's own error logging, quiet about the connections a closed pool refuses.
#[derive(Debug)]
struct LogUnlessClosed(Arc<Gate>);

impl HandleError<r2d2::Error> for LogUnlessClosed {
    fn handle_error(&self, error: r2d2::Error) {
        if !self.0.is_closed() {
            log::error!(target: "r2d2", "{error}");
        }
    }
}

/// r2d2's helper threads, which open the connections and close expired ones: three for the
/// whole process, shared by every pool and never stopped.
///
/// A pool with threads of its own leaves them running for up to 30 s after the pool is gone
/// (scheduled-thread-pool runs the pending reaper tick first), and then they end at some
/// moment nobody chose. A thread that has opened a PostgreSQL connection over TLS runs
/// OpenSSL's thread-exit cleanup when it ends; if that happens while the process exits, it
/// races OpenSSL's `atexit` cleanup, which frees the same per-thread state: a double free or
/// a crash after everything else went well. Threads that live as long as the process never
/// end before it does.
fn helper_threads() -> Arc<ScheduledThreadPool> {
    static THREADS: OnceLock<Arc<ScheduledThreadPool>> = OnceLock::new();
    THREADS
        .get_or_init(|| {
            Arc::new(
                ScheduledThreadPool::builder()
                    .num_threads(3)
                    .thread_name_pattern("r2d2-worker-{}")
                    .build(),
            )
        })
        .clone()
}

/// A pool of connections to either backend, which can be closed.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    gate: Arc<Gate>,
    timeout: Duration,
}

/// How long a request waits at a time for a connection before it looks whether the database
/// is unreachable.
const WAIT_STEP: Duration = Duration::from_millis(200);

impl Pool {
    /// A connection, waiting up to the pool's connection timeout for one while the database
    /// answers (all connections busy under load), but giving up within [`WAIT_STEP`] once
    /// opening a connection has failed: a request while the database is down gets its `503`
    /// at once, not after the whole timeout.
    pub fn get(&self) -> Result<PooledConnection, r2d2::PoolError> {
        let until = Instant::now() + self.timeout;
        loop {
            let step = WAIT_STEP.min(until.saturating_duration_since(Instant::now()));
            match self.inner.get_timeout(step) {
                Ok(conn) => return Ok(conn),
                Err(e) if self.gate.is_unreachable() || Instant::now() >= until => return Err(e),
                Err(_) => {}
            }
        }
    }

    /// Whether the database answers now: a connection and one round trip on it (readiness;
    /// checking a connection out alone sends nothing).
    pub fn check(&self) -> bool {
        self.get().is_ok_and(|mut conn| conn.ping().is_ok())
    }

    pub fn state(&self) -> r2d2::State {
        self.inner.state()
    }

    /// Closes the pool: no connection is opened any more, the ones being opened are waited
    /// for, and every idle connection is closed on the calling thread; a connection still in
    /// use is closed by whoever returns it. Waits until all are closed or `patience` has
    /// passed; returns whether all are. Blocks: call it off the async threads.
    pub fn close(&self, patience: Duration) -> bool {
        let until = Instant::now() + patience;
        self.gate.close();
        loop {
            // Each idle connection now fails its check-out test, so r2d2 closes it here.
            while let Some(conn) = self.inner.try_get() {
                drop(conn);
            }
            // A connection whose opening began before the gate closed joins the idle ones
            // when it is open: look again shortly.
            let step = (Instant::now() + Duration::from_millis(20)).min(until);
            if self.gate.wait_until_none(step) {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
        }
    }
}

/// How big the pool is and how long a request waits for a connection before `503`.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
    /// Idle connections the pool keeps open, reopening them in its helper threads: 1 for the
    /// server, 0 for a one-shot command (a helper thread still connecting while the process
    /// exits would race the TLS library's teardown).
    pub min_idle: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connection_timeout: Duration::from_secs(3),
            min_idle: 1,
        }
    }
}

/// A PostgreSQL server URL with its database name replaced by `name` (its query kept): how the
/// tests reach the databases they create on a server.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = match base.rfind('/') {
        Some(i) if i > base.find("//").map_or(0, |j| j + 1) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Builds the pool. Fails when the database cannot be reached at all, so a misconfigured
/// start is a clear error; once running, the pool reconnects by itself.
pub fn pool(url: &DatabaseUrl, options: PoolOptions) -> Result<Pool, DbError> {
    let manager = Manager::new(url.clone());
    let gate = manager.gate.clone();
    let inner = r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(options.min_idle))
        .connection_timeout(options.connection_timeout)
        // The check-out test is `Manager::is_valid`: local, no round trip.
        .test_on_check_out(true)
        .thread_pool(helper_threads())
        .connection_customizer(Box::new(CountReleases(gate.clone())))
        .error_handler(Box::new(LogUnlessClosed(gate.clone())))
        .build(manager)?;
    Ok(Pool {
        inner,
        gate,
        timeout: options.connection_timeout,
    })
}

/// Runs the embedded migrations of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> Result<usize, DbError> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// After personal data was erased: on SQLite, moves the write-ahead log into the database
/// file and empties it, so no earlier copy of an erased page stays on disk. (PostgreSQL keeps
/// old row versions until autovacuum reclaims them; they are never visible to queries or dumps.)
pub fn settle_erasure(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
        DbConnection::Postgresql(_) => Ok(()),
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgresql(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn with_database_replaces_the_name_and_keeps_the_query() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }

    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://brobygger.db").ok(),
            Some(DatabaseUrl::Sqlite("brobygger.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db")
                .map(|u| u.backend())
                .ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db")
                .map(|u| u.backend())
                .ok(),
            Some(Backend::Postgres)
        );
        assert!(
            matches!(DatabaseUrl::parse("mysql://u@h/db"), Err(DbError::UnknownScheme(s)) if s == "mysql")
        );
        assert!(matches!(
            DatabaseUrl::parse("brobygger.db"),
            Err(DbError::UnknownScheme(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite://"),
            Err(DbError::EmptySqlitePath)
        ));
    }
}

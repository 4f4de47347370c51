//! Open sessions, served from memory: a warm authenticated request costs no database round
//! trip.
//!
//! A session is cached on its first use from the one query that checks it (its user active, the
//! session open and unexpired). An entry is forgotten:
//! - at once, on the process that made the change, after its commit: a revocation (sign-out,
//!   `POST /auth/revoke`, a reused refresh token) or any change of the user (`PATCH`);
//! - on every other replica on the same PostgreSQL within a second: the change's transaction
//!   sends a `NOTIFY` (delivered at commit), and each replica's listener thread, on a
//!   connection of its own, forgets what it names. diesel 2.3's
//!   `PgConnection::notifications_iter` reads notifications without waiting (libpq's
//!   `PQconsumeInput`/`PQnotifies`), so the listener looks every [`POLL`] and sends one
//!   `SELECT 1` every [`HEARTBEAT`] to notice a connection that died silently. While it is not
//!   listening (not yet connected, or its connection lost) nothing is served from or put into
//!   the cache: every request asks the database, as before. On SQLite one process serves the
//!   database; forgetting locally is enough;
//! - after [`TTL`] in any case, and never later than the session's own expiry;
//! - the oldest first when [`CAPACITY`] entries are held.
//!
//! A query that began before a change and ends after it must not put the old state back: each
//! fill carries the cache's generation from before its query, and every forgetting moves the
//! generation on, so a fill that a forgetting overtook is not stored.

use brobygger_domain::user::Role;
use brobygger_persistence::auth::{Invalidation, InvalidationListener};
use brobygger_persistence::ids::{OrganisationId, SessionId, UserId};
use brobygger_persistence::user::UserRow;
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long an entry is served at most, whatever else happens.
pub const TTL: Duration = Duration::from_secs(30);
/// How many sessions are held at most.
pub const CAPACITY: usize = 10_000;
/// How often the listener looks for notifications.
const POLL: Duration = Duration::from_millis(50);
/// How often the listener checks its connection with a round trip.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long the listener waits before connecting again.
const RECONNECT: Duration = Duration::from_millis(500);

/// What authenticating a request needs to know of its session and user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    /// The client's stored scopes (`scope::parse_stored`).
    pub scopes: String,
    pub expires_at: NaiveDateTime,
}

impl Session {
    pub fn of(user: &UserRow, expires_at: NaiveDateTime) -> Self {
        Self {
            user_id: user.id,
            organisation_id: user.organisation_id,
            role: user.role,
            scopes: user.scopes.clone(),
            expires_at,
        }
    }
}

struct Entry {
    session: Session,
    stored_at: Instant,
}

struct Inner {
    entries: HashMap<SessionId, Entry>,
    /// Moves on with every forgetting (and arming): see [`Ticket`].
    generation: u64,
    /// Whether entries may be served and stored: always on SQLite; on PostgreSQL only while
    /// the listener listens.
    armed: bool,
}

/// The cache's generation when a fill's query began.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

pub struct Sessions {
    inner: Mutex<Inner>,
    capacity: usize,
    ttl: Duration,
}

impl Sessions {
    /// A cache that serves at once (SQLite), or only once a listener listens (PostgreSQL).
    pub fn new(capacity: usize, ttl: Duration, armed: bool) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                generation: 0,
                armed,
            }),
            capacity,
            ttl,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached session `id`, if it is held, fresh (stored less than the TTL before `at`) and
    /// unexpired at `now`.
    pub fn get(&self, id: SessionId, now: NaiveDateTime, at: Instant) -> Option<Session> {
        let mut inner = self.lock();
        if !inner.armed {
            return None;
        }
        let entry = inner.entries.get(&id)?;
        if entry.session.expires_at <= now || at.duration_since(entry.stored_at) >= self.ttl {
            inner.entries.remove(&id);
            return None;
        }
        Some(entry.session.clone())
    }

    /// Take before the query whose result [`Self::put`] stores.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().generation)
    }

    /// Stores `session` unless something was forgotten since `ticket` was taken (the query may
    /// have read what is no longer so) or the cache is not armed; returns whether it did.
    pub fn put(&self, ticket: Ticket, id: SessionId, session: Session, at: Instant) -> bool {
        let mut inner = self.lock();
        if !inner.armed || inner.generation != ticket.0 || self.capacity == 0 {
            return false;
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&id) {
            let ttl = self.ttl;
            inner
                .entries
                .retain(|_, e| at.duration_since(e.stored_at) < ttl);
            if inner.entries.len() >= self.capacity {
                let oldest = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.stored_at)
                    .map(|(id, _)| *id);
                if let Some(oldest) = oldest {
                    inner.entries.remove(&oldest);
                }
            }
        }
        inner.entries.insert(
            id,
            Entry {
                session,
                stored_at: at,
            },
        );
        true
    }

    /// Forgets what `what` names. Call after the change's commit.
    pub fn forget(&self, what: Invalidation) {
        let mut inner = self.lock();
        inner.generation += 1;
        match what {
            Invalidation::Session(id) => {
                inner.entries.remove(&id);
            }
            Invalidation::User(user) => inner.entries.retain(|_, e| e.session.user_id != user),
            Invalidation::All => inner.entries.clear(),
        }
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts or stops serving from memory; either way forgets everything held.
    fn arm(&self, armed: bool) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation += 1;
        inner.armed = armed;
    }

    /// Starts the thread that listens for other replicas' changes on PostgreSQL `url`.
    pub fn listen(self: &Arc<Self>, url: String) -> Listening {
        let stop = Arc::new(AtomicBool::new(false));
        let (sessions, stopping) = (self.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("session-listener".to_owned())
            .spawn(move || listen(&sessions, &url, &stopping))
            .map_err(|e| log::error!("cannot start the session listener: {e}"))
            .ok();
        Listening { stop, thread }
    }
}

/// Sleeps `duration` in short steps; false when asked to stop meanwhile.
fn pause(duration: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
    }
    !stop.load(Ordering::Relaxed)
}

fn listen(sessions: &Sessions, url: &str, stop: &AtomicBool) {
    let mut lost_logged = false;
    while !stop.load(Ordering::Relaxed) {
        let mut listener = match InvalidationListener::connect(url) {
            Ok(listener) => listener,
            Err(e) => {
                if !lost_logged {
                    log::warn!("session listener cannot connect (sessions not cached): {e}");
                    lost_logged = true;
                }
                if !pause(RECONNECT, stop) {
                    break;
                }
                continue;
            }
        };
        if lost_logged {
            log::info!("session listener connected again");
            lost_logged = false;
        }
        sessions.arm(true);
        let mut beat = Instant::now();
        let lost = loop {
            if !pause(POLL, stop) {
                break None;
            }
            match listener.received() {
                Ok(received) => received.into_iter().for_each(|what| sessions.forget(what)),
                Err(e) => break Some(e),
            }
            if beat.elapsed() >= HEARTBEAT {
                beat = Instant::now();
                if let Err(e) = listener.heartbeat() {
                    break Some(e);
                }
            }
        };
        sessions.arm(false);
        if let Some(e) = lost {
            log::warn!("session listener lost its connection (sessions not cached): {e}");
            lost_logged = true;
        }
    }
}

/// The listener thread; [`Listening::stop`] ends it and waits for it.
pub struct Listening {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listening {
    /// Blocks until the thread has ended (within about [`POLL`], or a connection attempt).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(user_id: UserId, expires_at: NaiveDateTime) -> Session {
        Session {
            user_id,
            organisation_id: OrganisationId::new(),
            role: Role::Professional,
            scopes: String::new(),
            expires_at,
        }
    }

    fn now() -> NaiveDateTime {
        chrono::Utc::now().naive_utc()
    }

    fn later() -> NaiveDateTime {
        now() + chrono::TimeDelta::hours(1)
    }

    #[test]
    fn a_stored_session_is_served_until_the_ttl_passes() {
        let cache = Sessions::new(10, TTL, true);
        let (id, user, at) = (SessionId::new(), UserId::new(), Instant::now());
        assert!(cache.put(cache.ticket(), id, session(user, later()), at));
        assert_eq!(cache.get(id, now(), at).map(|s| s.user_id), Some(user));
        assert!(
            cache
                .get(id, now(), at + TTL - Duration::from_millis(1))
                .is_some()
        );
        assert!(cache.get(id, now(), at + TTL).is_none());
        assert!(cache.is_empty(), "a stale entry is dropped");
    }

    #[test]
    fn a_session_is_never_served_past_its_own_expiry() {
        let cache = Sessions::new(10, TTL, true);
        let (id, at) = (SessionId::new(), Instant::now());
        let expires_at = now() + chrono::TimeDelta::seconds(5);
        cache.put(cache.ticket(), id, session(UserId::new(), expires_at), at);
        assert!(
            cache
                .get(id, expires_at - chrono::TimeDelta::seconds(1), at)
                .is_some()
        );
        assert!(cache.get(id, expires_at, at).is_none());
    }

    #[test]
    fn the_cache_holds_at_most_its_capacity_dropping_the_oldest() {
        let cache = Sessions::new(3, TTL, true);
        let start = Instant::now();
        let ids: Vec<_> = (0..5).map(|_| SessionId::new()).collect();
        for (i, id) in ids.iter().enumerate() {
            let at = start + Duration::from_millis(i as u64);
            assert!(cache.put(cache.ticket(), *id, session(UserId::new(), later()), at));
            assert!(cache.len() <= 3);
        }
        let at = start + Duration::from_millis(10);
        assert!(cache.get(ids[0], now(), at).is_none());
        assert!(cache.get(ids[1], now(), at).is_none());
        assert!(
            ids[2..]
                .iter()
                .all(|id| cache.get(*id, now(), at).is_some())
        );
    }

    #[test]
    fn forgetting_a_session_or_a_user_evicts_only_theirs() {
        let cache = Sessions::new(10, TTL, true);
        let at = Instant::now();
        let (alice, bob) = (UserId::new(), UserId::new());
        let (a1, a2, b1) = (SessionId::new(), SessionId::new(), SessionId::new());
        for (id, user) in [(a1, alice), (a2, alice), (b1, bob)] {
            cache.put(cache.ticket(), id, session(user, later()), at);
        }
        cache.forget(Invalidation::Session(a1));
        assert!(cache.get(a1, now(), at).is_none());
        assert!(cache.get(a2, now(), at).is_some());
        cache.put(cache.ticket(), a1, session(alice, later()), at);
        cache.forget(Invalidation::User(alice));
        assert!(cache.get(a1, now(), at).is_none());
        assert!(cache.get(a2, now(), at).is_none());
        assert!(cache.get(b1, now(), at).is_some());
        cache.forget(Invalidation::All);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_fill_overtaken_by_a_forgetting_is_not_stored() {
        let cache = Sessions::new(10, TTL, true);
        let (id, user, at) = (SessionId::new(), UserId::new(), Instant::now());
        let ticket = cache.ticket();
        // The user is disabled while the query that read it as active runs.
        cache.forget(Invalidation::User(user));
        assert!(!cache.put(ticket, id, session(user, later()), at));
        assert!(cache.get(id, now(), at).is_none());
    }

    #[test]
    fn an_unarmed_cache_serves_and_stores_nothing() {
        let cache = Sessions::new(10, TTL, false);
        let (id, at) = (SessionId::new(), Instant::now());
        assert!(!cache.put(cache.ticket(), id, session(UserId::new(), later()), at));
        cache.arm(true);
        let ticket = cache.ticket();
        assert!(cache.put(ticket, id, session(UserId::new(), later()), at));
        cache.arm(false);
        assert!(
            cache.get(id, now(), at).is_none(),
            "losing the listener clears"
        );
        cache.arm(true);
        assert!(!cache.put(ticket, id, session(UserId::new(), later()), at));
    }
}

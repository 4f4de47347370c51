//! The `Idempotency-Key`s of creates under way in this process (see `idempotency`).

use std::collections::HashSet;
use std::sync::Mutex;

/// The keys of the creates under way in this process. On PostgreSQL the database's lock
/// (`persistence::idempotency::lock`) also covers other processes; this answers a duplicate at once
/// instead of letting it queue for SQLite's one writer.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashSet<(String, String)>>);

/// A key held while its request is under way; let go when dropped, however the request ends.
pub struct Held<'a> {
    in_flight: &'a InFlight,
    entry: (String, String),
}

impl InFlight {
    pub fn hold(&self, user_id: &str, key: &str) -> Option<Held<'_>> {
        let entry = (user_id.to_owned(), key.to_owned());
        let newly_held = {
            let mut keys = self.0.lock().unwrap_or_else(|p| p.into_inner());
            keys.insert(entry.clone())
        };
        // Built only when held: a `Held` dropped at once would let go of another's key.
        newly_held.then(|| Held {
            in_flight: self,
            entry,
        })
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut keys = self.in_flight.0.lock().unwrap_or_else(|p| p.into_inner());
        keys.remove(&self.entry);
    }
}

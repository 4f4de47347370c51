//! What every handler shares.

use crate::audit_commit::GroupCommit;
use crate::clock::Clock;
use crate::cpr_vault::CprVault;
use crate::db::Database;
use crate::in_flight::InFlight;
use crate::sessions::Sessions;
use crate::settings::Settings;
use crate::tokens::TokenKeys;
use std::sync::Arc;

pub struct AppState {
    pub db: Database,
    pub keys: TokenKeys,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// Encrypts and indexes CPR numbers.
    pub vault: CprVault,
    /// The `Idempotency-Key`s of creates under way in this process.
    pub in_flight: InFlight,
    /// Open sessions served from memory (`sessions`).
    pub sessions: Arc<Sessions>,
    /// Commits the audit records of concurrent reads together (`audit_commit`).
    pub audit_commits: GroupCommit,
}

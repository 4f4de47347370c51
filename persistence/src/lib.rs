//! Brobygger's persistence: one diesel schema over PostgreSQL and the embedded SQLite,
//! chosen from the `DATABASE_URL` scheme.
//!
//! Functions here are synchronous and take a connection; the API runs them off the async
//! threads, one transaction per request that writes.

pub mod advisory;
pub mod audit;
pub mod auth;
pub mod citizen;
pub mod connection;
pub mod consent;
pub mod course;
pub mod employment;
pub mod export;
pub mod idempotency;
pub mod ids;
pub mod organisation;
pub mod page;
pub mod partner_invitation;
pub mod peer_worker;
pub mod programme;
pub mod referral;
pub mod report;
pub mod schema;
pub mod seed;
pub mod status_history;
pub mod supervision;
pub mod support_course;
pub mod text;
pub mod training_cohort;
pub mod user;

pub use connection::{
    Backend, DatabaseUrl, DbConnection, DbError, MultiBackend, Pool, PoolOptions,
};
pub use page::PageRequest;

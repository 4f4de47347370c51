//! Black-box tests of the whole API: each runs on SQLite and on PostgreSQL.

mod access_by_role;
mod auth;
mod citizens;
mod contract;
mod conventions;
mod core_fields;
mod courses;
mod crash;
mod employment;
mod exports;
mod idempotency;
mod oauth;
mod organisations;
mod outage;
mod partnerships;
mod peer_workers;
mod programmes;
mod referrals;
mod retry_safe;
mod supervision;
mod support_courses;
mod training_cohorts;
mod users;

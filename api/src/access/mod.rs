//! Who may do what, in one place. Every service asks here; nothing else decides access.
//!
//! One [`Access`] level for every resource, and one function per resource kind deciding a
//! user's access to a stored resource (`programme`, `peer_worker`, `citizen`, …), plus the
//! scopes that lists pass to `persistence` as part of their query (never load-then-filter).
//!
//! - **Admins** see and manage everything.
//! - **Organisations**: a user sees its own; admins manage them.
//! - **Users**: admins all, coordinators those of their organisation, others themselves.
//! - **Programmes**: a user sees a programme when its organisation is a partner (the lead is
//!   always a partner); a coordinator of a partner manages it; other roles read it, except
//!   professionals, who see only the referrals addressed to their organisation.
//! - **Peer workers**: a user sees a peer worker hosted by its organisation or working in a
//!   programme its organisation is a partner of; a coordinator of such an organisation manages
//!   it. A user of role `peer_worker` sees only its own record, read-only. Professionals and
//!   evaluators see no peer worker (the workforce is personal data they have no need of).
//! - **Training cohorts**: as their programme; not for professionals and evaluators.
//! - **Supervision sessions**: a user sees a session it supervised, or one attended or
//!   supervised by a peer worker it sees; a coordinator who manages an attending peer worker
//!   manages the session.
//! - **Citizens**: coordinators and integrations those their organisation registered and
//!   those with a support course in a programme their organisation is a partner of (managed);
//!   a peer worker those of the courses it guides (read); professionals and evaluators none.
//! - **Support courses** (and their goals and contacts): coordinators and integrations those
//!   in their organisation's partner programmes (a coordinator of the programme manages them);
//!   the peer worker guiding a course guides it (goals, progress, contacts).
//! - **Employment statuses and retention checks**: as the citizen; who manages the citizen and
//!   the peer worker guiding one of its courses record them.
//! - **Referrals**: the sending side as their support course (admins read); the recipient's
//!   side, professionals and coordinators of the target organisation, once sent and while
//!   the consent holds.
//! - **Courses** (teaching model): coordinators of the programme's partners manage them;
//!   a peer worker sees those it teaches and records their attendance; a citizen's enrolment
//!   only to those who see the citizen.
//! - **The audit log**: admins.
//!
//! - **Operations**: `operations.rs` is the role × operation table every call passes first
//!   (`guard.rs`), with the scope an integration client needs (`auth/scope.rs`).
//!
//! Anything outside this scope does not exist for the user: `404`, never listed.

mod advisory;
mod citizen;
mod course;
mod export;
pub mod guard;
mod level;
pub mod operations;
mod organisation;
mod referral;
mod workforce;

pub use advisory::*;
pub use citizen::*;
pub use course::*;
pub use export::*;
pub use level::{Access, require_role};
pub use organisation::*;
pub use referral::*;
pub use workforce::*;

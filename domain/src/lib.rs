//! Brobygger's domain: the types and rules of peer support, with no I/O.
//!
//! Values that reach this crate's types have been checked once, at the edge; from then on
//! the type says they are valid (`Cvr`, `MunicipalityCode`, …).

pub mod advisory;
pub mod citizen;
pub mod course;
pub mod disclosure;
pub mod employment;
pub mod error;
pub mod export;
pub mod organisation;
pub mod peer_worker;
pub mod programme;
pub mod reference;
pub mod referral;
pub mod report;
pub mod supervision;
pub mod support_course;
pub mod text;
pub mod training_cohort;
pub mod user;
pub mod workflow;

pub use error::{FieldError, FieldErrors};

//! Brobygger's domain: the types and rules of peer support, with no I/O.
//!
//! Values that reach this crate's types have been checked once, at the edge; from then on
//! the type says they are valid (`Cvr`, `MunicipalityCode`, …).

pub mod citizen;
pub mod error;
pub mod organisation;
pub mod reference;
pub mod support_course;
pub mod text;
pub mod user;

pub use error::{FieldError, FieldErrors};

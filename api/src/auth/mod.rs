//! Authentication: the token endpoint, revocation, `/me`, and the `CurrentUser` extractor.

pub mod handlers;
pub mod password;
pub mod service;
pub mod tokens;
pub mod user;

pub use user::CurrentUser;

//! Authentication: the `CurrentUser` extractor, password hashing and token keys (the token
//! endpoint itself is the `token` resource).

pub mod password;
pub mod scope;
pub mod user;

pub use user::CurrentUser;

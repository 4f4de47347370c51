//! Length limits shared by every resource (`spec/api.md`: names 200, free text 10,000).

pub const NAME_MAX: usize = 200;
pub const FREE_TEXT_MAX: usize = 10_000;

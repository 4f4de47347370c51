//! Brobygger's HTTP API: the actix-web application, authentication and the contract.

pub mod access;
pub mod actor;
pub mod app;
pub mod audit;
pub mod auth;
pub mod body;
pub mod citizen;
pub mod clock;
pub mod consent;
pub mod contact;
pub mod convert;
pub mod cpr_vault;
pub mod db;
pub mod error;
pub mod goal;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod organisation;
pub mod peer_worker;
pub mod programme;
pub mod reference;
pub mod request_context;
pub mod retention;
pub mod settings;
pub mod state;
pub mod supervision;
pub mod support_course;
pub mod training_cohort;
pub mod user;
pub mod workflow;

pub use app::{Application, StartError, openapi, openapi_yaml_text};
pub use clock::Clock;
pub use settings::Settings;

//! Configuration, read once from the environment (README.md, "Configuration").

use crate::proxy::TrustedProxies;
use brobygger_persistence::{DatabaseUrl, DbError, PoolOptions};
use secrecy::SecretString;
use std::time::Duration;

/// Everything the server is configured with. Built once in `main` (or by a test) and passed
/// down; there is no global configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: String,
    /// The token signing key; when absent one is generated once and kept in the database.
    pub jwt_secret: Option<SecretString>,
    /// Base64 of 32 bytes; encrypts CPR numbers. Required with PostgreSQL; with SQLite a key
    /// file beside the database is generated when absent.
    pub encryption_key: Option<SecretString>,
    pub cors_origins: Vec<String>,
    pub admin_username: String,
    pub admin_password: Option<SecretString>,
    pub pool: PoolOptions,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// HTTP worker threads.
    pub workers: usize,
    /// The most threads the server's runtime runs queries on (`BROBYGGER_BLOCKING_THREADS`);
    /// `None`: see [`Settings::query_threads`]. Read by `brobygger serve` when it builds
    /// that runtime.
    pub blocking_threads: Option<usize>,
    /// Whether the server stops on SIGINT/SIGTERM (off for servers inside tests).
    pub handle_signals: bool,
    /// The reverse proxies whose `Forwarded`/`X-Forwarded-For` name the client (`proxy.rs`).
    pub trusted_proxies: TrustedProxies,
    /// When set, `/metrics` needs `Authorization: Bearer <this>`; when absent it answers only
    /// to clients on the loopback interface.
    pub metrics_token: Option<SecretString>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Database(#[from] DbError),
    #[error("BROBYGGER_JWT_SECRET must be at least 32 characters")]
    WeakSecret,
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://brobygger.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Settings {
    /// Settings with every default, on the given database.
    pub fn new(database_url: DatabaseUrl) -> Self {
        Self {
            database_url,
            bind: DEFAULT_BIND.to_owned(),
            jwt_secret: None,
            encryption_key: None,
            cors_origins: Vec::new(),
            admin_username: "admin".to_owned(),
            admin_password: None,
            pool: PoolOptions::default(),
            body_limit: 1024 * 1024,
            issuer: "brobygger".to_owned(),
            audience: "brobygger-api".to_owned(),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            workers: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            blocking_threads: None,
            handle_signals: true,
            trusted_proxies: TrustedProxies::default(),
            metrics_token: None,
        }
    }

    /// The settings of a one-shot command (`migrate`, `seed-demo`, `export`, …): those of the
    /// environment, with a pool that opens connections only when asked, so none is being opened
    /// while the command's process exits.
    pub fn for_command() -> Result<Self, ConfigError> {
        let mut settings = Self::from_env()?;
        settings.pool.min_idle = 0;
        Ok(settings)
    }

    /// The most threads that run queries: as set, or two per worker. On a machine of two cores
    /// more only contend (`bench/README.md`, "Results" and "Memory": 12 threads 84 % of the
    /// audited read's bar, 4 threads 115 %; on a later machine 2, 4, 8 and 16 alike), and
    /// tokio's own default, 512, took the server to 158 MiB resident under 64 connections.
    /// Exports stream on threads of their own (`Database::spawn_long`), so a few long exports
    /// cannot take them all.
    pub fn query_threads(&self) -> usize {
        self.blocking_threads.unwrap_or(2 * self.workers)
    }

    /// Reads the environment (after `.env`, if present).
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let mut settings = Self::new(DatabaseUrl::parse(&url)?);
        if let Some(bind) = var("BROBYGGER_BIND") {
            settings.bind = bind;
        }
        if let Some(secret) = var("BROBYGGER_JWT_SECRET") {
            if secret.len() < 32 {
                return Err(ConfigError::WeakSecret);
            }
            settings.jwt_secret = Some(SecretString::from(secret));
        }
        if let Some(origins) = var("BROBYGGER_CORS_ORIGINS") {
            settings.cors_origins = origins
                .split(',')
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect();
        }
        if let Some(username) = var("BROBYGGER_ADMIN_USERNAME") {
            settings.admin_username = username;
        }
        settings.encryption_key = var("BROBYGGER_ENCRYPTION_KEY").map(SecretString::from);
        settings.admin_password = var("BROBYGGER_ADMIN_PASSWORD").map(SecretString::from);
        if let Some(size) = var("BROBYGGER_DB_POOL_SIZE") {
            settings.pool.max_size = size
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::Invalid("BROBYGGER_DB_POOL_SIZE", size))?;
        }
        if let Some(threads) = var("BROBYGGER_BLOCKING_THREADS") {
            settings.blocking_threads = Some(
                threads
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(ConfigError::Invalid("BROBYGGER_BLOCKING_THREADS", threads))?,
            );
        }
        if let Some(proxies) = var("BROBYGGER_TRUSTED_PROXIES") {
            settings.trusted_proxies = proxies
                .parse()
                .map_err(|e| ConfigError::Invalid("BROBYGGER_TRUSTED_PROXIES", e))?;
        }
        settings.metrics_token = var("BROBYGGER_METRICS_TOKEN").map(SecretString::from);
        Ok(settings)
    }
}

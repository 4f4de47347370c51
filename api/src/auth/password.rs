//! Argon2id hashes for passwords and client secrets.

use crate::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a request waits for a turn at hashing before it is refused with `503`.
const HASHING_PATIENCE: Duration = Duration::from_secs(2);

/// One turn per core: each Argon2id hash takes 19 MiB and a core's time, so more at once only
/// queue on the cores while holding their memory.
fn hashing_turns() -> &'static Semaphore {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    TURNS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
    })
}

async fn turn() -> Result<SemaphorePermit<'static>, ApiError> {
    match tokio::time::timeout(HASHING_PATIENCE, hashing_turns().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ApiError::Overloaded(
            "every password hashing turn is taken (sign-ins are bounded to one per core)",
        )),
    }
}

/// [`hash`] on the blocking pool, once a hashing turn is free (`503` after a short wait).
pub async fn hash_bounded(secret: String) -> Result<String, ApiError> {
    let _turn = turn().await?;
    actix_web::web::block(move || hash(&secret).map_err(ApiError::internal)).await?
}

/// [`verify`] on the blocking pool, once a hashing turn is free (`503` after a short wait).
/// An unknown user (`stored` absent) takes the same turn and time as a wrong password.
pub async fn verify_bounded(secret: String, stored: Option<String>) -> Result<bool, ApiError> {
    let _turn = turn().await?;
    Ok(actix_web::web::block(move || verify(&secret, stored.as_deref())).await?)
}

pub fn hash(secret: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(secret.as_bytes(), &salt)?
        .to_string())
}

/// Checks `secret` against `stored`. Without a stored hash it still does the work of one, so
/// that a wrong username costs the same time as a wrong password.
pub fn verify(secret: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("no such user: equalise timing").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(secret.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// A random secret of 32 bytes, URL-safe base64.
pub fn random_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery staple").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", Some(&h)));
        assert!(!verify("wrong", Some(&h)));
        assert!(!verify("no such user: equalise timing", None));
    }
}

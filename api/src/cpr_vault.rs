//! CPR numbers at rest: encrypted with XChaCha20-Poly1305, found by a keyed hash (blind
//! index). Both keys are derived (HKDF-SHA256) from the one configured key, so neither can be
//! turned into the other.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use brobygger_domain::citizen::Cpr;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NONCE_LEN: usize = 24;

pub struct CprVault {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
    /// The secret the exports' per-organisation pseudonym keys derive from.
    pseudonym_key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("BROBYGGER_ENCRYPTION_KEY must be the base64 of 32 bytes")]
    BadKey,
    #[error("a stored CPR number cannot be decrypted with this key")]
    Decrypt,
}

impl CprVault {
    pub fn new(master: &[u8; 32]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(b"brobygger"), master);
        let mut encryption_key = [0u8; 32];
        let mut index_key = [0u8; 32];
        // Expanding 32 bytes from SHA-256 HKDF cannot fail.
        let _ = hkdf.expand(b"cpr encryption v1", &mut encryption_key);
        let _ = hkdf.expand(b"cpr blind index v1", &mut index_key);
        let mut pseudonym_key = [0u8; 32];
        let _ = hkdf.expand(b"export pseudonyms v1", &mut pseudonym_key);
        Self {
            cipher: XChaCha20Poly1305::new(&encryption_key.into()),
            index_key,
            pseudonym_key,
        }
    }

    /// The secret of the exports' pseudonyms (derived from the master key, used for nothing
    /// else): `brobygger_domain::export::organisation_key` derives each recipient's key from it.
    pub fn pseudonym_secret(&self) -> &[u8; 32] {
        &self.pseudonym_key
    }

    /// Decodes a configured key: base64 of exactly 32 bytes.
    pub fn decode_key(text: &str) -> Result<[u8; 32], VaultError> {
        STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(VaultError::BadKey)
    }

    /// A new random key, base64.
    pub fn generate_key() -> String {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    /// `nonce || ciphertext`, base64. A fresh random nonce each time.
    pub fn encrypt(&self, cpr: &Cpr) -> Result<String, VaultError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, cpr.digits().as_bytes())
            .map_err(|_| VaultError::Decrypt)?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(STANDARD.encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> Result<Cpr, VaultError> {
        let bytes = STANDARD.decode(stored).map_err(|_| VaultError::Decrypt)?;
        if bytes.len() <= NONCE_LEN {
            return Err(VaultError::Decrypt);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| VaultError::Decrypt)?;
        let plain = self
            .cipher
            .decrypt(&XNonce::from(nonce), sealed)
            .map_err(|_| VaultError::Decrypt)?;
        let text = String::from_utf8(plain).map_err(|_| VaultError::Decrypt)?;
        Cpr::parse(&text).map_err(|_| VaultError::Decrypt)
    }

    /// The keyed hash that finds a CPR number by exact match.
    pub fn blind_index(&self, cpr: &Cpr) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(cpr.digits().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces_and_a_stable_index() {
        let vault = CprVault::new(&[7u8; 32]);
        let cpr = Cpr::parse("070761-4286").expect("cpr");
        let a = vault.encrypt(&cpr).expect("encrypt");
        let b = vault.encrypt(&cpr).expect("encrypt");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("0707614286"));
        assert_eq!(vault.decrypt(&a).expect("decrypt"), cpr);
        assert_eq!(
            vault.blind_index(&cpr),
            vault.blind_index(&Cpr::parse("0707614286").expect("cpr"))
        );
        let other = CprVault::new(&[8u8; 32]);
        assert!(other.decrypt(&a).is_err(), "another key cannot read it");
        assert_ne!(other.blind_index(&cpr), vault.blind_index(&cpr));
    }

    #[test]
    fn keys_are_base64_of_32_bytes() {
        assert!(CprVault::decode_key(&CprVault::generate_key()).is_ok());
        assert!(CprVault::decode_key("c2hvcnQ=").is_err());
        assert!(CprVault::decode_key("not base64!").is_err());
    }
}

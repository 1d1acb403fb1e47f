//! Secrets: bearer tokens, their hashes, and the vault's envelope encryption.
//!
//! Tokens are 256 random bits, shown once and stored only as SHA-256 hashes, compared in
//! constant time. Personal data in the vault is sealed with ChaCha20-Poly1305 under a data key
//! per conversation; the data key is itself sealed under the master key from configuration.
//! Deleting a conversation's data key erases its vault values even from backups of the vault
//! table (crypto-shredding).

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Length of the nonce prepended to every sealed value.
const NONCE_LENGTH: usize = 12;

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| Error::Unavailable("no randomness available".into()))?;
    Ok(bytes)
}

/// A new bearer token: 256 random bits, hex.
pub fn new_token() -> Result<String> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// SHA-256 of a token, hex: what is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() != right.len() {
        return false;
    }
    left.iter()
        .zip(right)
        .fold(0u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}

/// A 256-bit key that seals and opens values.
#[derive(Clone)]
pub struct SealingKey(Key);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SealingKey(..)")
    }
}

impl SealingKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Key::from(bytes))
    }

    /// A key from 64 hex characters.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
        Some(Self::from_bytes(bytes))
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_bytes(random_bytes::<32>()?))
    }

    /// Encrypts and authenticates `plain`, binding it to `context` (for example the
    /// conversation id and placeholder) so a sealed value cannot be moved elsewhere.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce_bytes = random_bytes::<NONCE_LENGTH>()?;
        let payload = chacha20poly1305::aead::Payload {
            msg: plain,
            aad: context,
        };
        let sealed = cipher
            .encrypt(&Nonce::from(nonce_bytes), payload)
            .map_err(|_| Error::Unavailable("sealing failed".into()))?;
        let mut output = nonce_bytes.to_vec();
        output.extend_from_slice(&sealed);
        Ok(output)
    }

    /// Opens a value sealed with the same key and context.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LENGTH {
            return Err(Error::Unavailable("sealed value too short".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE_LENGTH);
        let nonce: [u8; NONCE_LENGTH] = nonce
            .try_into()
            .map_err(|_| Error::Unavailable("sealed value too short".into()))?;
        let cipher = ChaCha20Poly1305::new(&self.0);
        cipher
            .decrypt(
                &Nonce::from(nonce),
                chacha20poly1305::aead::Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| Error::Unavailable("sealed value does not open with this key".into()))
    }

    /// The raw key, for sealing under another key.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_value_opens_with_its_key_and_context_only() {
        let key = SealingKey::generate().unwrap();
        let sealed = key.seal(b"NL91ABNA0417164300", b"conv-1/[IBAN_1]").unwrap();
        assert_eq!(key.open(&sealed, b"conv-1/[IBAN_1]").unwrap(), b"NL91ABNA0417164300");
        assert!(key.open(&sealed, b"conv-2/[IBAN_1]").is_err());
        assert!(
            SealingKey::generate()
                .unwrap()
                .open(&sealed, b"conv-1/[IBAN_1]")
                .is_err()
        );
        assert!(!sealed.windows(4).any(|window| window == b"ABNA"));
    }

    #[test]
    fn tokens_are_256_bits_and_compare_in_constant_time() {
        let token = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert!(constant_time_eq(&token_hash(&token), &token_hash(&token)));
        assert!(!constant_time_eq(&token_hash(&token), &token_hash("other")));
        assert!(!constant_time_eq("ab", "abc"));
    }
}

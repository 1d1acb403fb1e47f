//! The staff's second factor (REQUIREMENTS SEC-09): time-based one-time passwords as every
//! authenticator app computes them (RFC 6238 over RFC 4226: HMAC-SHA1, 30-second steps, six
//! digits), and single-use recovery codes for a lost phone.
//!
//! A secret is 160 random bits, shown once as base32 and as an `otpauth://` URI for a QR code, and
//! stored only sealed under the server's key. A code is accepted for one step at most: the store
//! keeps the last step used and refuses it or an earlier one again, so a code seen over a
//! shoulder cannot be replayed. Recovery codes are 50 random bits each, stored as SHA-256 hashes,
//! and crossed out when used.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::secrets::random_bytes;

/// Seconds per time step (RFC 6238's default, which every authenticator app uses).
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Recovery codes issued when the second factor is set up.
pub const RECOVERY_CODES: usize = 10;

/// A TOTP secret (20 bytes, the size RFC 4226 recommends for HMAC-SHA1).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Result<TotpSecret> {
        Ok(TotpSecret(random_bytes::<20>()?))
    }

    /// The secret from its stored bytes; `None` unless there are exactly 20.
    pub fn from_bytes(bytes: &[u8]) -> Option<TotpSecret> {
        Some(TotpSecret(bytes.try_into().ok()?))
    }

    /// The secret from its base32 form (as [`TotpSecret::base32`] writes it, spaces and case
    /// ignored); `None` unless it is 20 bytes.
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        TotpSecret::from_bytes(&BASE32_NOPAD.decode(compact.to_ascii_uppercase().as_bytes()).ok()?)
    }

    /// The raw bytes, to be sealed before storing.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The base32 form people type into an authenticator app (no padding, upper case).
    pub fn base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://totp/...` URI a QR code carries: issuer and account name label the entry
    /// in the app.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            percent_encode(account),
            self.base32()
        )
    }

    /// The code for time step `step` (RFC 4226 with the step as counter).
    pub fn code_at(&self, step: i64) -> String {
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&self.0) else {
            unreachable!("HMAC takes keys of any length")
        };
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let truncated = u32::from_be_bytes([
            digest[offset],
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]) & 0x7fff_ffff;
        format!("{:0width$}", truncated % 1_000_000, width = DIGITS)
    }

    /// The step a presented code belongs to, looking `skew` steps either way of `unix_seconds`;
    /// `None` when it matches none. Every candidate is compared, so the time taken does not
    /// depend on which one matched.
    pub fn matching_step(&self, code: &str, unix_seconds: i64, skew: u8) -> Option<i64> {
        let code = normalise_code(code)?;
        let now = unix_seconds.div_euclid(STEP_SECONDS);
        let skew = i64::from(skew);
        let mut found = None;
        for step in now - skew..=now + skew {
            if crate::secrets::constant_time_eq(&self.code_at(step), &code) && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

/// A typed code without spaces: six digits, or `None`.
fn normalise_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Whether a presented second factor looks like a recovery code rather than a TOTP code.
pub fn is_recovery_code(text: &str) -> bool {
    normalise_recovery_code(text).is_some()
}

/// New recovery codes, shown once: ten groups `xxxxx-xxxxx` of lower-case base32 (50 bits each).
pub fn new_recovery_codes() -> Result<Vec<String>> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes = random_bytes::<8>()?;
            let text = BASE32_NOPAD.encode(&bytes).to_ascii_lowercase();
            Ok(format!("{}-{}", &text[..5], &text[5..10]))
        })
        .collect()
}

/// The stored form of a recovery code: SHA-256 of its normalised text, hex. `None` when `text`
/// is not shaped like one.
pub fn recovery_code_hash(text: &str) -> Option<String> {
    let normalised = normalise_recovery_code(text)?;
    Some(hex::encode(Sha256::digest(normalised.as_bytes())))
}

/// Ten base32 characters, case, dashes and spaces ignored.
fn normalise_recovery_code(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (kept.len() == 10
        && kept
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)))
    .then_some(kept)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for the URI's label.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret.
    fn rfc_secret() -> TotpSecret {
        TotpSecret(*b"12345678901234567890")
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // Appendix B lists eight digits; six digits are the same number modulo 10^6.
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(rfc_secret().code_at(time / STEP_SECONDS), eight[2..], "time {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_within_the_skew_and_nothing_else() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let step = now / STEP_SECONDS;
        assert_eq!(secret.matching_step(&secret.code_at(step), now, 1), Some(step));
        assert_eq!(secret.matching_step(&secret.code_at(step - 1), now, 1), Some(step - 1));
        assert_eq!(secret.matching_step(&secret.code_at(step + 1), now, 1), Some(step + 1));
        assert_eq!(secret.matching_step(&secret.code_at(step - 2), now, 1), None);
        assert_eq!(secret.matching_step(&secret.code_at(step - 1), now, 0), None);
        let spaced = format!("{} {}", &secret.code_at(step)[..3], &secret.code_at(step)[3..]);
        assert_eq!(secret.matching_step(&spaced, now, 0), Some(step));
        for wrong in ["", "12345", "1234567", "abcdef", "１２３４５６"] {
            assert_eq!(secret.matching_step(wrong, now, 2), None, "{wrong}");
        }
    }

    #[test]
    fn the_uri_carries_the_secret_and_labels_for_authenticator_apps() {
        let uri = rfc_secret().uri("Fietsenwinkel De Spaak", "sanne");
        assert_eq!(
            uri,
            "otpauth://totp/Fietsenwinkel%20De%20Spaak:sanne?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Fietsenwinkel%20De%20Spaak&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(TotpSecret::from_bytes(rfc_secret().as_bytes()), Some(rfc_secret()));
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            Some(rfc_secret())
        );
        assert_eq!(TotpSecret::from_base32("GEZDGNBV"), None, "too short");
        assert_eq!(TotpSecret::from_bytes(&[0; 19]), None);
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(..)");
    }

    #[test]
    fn recovery_codes_are_distinct_and_recognised_however_typed() {
        let codes = new_recovery_codes().expect("randomness");
        assert_eq!(codes.len(), RECOVERY_CODES);
        let hashes: std::collections::HashSet<String> = codes
            .iter()
            .map(|code| recovery_code_hash(code).expect("shaped"))
            .collect();
        assert_eq!(hashes.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert!(is_recovery_code(code));
        assert_eq!(recovery_code_hash(&code.to_uppercase()), recovery_code_hash(code));
        assert_eq!(recovery_code_hash(&code.replace('-', " ")), recovery_code_hash(code));
        assert!(!is_recovery_code("123456"));
        assert!(!is_recovery_code("abcde-fghi1"), "1 is not base32");
    }
}

//! Canary tokens: random markers planted in every system prompt, so that an answer repeating
//! the prompt is recognised and blocked (SEC-04, SEC-06, OWASP LLM07).
//!
//! A canary reads `LOKET-CANARY-` followed by 32 lowercase hex digits. The random bytes come
//! from the caller (this crate does no IO, and randomness is IO); the service draws them from
//! the operating system and keeps them in its data directory so that every process sharing
//! that directory, and the red-team run, know the same set. Matching is done on the compact
//! form (letters and digits only, see [`super::fingerprint::compact`]) of the 32 hex digits, so
//! a canary spelled out with spaces, dashes or in upper case is still found.

use aho_corasick::AhoCorasick;

use super::fingerprint::compact;

/// The prefix of every canary.
pub const CANARY_PREFIX: &str = "LOKET-CANARY-";

/// Random bytes per canary.
pub const CANARY_BYTES: usize = 16;

/// One canary token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Canary(String);

/// Why a text is not a canary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanaryError {
    /// The text is not `LOKET-CANARY-` with 32 lowercase hex digits.
    #[error("a canary is LOKET-CANARY- followed by 32 lowercase hex digits")]
    Malformed,
}

impl Canary {
    /// The canary for 16 random bytes.
    pub fn from_random(bytes: [u8; CANARY_BYTES]) -> Canary {
        let mut text = String::with_capacity(CANARY_PREFIX.len() + 2 * CANARY_BYTES);
        text.push_str(CANARY_PREFIX);
        for byte in bytes {
            text.push(hex_digit(byte >> 4));
            text.push(hex_digit(byte & 0x0f));
        }
        Canary(text)
    }

    /// Parses a stored canary.
    pub fn parse(text: &str) -> Result<Canary, CanaryError> {
        let digits = text.strip_prefix(CANARY_PREFIX).ok_or(CanaryError::Malformed)?;
        let well_formed = digits.len() == 2 * CANARY_BYTES
            && digits
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if well_formed {
            Ok(Canary(text.to_owned()))
        } else {
            Err(CanaryError::Malformed)
        }
    }

    /// The token to plant in a prompt.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The random part, which is what is searched for.
    fn secret(&self) -> &str {
        &self.0[CANARY_PREFIX.len()..]
    }
}

impl std::fmt::Display for Canary {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The canaries a process plants and watches for.
#[derive(Debug, Clone, Default)]
pub struct CanarySet {
    canaries: Vec<Canary>,
    matcher: Option<AhoCorasick>,
}

impl CanarySet {
    /// A set of the given canaries (duplicates are kept once).
    pub fn new(mut canaries: Vec<Canary>) -> CanarySet {
        canaries.sort_by(|left, right| left.0.cmp(&right.0));
        canaries.dedup();
        let secrets: Vec<&str> = canaries.iter().map(Canary::secret).collect();
        let matcher = if secrets.is_empty() {
            None
        } else {
            AhoCorasick::new(&secrets).ok()
        };
        CanarySet { canaries, matcher }
    }

    /// Parses one canary per line, ignoring blank lines and `#` comments.
    pub fn parse_lines(text: &str) -> Result<CanarySet, CanaryError> {
        let canaries = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(Canary::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CanarySet::new(canaries))
    }

    /// One canary per line, the format [`CanarySet::parse_lines`] reads.
    pub fn to_lines(&self) -> String {
        self.canaries.iter().map(|canary| format!("{canary}\n")).collect()
    }

    /// The canaries, for a prompt builder to plant.
    pub fn canaries(&self) -> &[Canary] {
        &self.canaries
    }

    /// The first canary, the one a prompt builder plants by default.
    pub fn primary(&self) -> Option<&Canary> {
        self.canaries.first()
    }

    /// True when there are no canaries.
    pub fn is_empty(&self) -> bool {
        self.canaries.is_empty()
    }

    /// True when `text` contains one of the canaries, in any spacing or case.
    pub fn found_in(&self, text: &str) -> bool {
        if self.canaries.is_empty() {
            return false;
        }
        let compact_text = compact(text);
        match &self.matcher {
            Some(matcher) => matcher.is_match(&compact_text),
            // The automaton could not be built: search canary by canary rather than not at all.
            None => self
                .canaries
                .iter()
                .any(|canary| compact_text.contains(canary.secret())),
        }
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> CanarySet {
        CanarySet::new(vec![
            Canary::from_random([0xab; CANARY_BYTES]),
            Canary::from_random([7; CANARY_BYTES]),
        ])
    }

    #[test]
    fn canaries_from_random_bytes_have_the_documented_form() {
        let canary = Canary::from_random([0x0f; CANARY_BYTES]);
        assert_eq!(canary.as_str(), format!("LOKET-CANARY-{}", "0f".repeat(16)));
        assert_eq!(Canary::parse(canary.as_str()), Ok(canary));
    }

    #[test]
    fn malformed_canaries_are_refused() {
        for text in [
            "",
            "LOKET-CANARY-",
            "LOKET-CANARY-xyz",
            &format!("LOKET-CANARY-{}", "AB".repeat(16)),
            "é",
        ] {
            assert_eq!(Canary::parse(text), Err(CanaryError::Malformed), "{text}");
        }
    }

    #[test]
    fn a_canary_is_found_in_any_spacing_or_case() {
        let secret = "ab".repeat(16);
        let spaced: String = secret.chars().flat_map(|character| [character, ' ']).collect();
        let check = |text: &str, expected: bool| assert_eq!(set().found_in(text), expected, "{text}");
        check(&format!("my instructions say LOKET-CANARY-{secret}"), true);
        check(&secret.to_uppercase(), true);
        check(&spaced, true);
        check(&format!("{}-{}", &secret[..16], &secret[16..]), true);
        check(&"ab".repeat(15), false);
        check("LOKET-CANARY-", false);
        check("", false);
    }

    #[test]
    fn an_empty_set_finds_nothing() {
        assert!(!CanarySet::default().found_in(&"ab".repeat(16)));
    }

    #[test]
    fn stored_lines_read_back_to_the_same_set() {
        let text = format!("# canaries\n\n{}", set().to_lines());
        let parsed = CanarySet::parse_lines(&text).unwrap();
        assert_eq!(parsed.canaries(), set().canaries());
        assert!(CanarySet::parse_lines("not a canary").is_err());
    }
}

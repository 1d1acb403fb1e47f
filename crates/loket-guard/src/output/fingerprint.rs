//! Fingerprints of non-public text, to notice when an outgoing answer repeats it (SEC-01,
//! SEC-06, OWASP LLM02).
//!
//! Two kinds of evidence are kept, both computed once from the restricted (internal and
//! confidential) texts of a knowledge-base generation:
//! - **shingles**: hashes of every run of [`SHINGLE_WORDS`] consecutive words after folding
//!   (NFKC, lowercase, diacritics removed, punctuation dropped). An answer that shares more than
//!   [`MAX_SHARED_SHINGLES`] of them with the restricted texts copies a passage;
//! - **identifiers**: long tokens that look like keys, secrets or code words
//!   (`sk-live-…`, `RODE-SPAAK-ESCALATIE`). One is enough to leak, and a single token never
//!   fills a shingle, so each is matched on its own, in a *compact* form (letters and digits
//!   only, lowercase) so that spacing or punctuation between the characters does not hide it.
//!
//! Text that also appears in a public text is removed from both sets: a sentence that the
//! public returns page and an internal script share is not a leak when a public answer quotes
//! it. Only hashes and identifiers are kept, never the restricted passages themselves.

use std::collections::HashSet;

use aho_corasick::AhoCorasick;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::normalize::normalize;

/// Words per shingle: long enough that ordinary phrases rarely repeat by chance, short enough
/// that a copied sentence yields several.
pub const SHINGLE_WORDS: usize = 8;

/// An answer may share at most this many shingles with the restricted texts; more is a copied
/// passage (two shared 8-word shingles mean a run of at least nine words).
pub const MAX_SHARED_SHINGLES: usize = 1;

/// Shortest compact identifier that is fingerprinted on its own.
pub const MIN_IDENTIFIER_CHARS: usize = 10;

/// The fingerprints of one set of restricted texts.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    shingle_words: usize,
    shingles: HashSet<u64>,
    identifiers: Vec<String>,
    identifier_matcher: Option<AhoCorasick>,
}

/// How much of an answer overlaps the restricted texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    /// Distinct shingles of the answer that occur in a restricted text (public ones excluded).
    pub shared_shingles: usize,
    /// Distinct shingles of the answer.
    pub answer_shingles: usize,
}

impl Default for Fingerprints {
    fn default() -> Self {
        Fingerprints::empty()
    }
}

impl Fingerprints {
    /// Fingerprints of nothing: every text passes.
    pub fn empty() -> Fingerprints {
        Fingerprints {
            shingle_words: SHINGLE_WORDS,
            shingles: HashSet::new(),
            identifiers: Vec::new(),
            identifier_matcher: None,
        }
    }

    /// Fingerprints `restricted` texts with [`SHINGLE_WORDS`]-word shingles, leaving out anything
    /// that also occurs in one of the `public` texts.
    pub fn build<'a>(
        restricted: impl IntoIterator<Item = &'a str>,
        public: impl IntoIterator<Item = &'a str>,
    ) -> Fingerprints {
        Fingerprints::build_with(SHINGLE_WORDS, restricted, public)
    }

    /// As [`Fingerprints::build`] with another shingle length (at least 2 words). The red-team
    /// check uses shorter shingles than the guard so that it is the stricter of the two.
    pub fn build_with<'a>(
        shingle_words: usize,
        restricted: impl IntoIterator<Item = &'a str>,
        public: impl IntoIterator<Item = &'a str>,
    ) -> Fingerprints {
        let shingle_words = shingle_words.max(2);
        let mut shingles = HashSet::new();
        let mut candidates: HashSet<String> = HashSet::new();
        for text in restricted {
            shingles.extend(shingle_hashes(&words(text), shingle_words));
            candidates.extend(identifier_candidates(text));
        }
        let mut public_compact = String::new();
        for text in public {
            for hash in shingle_hashes(&words(text), shingle_words) {
                shingles.remove(&hash);
            }
            public_compact.push_str(&compact(text));
            // A separator that `compact` never produces, so no identifier spans two texts.
            public_compact.push(' ');
        }
        let mut identifiers: Vec<String> = candidates
            .into_iter()
            .filter(|identifier| !public_compact.contains(identifier.as_str()))
            .collect();
        identifiers.sort();
        let identifier_matcher = matcher(&identifiers);
        Fingerprints {
            shingle_words,
            shingles,
            identifiers,
            identifier_matcher,
        }
    }

    /// True when nothing was fingerprinted.
    pub fn is_empty(&self) -> bool {
        self.shingles.is_empty() && self.identifiers.is_empty()
    }

    /// Number of distinct restricted shingles kept.
    pub fn shingle_count(&self) -> usize {
        self.shingles.len()
    }

    /// Number of restricted identifiers kept.
    pub fn identifier_count(&self) -> usize {
        self.identifiers.len()
    }

    /// The shingle overlap of `text` with the restricted texts.
    pub fn overlap(&self, text: &str) -> Overlap {
        let hashes: HashSet<u64> = shingle_hashes(&words(text), self.shingle_words).collect();
        Overlap {
            shared_shingles: hashes.iter().filter(|hash| self.shingles.contains(hash)).count(),
            answer_shingles: hashes.len(),
        }
    }

    /// True when `text` shares more than [`MAX_SHARED_SHINGLES`] shingles with the restricted texts.
    pub fn copies_passage(&self, text: &str) -> bool {
        self.overlap(text).shared_shingles > MAX_SHARED_SHINGLES
    }

    /// True when `text` contains a restricted identifier, however it is spaced or punctuated.
    pub fn contains_identifier(&self, text: &str) -> bool {
        if self.identifiers.is_empty() {
            return false;
        }
        let compact_text = compact(text);
        match &self.identifier_matcher {
            Some(matcher) => matcher.is_match(&compact_text),
            None => self
                .identifiers
                .iter()
                .any(|identifier| compact_text.contains(identifier.as_str())),
        }
    }
}

/// A matcher over compact strings; `None` when there is nothing to match or the automaton could
/// not be built (then [`Fingerprints::contains_identifier`] searches substring by substring).
fn matcher(patterns: &[String]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasick::new(patterns).ok()
}

/// The folded words of `text`: NFKC without invisible characters, lowercase, diacritics
/// removed, split on everything that is not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    let mut result = Vec::new();
    let mut current = String::new();
    for character in fold(text) {
        if character.is_alphanumeric() {
            current.push(character);
        } else if !current.is_empty() {
            result.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        result.push(current);
    }
    result
}

/// Letters and digits of `text` only, folded as in [`words`]: the form in which identifiers
/// and canaries are compared, so `s k-l i v e` and `SK_LIVE` both read `sklive`.
pub fn compact(text: &str) -> String {
    fold(text).filter(|character| character.is_alphanumeric()).collect()
}

fn fold(text: &str) -> impl Iterator<Item = char> {
    let normalized = normalize(text).text;
    normalized
        .nfd()
        .filter(|character| !is_combining_mark(*character))
        .flat_map(char::to_lowercase)
        .collect::<Vec<char>>()
        .into_iter()
}

/// FNV-1a over the words of each window, with a separator byte between words.
fn shingle_hashes(words: &[String], size: usize) -> impl Iterator<Item = u64> + '_ {
    words.windows(size).map(|window| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for word in window {
            for byte in word.bytes().chain(std::iter::once(0x1f)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    })
}

/// Whitespace-separated tokens that look like keys or code words: after trimming surrounding
/// punctuation, at least [`MIN_IDENTIFIER_CHARS`] letters and digits, with a letter, and with
/// a digit or an inner `-`/`_` (so plain long words such as "productcategorie" are not kept).
fn identifier_candidates(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace().filter_map(|token| {
        let token = token.trim_matches(|character: char| !character.is_alphanumeric());
        let has_letter = token.chars().any(char::is_alphabetic);
        let has_digit = token.chars().any(|character| character.is_ascii_digit());
        let has_joiner = token.contains(['-', '_']);
        let compacted = compact(token);
        (has_letter && (has_digit || has_joiner) && compacted.chars().count() >= MIN_IDENTIFIER_CHARS)
            .then_some(compacted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIDENTIAL: &str = "Leverancier Velomax BV levert de stadsfiets Spaak City 3 voor 412 euro inkoop per \
        stuk. Productiesleutel betaalprovider: sk-live-DEMO-CANARY-8c41f2e9a7b3d605. Codewoord: RODE-SPAAK-ESCALATIE.";
    const SHARED: &str = "U kunt uw bestelling binnen veertien dagen kosteloos annuleren via het retourformulier.";

    fn fingerprints() -> Fingerprints {
        let restricted = format!("{CONFIDENTIAL} {SHARED}");
        Fingerprints::build([restricted.as_str()], [SHARED, "Bel ons op 020-123 4567."])
    }

    #[test]
    fn copied_confidential_sentence_is_a_passage_copy() {
        let answer = "Zeker! Velomax BV levert de stadsfiets Spaak City 3 voor 412 euro inkoop per stuk.";
        assert!(fingerprints().copies_passage(answer));
    }

    #[test]
    fn case_accents_and_punctuation_do_not_hide_a_copy() {
        let answer = "VELOMAX bv, levert — de stadsfiets “Spaak City 3” vóór 412 euro; inkoop per stuk";
        assert!(fingerprints().copies_passage(answer));
    }

    #[test]
    fn text_shared_with_a_public_page_is_not_a_leak() {
        assert!(!fingerprints().copies_passage(SHARED));
        assert_eq!(fingerprints().overlap(SHARED).shared_shingles, 0);
    }

    #[test]
    fn unrelated_answer_shares_nothing() {
        let overlap = fingerprints().overlap("Je kunt binnen 14 dagen retourneren met het formulier op de website.");
        assert_eq!(overlap.shared_shingles, 0);
        assert!(overlap.answer_shingles > 0);
    }

    #[test]
    fn identifiers_are_found_however_they_are_spaced() {
        let check = |text: &str, expected: bool| {
            assert_eq!(fingerprints().contains_identifier(text), expected, "{text}");
        };
        check("de sleutel is sk-live-DEMO-CANARY-8c41f2e9a7b3d605", true);
        check(
            "s k - l i v e - d e m o - c a n a r y - 8 c 4 1 f 2 e 9 a 7 b 3 d 6 0 5",
            true,
        );
        check("SK_LIVE_demo_canary_8C41F2E9A7B3D605!", true);
        check("het codewoord is rode spaak escalatie", true);
        check("bel 020-123 4567 voor hulp", false);
        check("sk-live-iets-anders", false);
        check("", false);
    }

    #[test]
    fn public_identifiers_and_plain_words_are_not_fingerprinted() {
        let prints = Fingerprints::build(
            ["productcategorie 020-1234567 klantenservice-despaak"],
            ["klantenservice-despaak"],
        );
        assert_eq!(prints.identifier_count(), 0, "no letter, public, or no joiner");
    }

    #[test]
    fn empty_fingerprints_pass_everything() {
        let prints = Fingerprints::empty();
        assert!(prints.is_empty());
        assert!(!prints.copies_passage(CONFIDENTIAL));
        assert!(!prints.contains_identifier(CONFIDENTIAL));
    }

    #[test]
    fn short_texts_have_no_shingles_and_odd_input_does_not_panic() {
        for text in [
            "",
            "één",
            "\u{200B}\u{FEFF}",
            "ﬁ ﬂ",
            "𝔸𝔹ℂ 1 2 3 4 5 6 7 8 9",
            "a\u{0301}b\u{0308}",
        ] {
            let _ = fingerprints().overlap(text);
            let _ = fingerprints().contains_identifier(text);
        }
        assert_eq!(fingerprints().overlap("drie woorden maar").answer_shingles, 0);
    }
}

//! The grounding verifier: is a generated answer supported by the passages it cites?
//! (REQUIREMENTS ACC-01 to ACC-03; issue 8.)
//!
//! Deterministic and cheap, so it can stand between any language model and the customer:
//! 1. Hard rules: every number, amount, date and percentage, every URL, e-mail address and phone
//!    number in the answer must occur in the passages; a commitment ("refund", "discount",
//!    "we will", "terugbetalen", "korting", "wij zullen", ...) must be backed by the passages;
//!    a sentence that asks a question makes no grounded claim.
//! 2. Each sentence is scored by a logistic regression over ten lexical features against the
//!    passages (word overlap, novel content words, bigram and trigram coverage, first-person and
//!    hedging words not in the sources); every sentence must reach the threshold. The weights are
//!    trained by `eval/grounding/train.py` on half of BEGIN dev; `weights.rs` is its output.
//!
//! A failing answer is never shown: the caller falls back to the extractive answer or abstains
//! and offers a person.

mod weights;

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// Function words that are neither evidence nor novelty.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was",
    "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "which", "who", "whom", "whose",
    "there", "their", "they", "them", "he", "she", "his", "her", "him", "also", "so", "very", "de", "het", "een", "en",
    "te", "op", "aan", "voor", "met", "door", "van", "zijn", "waren", "wordt", "worden", "dat", "die", "dit", "deze",
    "er",
];
/// Discourse words that open an answer without claiming anything.
const DISCOURSE_WORDS: &[&str] = &["yes", "yeah", "well", "sure", "indeed", "ja", "inderdaad", "zeker"];
/// First-person and second-person words: the sources speak about the company, not "I".
const PRONOUNS: &[&str] = &[
    "i", "me", "my", "mine", "you", "your", "we", "us", "our", "ik", "mij", "mijn", "jij", "je", "jouw", "wij", "ons",
    "onze",
];
/// Opinion and hedging words.
const HEDGES: &[&str] = &[
    "think",
    "believe",
    "guess",
    "maybe",
    "probably",
    "love",
    "like",
    "hate",
    "favorite",
    "prefer",
    "agree",
    "denk",
    "geloof",
    "misschien",
    "waarschijnlijk",
];
/// Words that open an answer with a yes or no.
const AFFIRMATIONS: &[&str] = &["yes", "yeah", "no", "ja", "nee"];

/// Commitments a company is held to: each needs one of its stems in the passages (ACM:
/// no misleading promises). Matched on lowercased words.
const COMMITMENTS: &[(&str, &[&str])] = &[
    ("refund", &["refund", "terugbet", "geld terug", "money back"]),
    ("terugbet", &["terugbet", "refund", "geld terug"]),
    ("geld terug", &["geld terug", "terugbet", "refund"]),
    ("money back", &["money back", "refund", "geld terug"]),
    ("discount", &["discount", "korting"]),
    ("korting", &["korting", "discount"]),
    ("compensat", &["compensat", "vergoed"]),
    ("vergoed", &["vergoed", "compensat"]),
    ("free of charge", &["free", "gratis", "kosteloos"]),
    ("gratis", &["gratis", "free", "kosteloos"]),
    ("kosteloos", &["kosteloos", "gratis", "free"]),
    ("guarantee", &["guarantee", "garantie", "warranty"]),
    ("garandeer", &["garande", "garantie", "guarantee"]),
    ("we will", &["we will", "wij zullen", "we zullen"]),
    ("we'll", &["we will", "we'll", "wij zullen", "we zullen"]),
    ("wij zullen", &["wij zullen", "we zullen", "we will"]),
    ("we zullen", &["we zullen", "wij zullen", "we will"]),
    ("you will receive", &["receive", "ontvang", "krijg"]),
    ("u ontvangt", &["ontvang", "receive"]),
    ("u krijgt", &["krijg", "receive"]),
];

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d+)*").unwrap_or_else(|_| unreachable_regex()));
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>()]+").unwrap_or_else(|_| unreachable_regex()));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}").unwrap_or_else(|_| unreachable_regex()));

/// A pattern that matches nothing, for the impossible case that a constant pattern fails to
/// compile (keeps the guard panic-free by construction).
fn unreachable_regex() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable_regex())
}

/// Why an answer is not supported. Stable names for audit records and `loket grounding check`.
pub mod reason {
    /// The answer has no words.
    pub const EMPTY: &str = "empty_answer";
    /// The answer cites no passage text.
    pub const NO_SOURCES: &str = "no_sources";
    /// A sentence is not supported by the passages.
    pub const UNSUPPORTED_SENTENCE: &str = "unsupported_sentence";
    /// A number, amount, date or percentage is not in the passages.
    pub const NUMBER: &str = "number_not_in_sources";
    /// A URL, e-mail address or phone number is not in the passages.
    pub const CONTACT: &str = "contact_not_in_sources";
    /// A promise (refund, discount, "we will") is not backed by the passages.
    pub const COMMITMENT: &str = "commitment_not_in_sources";
    /// A sentence asks a question instead of stating what the sources say.
    pub const QUESTION: &str = "question";
}

/// The verifier's conclusion.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// True when every check passed.
    pub supported: bool,
    /// Why not, in stable names, each once.
    pub reasons: Vec<&'static str>,
    /// The lowest sentence probability (1.0 when no sentence was scored).
    pub weakest: f64,
}

/// The grounding verifier.
#[derive(Debug, Clone)]
pub struct GroundingVerifier {
    threshold: f64,
    function_words: HashSet<&'static str>,
    discourse_words: HashSet<&'static str>,
    pronouns: HashSet<&'static str>,
    hedges: HashSet<&'static str>,
}

impl Default for GroundingVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl GroundingVerifier {
    /// The verifier with the trained threshold.
    pub fn new() -> Self {
        Self::with_threshold(weights::THRESHOLD)
    }

    /// The verifier with another threshold on a sentence's probability (stricter is higher).
    pub fn with_threshold(threshold: f64) -> Self {
        Self {
            threshold,
            function_words: FUNCTION_WORDS.iter().copied().collect(),
            discourse_words: DISCOURSE_WORDS.iter().copied().collect(),
            pronouns: PRONOUNS.iter().copied().collect(),
            hedges: HEDGES.iter().copied().collect(),
        }
    }

    /// The threshold in use.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Checks `answer` against the passages it cites.
    pub fn check(&self, passages: &[&str], answer: &str) -> Verdict {
        let mut reasons: Vec<&'static str> = Vec::new();
        let mut add = |reason: &'static str| {
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        };
        let sources = passages.join("\n");
        if tokens(&sources).is_empty() {
            add(reason::NO_SOURCES);
        }
        let sentences = sentences(answer);
        if sentences.iter().all(|sentence| tokens(sentence).is_empty()) {
            add(reason::EMPTY);
        }
        if !numbers_backed(&sources, answer) {
            add(reason::NUMBER);
        }
        if !contacts_backed(&sources, answer) {
            add(reason::CONTACT);
        }
        if !commitments_backed(&sources, answer) {
            add(reason::COMMITMENT);
        }
        let source_tokens = tokens(&sources);
        let mut weakest: f64 = 1.0;
        for sentence in &sentences {
            if sentence.trim_end().ends_with('?') {
                add(reason::QUESTION);
            }
            if let Some(features) = self.features(&source_tokens, sentence) {
                let probability = probability(&features);
                weakest = weakest.min(probability);
                if probability < self.threshold {
                    add(reason::UNSUPPORTED_SENTENCE);
                }
            }
        }
        Verdict {
            supported: reasons.is_empty(),
            reasons,
            weakest,
        }
    }

    /// The ten features of `eval/grounding/train.py`, in its order; `None` for a sentence
    /// without words.
    fn features(&self, passage: &[String], sentence: &str) -> Option<[f64; 10]> {
        let answer = tokens(sentence);
        let first = answer.first()?;
        let known: HashSet<&str> = passage.iter().map(String::as_str).collect();
        let stems: HashSet<&str> = passage.iter().map(|word| stem(word)).collect();
        let length = answer.len() as f64;
        let novel = answer
            .iter()
            .filter(|word| {
                let word = word.as_str();
                !self.function_words.contains(word)
                    && !self.discourse_words.contains(word)
                    && !known.contains(word)
                    && !stems.contains(stem(word))
            })
            .count() as f64;
        let overlap = answer.iter().filter(|word| known.contains(word.as_str())).count() as f64;
        let unknown_in = |set: &HashSet<&'static str>| {
            answer
                .iter()
                .filter(|word| set.contains(word.as_str()) && !known.contains(word.as_str()))
                .count() as f64
        };
        Some([
            overlap / length,
            novel.min(10.0),
            novel / length,
            coverage(passage, &answer, 2),
            coverage(passage, &answer, 3),
            length.min(40.0) / 40.0,
            unknown_in(&self.pronouns),
            unknown_in(&self.hedges),
            if sentence.trim_end().ends_with('?') { 1.0 } else { 0.0 },
            if AFFIRMATIONS.contains(&first.as_str()) {
                1.0
            } else {
                0.0
            },
        ])
    }
}

fn probability(features: &[f64; 10]) -> f64 {
    let score = weights::BIAS
        + features
            .iter()
            .zip(weights::WEIGHTS)
            .map(|(value, weight)| value * weight)
            .sum::<f64>();
    1.0 / (1.0 + (-score).exp())
}

/// Lowercased runs of ASCII letters and digits and the Latin-1 letters à..ÿ (as the training
/// script's `[a-z0-9\u00e0-\u00ff]+`).
fn tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut current = String::new();
    for character in lower.chars() {
        if character.is_ascii_lowercase() || character.is_ascii_digit() || ('\u{e0}'..='\u{ff}').contains(&character) {
            current.push(character);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A crude suffix stripper shared with the training script: enough to match "returns" with
/// "return" and "betalen" with "betal".
fn stem(word: &str) -> &str {
    if word.chars().count() <= 4 {
        return word;
    }
    for suffix in ["ing", "ed", "es", "s", "en", "e"] {
        if let Some(stripped) = word.strip_suffix(suffix) {
            return stripped;
        }
    }
    word
}

/// Sentences: split after `.`, `!` or `?` followed by white space.
fn sentences(text: &str) -> Vec<&str> {
    let text = text.trim();
    let mut out = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    let mut in_gap = false;
    for (index, character) in text.char_indices() {
        if character.is_whitespace() {
            if !in_gap && matches!(previous, Some('.' | '!' | '?')) {
                in_gap = true;
                let part = &text[start..index];
                if !part.trim().is_empty() {
                    out.push(part);
                }
            }
        } else if in_gap {
            in_gap = false;
            start = index;
        }
        if !in_gap {
            previous = Some(character);
        }
    }
    if !in_gap {
        let part = &text[start..];
        if !part.trim().is_empty() {
            out.push(part);
        }
    }
    out
}

/// The share of the answer's words that lie in an n-gram which also occurs in the passage.
fn coverage(passage: &[String], answer: &[String], n: usize) -> f64 {
    if answer.len() < n || passage.len() < n {
        return 0.0;
    }
    let grams: HashSet<&[String]> = passage.windows(n).collect();
    let mut covered = vec![false; answer.len()];
    for (start, window) in answer.windows(n).enumerate() {
        if grams.contains(window) {
            for flag in &mut covered[start..start + n] {
                *flag = true;
            }
        }
    }
    covered.iter().filter(|flag| **flag).count() as f64 / answer.len() as f64
}

/// Every number in the answer occurs in the sources (thousands separators and decimal marks
/// ignored, so "1.472" matches "1472" and "1,472").
fn numbers_backed(sources: &str, answer: &str) -> bool {
    let digits = |text: &str| text.replace(['.', ','], "");
    let flat_sources = digits(sources);
    let source_numbers: HashSet<String> = NUMBER.find_iter(sources).map(|found| digits(found.as_str())).collect();
    NUMBER.find_iter(answer).all(|found| {
        let number = digits(found.as_str());
        source_numbers.contains(&number) || flat_sources.contains(&number)
    })
}

/// Every URL and e-mail address occurs in the sources as written (case-insensitive), and every
/// phone-like digit run is there too (digits only, so "020-123 4567" matches "0201234567").
fn contacts_backed(sources: &str, answer: &str) -> bool {
    let lower_sources = sources.to_lowercase();
    let trim = |text: &str| {
        text.trim_end_matches(['.', ',', ';', ':', '!', '?', ')'])
            .to_lowercase()
    };
    let links = URL
        .find_iter(answer)
        .chain(EMAIL.find_iter(answer))
        .all(|found| lower_sources.contains(&trim(found.as_str())));
    let source_digits: String = sources.chars().filter(char::is_ascii_digit).collect();
    let phones = phone_like(answer)
        .iter()
        .all(|phone| source_digits.contains(phone.as_str()));
    links && phones
}

/// Digit sequences of 8 to 15 digits written with spaces, dashes, dots or a leading plus: phone
/// numbers, reduced to their digits.
fn phone_like(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    let mut separators = 0;
    let flush = |current: &mut String, separators: &mut usize, found: &mut Vec<String>| {
        if (8..=15).contains(&current.len()) {
            found.push(std::mem::take(current));
        } else {
            current.clear();
        }
        *separators = 0;
    };
    for character in text.chars() {
        if character.is_ascii_digit() {
            current.push(character);
        } else if !current.is_empty() && matches!(character, ' ' | '-' | '.' | '(' | ')') && separators < 4 {
            separators += 1;
        } else if character == '+' && current.is_empty() {
            continue;
        } else {
            flush(&mut current, &mut separators, &mut found);
        }
    }
    flush(&mut current, &mut separators, &mut found);
    found
}

/// Every commitment phrase in the answer has one of its backing stems in the sources.
fn commitments_backed(sources: &str, answer: &str) -> bool {
    let sources = sources.to_lowercase();
    let answer = answer.to_lowercase().replace('’', "'");
    COMMITMENTS
        .iter()
        .all(|(phrase, backing)| !contains_phrase(&answer, phrase) || backing.iter().any(|stem| sources.contains(stem)))
}

/// `phrase` occurs in `text` starting at a word boundary.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(index, _)| {
        text[..index]
            .chars()
            .next_back()
            .is_none_or(|before| !before.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RETURNS: &str = "Je hebt 14 dagen bedenktijd. Binnen die 14 dagen kun je een bestelling zonder opgave van \
        reden retourneren. Wij betalen het aankoopbedrag binnen 14 dagen na ontvangst van de retour terug. Bel ons op \
        020-123 4567 of mail naar klantenservice@despaak.example.";

    /// `expected`: the reason that must be among the verdict's reasons; `None` = supported.
    fn check(answer: &str, expected: Option<&str>) {
        let verdict = GroundingVerifier::new().check(&[RETURNS], answer);
        match expected {
            None => assert!(verdict.supported, "{answer}: {verdict:?}"),
            Some(reason) => assert!(
                !verdict.supported && verdict.reasons.contains(&reason),
                "{answer}: {verdict:?}"
            ),
        }
    }

    #[test]
    fn answers_are_checked_against_their_sources_acc_01() {
        check("Je hebt 14 dagen bedenktijd.", None);
        check(
            "Binnen die 14 dagen kun je een bestelling zonder opgave van reden retourneren.",
            None,
        );
        check(
            "Bel ons op 020-123 4567 of mail naar klantenservice@despaak.example.",
            None,
        );
        check("Je hebt 30 dagen bedenktijd.", Some(reason::NUMBER));
        check(
            "Je hebt 14 dagen bedenktijd en je krijgt 10% korting.",
            Some(reason::COMMITMENT),
        );
        check("Bel ons op 020-765 4321.", Some(reason::CONTACT));
        check("Mail naar info@elders.example.", Some(reason::CONTACT));
        check("Wil je retourneren?", Some(reason::QUESTION));
        check("", Some(reason::EMPTY));
        check("I think our robots love cheese.", Some(reason::UNSUPPORTED_SENTENCE));
    }

    #[test]
    fn a_refund_promise_needs_a_source_that_mentions_refunds_acm() {
        let verifier = GroundingVerifier::new();
        let sources = ["Orders can be returned within 14 days of delivery."];
        let promise = verifier.check(
            &sources,
            "Orders can be returned within 14 days and we will refund the shipping.",
        );
        assert!(promise.reasons.contains(&reason::COMMITMENT), "{promise:?}");
        let backed = verifier.check(
            &["We refund the order amount within 14 days after we receive the return."],
            "We refund the order amount within 14 days after we receive the return.",
        );
        assert!(backed.supported, "{backed:?}");
    }

    #[test]
    fn without_sources_nothing_is_supported() {
        let verdict = GroundingVerifier::new().check(&[], "Returns are free.");
        assert!(!verdict.supported);
        assert!(verdict.reasons.contains(&reason::NO_SOURCES));
    }

    #[test]
    fn features_match_the_training_script_on_a_fixed_example() {
        // Values computed with eval/grounding/train.py's `features` for the same pair.
        let verifier = GroundingVerifier::new();
        let passage = tokens("crayola shifted its focus to art products for home and school use");
        let features = verifier
            .features(&passage, "yes, crayola shifted its focus to crayons.")
            .unwrap_or([f64::NAN; 10]);
        let expected = [
            5.0 / 7.0,
            1.0,
            1.0 / 7.0,
            5.0 / 7.0,
            5.0 / 7.0,
            7.0 / 40.0,
            0.0,
            0.0,
            0.0,
            1.0,
        ];
        for (index, (got, want)) in features.iter().zip(expected).enumerate() {
            assert!((got - want).abs() < 1e-9, "feature {index}: {got} != {want}");
        }
    }

    #[test]
    fn sentence_splitting_and_tokens_follow_the_training_script() {
        assert_eq!(
            sentences("One. Two!  Three? four"),
            vec!["One.", "Two!", "Three?", "four"]
        );
        assert_eq!(sentences("3.5 kg is it."), vec!["3.5 kg is it."]);
        assert_eq!(tokens("Café's €5, naïve-NL"), vec!["café", "s", "5", "naïve", "nl"]);
        assert_eq!(stem("returns"), "return");
        assert_eq!(stem("bus"), "bus");
    }

    #[test]
    fn any_text_gets_a_verdict_without_panicking() {
        let verifier = GroundingVerifier::new();
        for text in ["", "?", "...", "💥 ✓ \u{200b}", "a.b.c.d. e", &"x ".repeat(5000)] {
            let _ = verifier.check(&[text], text);
        }
    }
}

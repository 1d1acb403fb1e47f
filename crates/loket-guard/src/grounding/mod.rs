//! The grounding verifier: is a generated answer supported by the passages it cites?
//! (REQUIREMENTS ACC-01 to ACC-03; issue 8.)
//!
//! Deterministic and cheap (tens of microseconds per sentence, `loket bench grounding`), so it
//! can stand between any language model and the customer, also sentence by sentence while the
//! answer streams:
//! 1. The answer is cut into sentences ([`sentences`]; [`complete_sentences`] for a stream). A
//!    segment that only agrees ("Yes.", "Klopt!") joins the sentence after it and is not scored
//!    itself; one with nothing after it fails ([`reason::NO_CLAIM`]).
//! 2. Hard rules per sentence: every number, amount, date and percentage, every URL, e-mail
//!    address and phone number must occur in the passages; a commitment ("refund", "discount",
//!    "we will", "terugbetalen", "korting", "wij zullen", ...) must be backed by the passages; a
//!    sentence that asks a question makes no grounded claim. Pseudonymisation placeholders
//!    (`[EMAIL_1]`, `[IBAN_1]`: the customer's own data from the question) are opaque: neither
//!    numbers, nor contact details, nor words.
//! 3. Each sentence's claim is scored by a logistic regression over 23 lexical features against
//!    the passages (`features`: word overlap and novelty, n-gram coverage, the best-matching
//!    passage sentence and its neighbour, longest common subsequence with it, negations it lacks,
//!    opinion, first- and second-person words, names the passages lack, ...); every sentence must
//!    reach the threshold. The weights are trained by `eval/grounding/train.py` on the training
//!    half of BEGIN dev; `weights.rs` is its output. eval/grounding/README.md has the measurements,
//!    including what was tried and did not help.
//!
//! `check` is the conjunction of `check_sentence` over [`sentences`]: an answer with at least one
//! word passes exactly when each of its sentences does, so a chat that shows a streamed answer
//! sentence by sentence shows the same text a whole-answer check would.
//!
//! A failing answer is never shown: the caller falls back to the extractive answer or abstains
//! and offers a person.
//!
//! # Layout
//! - `sentences`: the splitter, for finished and growing answers.
//! - `features`: words, stems, the passage index and the 23 features.
//! - `weights`: the trained weights and threshold (generated).
//! - [`sample`]: seeded answers and passages, the workload of `loket bench grounding`.

mod features;
pub mod sample;
mod sentences;
mod weights;

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use features::Sources;
pub use sentences::{complete_sentences, sentences};

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
    /// A sentence only agrees or acknowledges ("Yes.", "I agree.") and states nothing the
    /// sources could support. Such a segment counts as part of the sentence after it, so this
    /// is reported only when nothing follows it.
    pub const NO_CLAIM: &str = "no_claim";
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
        Self { threshold }
    }

    /// The threshold in use.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Checks `answer` against the passages it cites: every sentence of [`sentences`] must pass
    /// [`Self::check_sentence`], and the answer must have a word ([`reason::EMPTY`]).
    pub fn check(&self, passages: &[&str], answer: &str) -> Verdict {
        let evidence = Evidence::new(passages);
        let mut verdict = Judgement::default();
        if features::tokens(answer).is_empty() {
            verdict.add(reason::EMPTY);
        }
        for sentence in sentences(answer) {
            self.judge(&evidence, sentence, &mut verdict);
        }
        verdict.finish()
    }

    /// Checks one sentence, as [`sentences`] or [`complete_sentences`] cut it, against the
    /// passages: the same rules and model as [`Self::check`]. A sentence without words claims
    /// nothing and passes (only a whole answer can be empty). Given text with several sentences,
    /// it judges them as one: leading agreement is skipped and the rest scored together.
    pub fn check_sentence(&self, passages: &[&str], sentence: &str) -> Verdict {
        let evidence = Evidence::new(passages);
        let mut verdict = Judgement::default();
        self.judge(&evidence, sentence, &mut verdict);
        verdict.finish()
    }

    /// Applies the rules and the model to one sentence.
    fn judge(&self, evidence: &Evidence, sentence: &str, verdict: &mut Judgement) {
        if evidence.sources.is_empty() {
            verdict.add(reason::NO_SOURCES);
        }
        let text = features::without_placeholders(sentence);
        if !evidence.numbers_backed(&text) {
            verdict.add(reason::NUMBER);
        }
        if !evidence.contacts_backed(&text) {
            verdict.add(reason::CONTACT);
        }
        if !evidence.commitments_backed(&text) {
            verdict.add(reason::COMMITMENT);
        }
        if sentences::segments_of(&text).any(|segment| segment.trim_end().ends_with('?')) {
            verdict.add(reason::QUESTION);
        }
        let claim = sentences::claim(&text);
        match features::extract(&evidence.sources, claim) {
            Some(values) => {
                let probability = probability(&values);
                verdict.weakest = verdict.weakest.min(probability);
                if probability < self.threshold {
                    verdict.add(reason::UNSUPPORTED_SENTENCE);
                }
            }
            None if !features::tokens(&text).is_empty() => verdict.add(reason::NO_CLAIM),
            None => {}
        }
    }
}

/// Reasons and the weakest probability, gathered over sentences.
struct Judgement {
    reasons: Vec<&'static str>,
    weakest: f64,
}

impl Default for Judgement {
    fn default() -> Self {
        Judgement {
            reasons: Vec::new(),
            weakest: 1.0,
        }
    }
}

impl Judgement {
    fn add(&mut self, reason: &'static str) {
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }

    fn finish(self) -> Verdict {
        Verdict {
            supported: self.reasons.is_empty(),
            reasons: self.reasons,
            weakest: self.weakest,
        }
    }
}

/// The passages, prepared once per check for the rules and the features.
struct Evidence {
    /// The word index for the features.
    sources: Sources,
    /// The passages lowercased, for links and commitments.
    lower: String,
    /// Every digit of the passages, in order, for phone numbers.
    digits: String,
    /// The passages without thousands separators and decimal marks, for numbers.
    flat: String,
    /// Each number of the passages without separators.
    numbers: HashSet<String>,
}

impl Evidence {
    fn new(passages: &[&str]) -> Evidence {
        let text = passages.join("\n");
        Evidence {
            sources: Sources::new(&text),
            lower: text.to_lowercase(),
            digits: text.chars().filter(char::is_ascii_digit).collect(),
            flat: without_separators(&text),
            numbers: NUMBER
                .find_iter(&text)
                .map(|found| without_separators(found.as_str()))
                .collect(),
        }
    }

    /// Every number in `text` occurs in the passages as a whole number (thousands separators
    /// and decimal marks ignored, so "1.472" matches "1472" and "1,472"; but "4" is not backed
    /// by "14" or "2024").
    fn numbers_backed(&self, text: &str) -> bool {
        NUMBER.find_iter(text).all(|found| {
            let number = without_separators(found.as_str());
            self.numbers.contains(&number) || contains_whole_number(&self.flat, &number)
        })
    }

    /// Every URL and e-mail address occurs in the passages as written (case-insensitive), and
    /// every phone-like digit run is there too (digits only, so "020-123 4567" matches
    /// "0201234567").
    fn contacts_backed(&self, text: &str) -> bool {
        let trim = |found: &str| {
            found
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')'])
                .to_lowercase()
        };
        let links = URL
            .find_iter(text)
            .chain(EMAIL.find_iter(text))
            .all(|found| self.lower.contains(&trim(found.as_str())));
        links
            && phone_like(text)
                .iter()
                .all(|phone| self.digits.contains(phone.as_str()))
    }

    /// Every commitment phrase in `text` has one of its backing stems in the passages.
    fn commitments_backed(&self, text: &str) -> bool {
        let text = text.to_lowercase().replace('’', "'");
        COMMITMENTS.iter().all(|(phrase, backing)| {
            !contains_phrase(&text, phrase) || backing.iter().any(|stem| self.lower.contains(stem))
        })
    }
}

/// The probability that a claim with these features is supported.
fn probability(values: &[f64; features::COUNT]) -> f64 {
    let score = weights::BIAS
        + values
            .iter()
            .zip(weights::WEIGHTS)
            .map(|(value, weight)| value * weight)
            .sum::<f64>();
    1.0 / (1.0 + (-score).exp())
}

/// Whether `number` stands in `flat` with no digit right before or after it.
fn contains_whole_number(flat: &str, number: &str) -> bool {
    flat.match_indices(number).any(|(at, _)| {
        let before = flat[..at].chars().next_back();
        let after = flat[at + number.len()..].chars().next();
        !before.is_some_and(|character| character.is_numeric())
            && !after.is_some_and(|character| character.is_numeric())
    })
}

fn without_separators(text: &str) -> String {
    text.replace(['.', ','], "")
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
    use proptest::prelude::*;

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
        // A number inside a longer one in the passages is not there: "4" is not "14".
        check("Je hebt 4 dagen bedenktijd.", Some(reason::NUMBER));
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
    fn any_text_gets_a_verdict_without_panicking() {
        let verifier = GroundingVerifier::new();
        for text in ["", "?", "...", "💥 ✓ \u{200b}", "a.b.c.d. e", &"x ".repeat(5000)] {
            let _ = verifier.check(&[text], text);
        }
    }

    #[test]
    fn agreement_alone_claims_nothing_but_may_open_a_supported_sentence() {
        check("Ja. Je hebt 14 dagen bedenktijd.", None);
        check("Klopt!", Some(reason::NO_CLAIM));
        check("Je hebt 14 dagen bedenktijd. Ja.", Some(reason::NO_CLAIM));
    }

    #[test]
    fn placeholders_are_neither_numbers_nor_contacts_nor_novel_words() {
        let verifier = GroundingVerifier::new();
        let plain = "Wij betalen het aankoopbedrag binnen 14 dagen na ontvangst van de retour terug.";
        for placeholder in ["[EMAIL_1]", "[PHONE_NUMBER_2]", "[IBAN_1]", "[PERSON]"] {
            let answer = format!(
                "Wij betalen het aankoopbedrag {placeholder} binnen 14 dagen na ontvangst van de retour terug."
            );
            let verdict = verifier.check(&[RETURNS], &answer);
            assert!(verdict.supported, "{answer}: {verdict:?}");
            assert_eq!(verdict.weakest, verifier.check(&[RETURNS], plain).weakest, "{answer}");
            assert_eq!(verdict, verifier.check_sentence(&[RETURNS], &answer));
        }
        // A real phone number or IBAN in the same place is still checked.
        check("Bel ons op 06-98765432.", Some(reason::CONTACT));
        check("Maak het over naar NL91ABNA0417164300.", Some(reason::NUMBER));
        assert_eq!(verifier.check(&[RETURNS], "[EMAIL_1]").reasons, vec![reason::EMPTY]);
    }

    /// Answers built from these pieces exercise every path of the splitter and the rules.
    const PIECES: &[&str] = &[
        "Je hebt 14 dagen bedenktijd.",
        "Ja.",
        "Yes!",
        "I agree.",
        "...",
        "Bel ons op 020-123 4567",
        "of mail naar klantenservice@despaak.example.",
        "Wij zullen",
        "het aankoopbedrag terugbetalen",
        "binnen 14 dagen",
        "na ontvangst van de retour.",
        "bijv. online",
        "o.a. in Utrecht.",
        "e.g. www.despaak.example.",
        "nr. 5",
        "Het kost 14.95 euro.",
        "Wil je retourneren?",
        "\n",
        "[EMAIL_1]",
        "[IBAN_1].",
        "I think our robots love cheese.",
        "Mr. Jansen said \"no.\"",
        "L.F. Rothschild",
        "geen",
        "!",
        "Zonder opgave van reden",
    ];

    fn answers() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            (
                proptest::sample::select(PIECES),
                proptest::sample::select(&[" ", "  ", "", "\n"][..]),
            ),
            0..8,
        )
        .prop_map(|parts| parts.into_iter().map(|(piece, gap)| format!("{piece}{gap}")).collect())
    }

    proptest! {
        #[test]
        fn an_answer_passes_exactly_when_each_of_its_sentences_passes(answer in answers()) {
            let verifier = GroundingVerifier::new();
            let whole = verifier.check(&[RETURNS], &answer);
            let parts: Vec<Verdict> = sentences(&answer)
                .into_iter()
                .map(|sentence| verifier.check_sentence(&[RETURNS], sentence))
                .collect();
            if !features::tokens(&answer).is_empty() {
                prop_assert_eq!(whole.supported, parts.iter().all(|verdict| verdict.supported), "{:?}", answer);
                let weakest = parts.iter().map(|verdict| verdict.weakest).fold(1.0, f64::min);
                prop_assert_eq!(whole.weakest, weakest);
            } else {
                prop_assert!(!whole.supported);
            }
        }

        #[test]
        fn complete_sentences_of_a_stream_are_the_first_sentences_of_the_answer(answer in answers()) {
            let all = sentences(&answer);
            for (end, _) in answer.char_indices().chain([(answer.len(), ' ')]) {
                let done = complete_sentences(&answer[..end]);
                prop_assert!(all.starts_with(&done), "{:?} at {}: {:?} vs {:?}", answer, end, done, all);
            }
            // A line break settles everything before it but a trailing sentence without a claim.
            let ended = format!("{answer}\n");
            let flushed = complete_sentences(&ended);
            prop_assert!(flushed == all || flushed.as_slice() == &all[..all.len() - 1], "{:?}", answer);
        }
    }
}

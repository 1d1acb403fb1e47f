//! The layered prompt-injection detector (issue 6, SEC-01, SEC-06, SEC-11).
//!
//! [`InjectionDetector::inspect`] reads a customer message in three layers and combines them
//! into one [`Verdict`]:
//! 1. normalisation ([`canonical`], [`decode`]): NFKC, invisible characters, look-alike letters,
//!    leetspeak, spelled-out letters, words that mix Latin and look-alike letters (`mixed_script`);
//!    Base64, hex, URL-encoded, HTML-entity, `\uXXXX`, backslash-interleaved and ROT13 payloads
//!    are decoded (bounded in size and number, at most [`MAX_DEPTH`] levels) and read again;
//! 2. Dutch and English rules ([`rules`]; the instruction override also in German, Spanish, French,
//!    Italian and Croatian): instruction override, role-play escape, system-prompt
//!    extraction, fake role delimiters, requests for internal data or other customers' data;
//! 3. a learned classifier ([`classifier`]): logistic regression over hashed character and word
//!    n-grams, trained by `eval/injection/train.py` and compiled in; messages that use the
//!    vocabulary of attacks ("ignore", "system", "prompt", ...) are scored by a specialist model
//!    trained on such messages only, so harmless questions with those words are not flagged.
//!
//! # Combination rule
//! Each rule hit has a weight (1.0 for strong rules, less for hints). The rule score is the
//! noisy-or of the weights, `r = 1 - Π(1 - w)`; the classifier gives `c`, the highest over the
//! message and its decoded payloads. The verdict's score is `1 - (1 - r)(1 - c)` and the message
//! is flagged when the score reaches the threshold (by default the one the training script
//! chose on validation data). So any strong rule flags on its own, the classifier flags on its
//! own above the threshold, and a hint lifts a borderline classifier score over it. The
//! threshold (0.90 for the current model; both classifier models are calibrated to it) keeps
//! validation false positives of the whole detector at 0.51 % of customer questions and 2.0 %
//! of hard benign prompts (not counting four mislabelled jailbreak prompts, see
//! `LABEL_NOISE_SOURCE` in the training script), with 96.5 % of validation attacks flagged
//! (splits in `eval/injection/train.py`; `loket eval injection` prints these and the held-out
//! test split).
//!
//! The detector is pure and synchronous, `Send + Sync`, and never panics. It fails closed: if
//! its compiled-in tables could not be loaded (a broken build), every message is flagged with
//! the reason `detector_error`; text longer than [`MAX_INPUT_BYTES`] is flagged as
//! `oversized_input` without being read.

pub mod canonical;
pub mod classifier;
pub mod decode;
pub mod rules;

#[cfg(test)]
mod tests;

use serde::Serialize;

use self::canonical::{classifier_text, rule_view};
use self::classifier::Classifier;
use self::decode::{Decoder, Encoding, rot13};
use self::rules::{Hit, Rules, reason};
use crate::normalize::normalize;

/// Decoding depth: a payload inside a payload is still read, one deeper is not.
pub const MAX_DEPTH: usize = 2;
/// Longest message that is read; longer input is flagged unread (fail closed).
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// ROT13 is tried on messages up to this size only (it doubles the rule work).
const MAX_ROT13_BYTES: usize = 16 * 1024;

/// The outcome of inspecting one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Combined score in 0..=1 (see the module documentation for the rule).
    pub score: f32,
    /// True when the score reached the detector's threshold: the message must not be answered
    /// from the knowledge base or a model.
    pub flagged: bool,
    /// Stable snake_case names of everything that fired, strongest first, without duplicates:
    /// `instruction_override`, `system_prompt_extraction`, `role_play_escape`,
    /// `fake_role_delimiter`, `internal_data_request`, `obfuscated_keyword`, `mixed_script`,
    /// `encoded_payload`,
    /// `classifier`, and for fail-closed verdicts `detector_error` or `oversized_input`.
    pub reasons: Vec<&'static str>,
}

/// Reason for input longer than [`MAX_INPUT_BYTES`].
pub const OVERSIZED_INPUT: &str = "oversized_input";

/// The detector. Build it once and share it: it holds compiled tables and the model weights.
#[derive(Debug, Clone)]
pub struct InjectionDetector {
    /// `None` when a compiled-in table failed to load; then every verdict is flagged.
    layers: Option<Layers>,
    threshold: f32,
}

#[derive(Debug, Clone)]
struct Layers {
    rules: Rules,
    decoder: Decoder,
    classifier: Classifier,
}

/// Everything one layer pass found in one text.
#[derive(Debug, Default)]
struct Findings {
    hits: Vec<Hit>,
    classifier: f32,
}

/// How much less the classifier's logit counts for Dutch text. The classifier is trained mostly
/// on English, where most text in other languages (German, Dutch) is an attack, so generic Dutch
/// character n-grams ("de ", " ver", "zijn") carry attack weight and ordinary Dutch customer
/// messages score high. The shift was chosen on the Dutch validation slice of
/// `eval/injection/nl-translated.jsonl` (FNV bucket 40-49): 2.0 means a Dutch message needs
/// 0.988 from the classifier to reach the common threshold 0.9. With the translations grown to
/// about 1,600 lines, shifts from 1.5 to 2.5 gave the same validation results, so it stayed.
/// The training script chooses its thresholds on scores shifted the same way
/// (`DUTCH_LOGIT_SHIFT` there). Rules are not shifted: a Dutch instruction override is flagged
/// as before.
const DUTCH_LOGIT_SHIFT: f32 = 2.0;

/// Threshold used when the model could not be loaded (every verdict is flagged anyway).
const FALLBACK_THRESHOLD: f32 = 0.5;

impl InjectionDetector {
    /// The detector with the threshold chosen on validation data by the training script.
    pub fn new() -> Self {
        let layers = Layers::load();
        let threshold = layers
            .as_ref()
            .map_or(FALLBACK_THRESHOLD, |layers| layers.classifier.threshold);
        Self { layers, threshold }
    }

    /// The detector with another threshold in 0..=1 (values outside are clamped). Lower
    /// catches more attacks and flags more ordinary messages.
    pub fn with_threshold(threshold: f32) -> Self {
        let mut detector = Self::new();
        detector.set_threshold(threshold);
        detector
    }

    /// Changes the threshold (clamped to 0..=1; NaN keeps the current one).
    pub fn set_threshold(&mut self, threshold: f32) {
        if !threshold.is_nan() {
            self.threshold = threshold.clamp(0.0, 1.0);
        }
    }

    /// The threshold in use.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Inspects one message.
    pub fn inspect(&self, text: &str) -> Verdict {
        let Some(layers) = &self.layers else {
            return Verdict {
                score: 1.0,
                flagged: true,
                reasons: vec![reason::DETECTOR_ERROR],
            };
        };
        if text.len() > MAX_INPUT_BYTES {
            return Verdict {
                score: 1.0,
                flagged: true,
                reasons: vec![OVERSIZED_INPUT],
            };
        }
        let findings = layers.read(text, 0, self.threshold);
        self.combine(findings)
    }

    fn combine(&self, findings: Findings) -> Verdict {
        let mut hits = findings.hits;
        hits.sort_by(|left, right| right.weight.total_cmp(&left.weight));
        let rule_score = 1.0 - hits.iter().map(|hit| 1.0 - hit.weight.clamp(0.0, 1.0)).product::<f32>();
        let classifier = findings.classifier.clamp(0.0, 1.0);
        let score = 1.0 - (1.0 - rule_score) * (1.0 - classifier);
        let mut reasons: Vec<&'static str> = Vec::new();
        for hit in &hits {
            if !reasons.contains(&hit.reason) {
                reasons.push(hit.reason);
            }
        }
        if classifier >= self.threshold {
            reasons.push(reason::CLASSIFIER);
        }
        Verdict {
            score,
            flagged: score >= self.threshold,
            reasons,
        }
    }
}

impl Default for InjectionDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Layers {
    fn load() -> Option<Self> {
        Some(Self {
            rules: Rules::new().ok()?,
            decoder: Decoder::new().ok()?,
            classifier: Classifier::compiled_in().ok()?,
        })
    }

    /// Runs the rules and the classifier on `text`, then on what can be decoded from it.
    fn read(&self, text: &str, depth: usize, threshold: f32) -> Findings {
        let canonical = classifier_text(text);
        let view = rule_view(&canonical);
        let mut hits = self.rules.hits(&view.text);
        if view.text != canonical {
            // Obfuscation folding can also destroy a pattern (leetspeak inside "<|im_start|>"),
            // so the plainly lowercased text is read as well.
            hits.extend(self.rules.hits(&canonical));
        }
        if view.joined_runs.iter().any(|run| rules::spelled_out_keyword(run)) {
            hits.push(Hit {
                reason: reason::OBFUSCATED_KEYWORD,
                weight: 1.0,
            });
        }
        if canonical::has_mixed_script(text) {
            hits.push(Hit {
                reason: reason::MIXED_SCRIPT,
                weight: 1.0,
            });
        }
        let mut classifier = self.classifier.score_canonical(&canonical);
        if canonical::looks_dutch(&canonical) {
            classifier = shift_logit(classifier, DUTCH_LOGIT_SHIFT);
        }

        if text.len() <= MAX_ROT13_BYTES {
            let rotated = rule_view(&rot13(&canonical));
            let strong: Vec<Hit> = self
                .rules
                .hits(&rotated.text)
                .into_iter()
                .filter(|hit| hit.weight >= 1.0)
                .collect();
            if !strong.is_empty() {
                hits.push(encoded_hit());
                hits.extend(strong);
            }
        }

        if depth < MAX_DEPTH {
            for payload in self.decoder.payloads(&normalize(text).text) {
                let inner = self.read(&payload.text, depth + 1, threshold);
                let inner_strong = inner.hits.iter().any(|hit| hit.weight >= 1.0);
                // A backslash before every character hides text from filters whatever it says
                // (see `Encoding::InterleavedBackslashes`).
                let disguised = payload.encoding == Encoding::InterleavedBackslashes;
                if inner_strong || disguised || inner.classifier >= threshold {
                    hits.push(encoded_hit());
                }
                classifier = classifier.max(inner.classifier);
                hits.extend(inner.hits);
            }
        }
        Findings { hits, classifier }
    }
}

/// `sigmoid(logit(p) - shift)`, with `p` kept inside (0, 1).
fn shift_logit(probability: f32, shift: f32) -> f32 {
    let p = probability.clamp(1e-6, 1.0 - 1e-6);
    let logit = (p / (1.0 - p)).ln() - shift;
    1.0 / (1.0 + (-logit).exp())
}

fn encoded_hit() -> Hit {
    Hit {
        reason: reason::ENCODED_PAYLOAD,
        weight: 1.0,
    }
}

//! Special categories of personal data (GDPR art. 9) and criminal data (art. 10) in customer
//! messages, Dutch and English (REQUIREMENTS PII-04, §4.2).
//!
//! The caller warns the customer just in time, offers a person and applies the short
//! retention; this module only says *which* categories a message reveals. It matches
//! patterns on the same canonical text as the intent detectors (`crate::intent::lexicon`),
//! with typo tolerance only for words of nine letters or more: shorter sensitive words have
//! too many harmless neighbours ("cancel"/"cancer", "generic"/"genetic", "operate"/"operatie").
//!
//! Precision matters as much as recall, because a false warning teaches customers to ignore
//! warnings. So words that are also ordinary customer-service words need a frame: "sick of
//! waiting" is not health, "my card is disabled" is not a disability, "my husband and I" is
//! not a sexual orientation, "in ons DNA" is not genetic data, "third party" is not politics.
//! Indirect disclosure does count (CJEU C-184/20): "ik annuleer omdat ik ziek was" reveals
//! health, and so does ordering medicine (C-21/23).
//!
//! # Key types
//! [`SensitiveDetector`], [`SensitiveCategory`].

use crate::intent::lexicon::{Lexicon, RuleGroup, expand};
use serde::{Deserialize, Serialize};

/// A special category of personal data (GDPR art. 9(1)) or criminal data (art. 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveCategory {
    /// Physical or mental health, disability, pregnancy, medication, care.
    Health,
    /// Religious or philosophical beliefs.
    Religion,
    /// Racial or ethnic origin.
    Ethnicity,
    /// Political opinions and party membership.
    Politics,
    /// Trade-union membership.
    TradeUnion,
    /// Sex life or sexual orientation (gender identity is grouped here, as in §4.2).
    SexualOrientation,
    /// Biometric data used to identify a person (fingerprints, face or iris scans).
    Biometric,
    /// Genetic data (DNA tests, hereditary test results).
    Genetic,
    /// Criminal convictions and offences (art. 10): a record, a conviction, detention.
    Criminal,
}

impl SensitiveCategory {
    /// Every category, in declaration order (the order [`SensitiveDetector::detect`] uses).
    pub const ALL: [SensitiveCategory; 9] = [
        SensitiveCategory::Health,
        SensitiveCategory::Religion,
        SensitiveCategory::Ethnicity,
        SensitiveCategory::Politics,
        SensitiveCategory::TradeUnion,
        SensitiveCategory::SexualOrientation,
        SensitiveCategory::Biometric,
        SensitiveCategory::Genetic,
        SensitiveCategory::Criminal,
    ];

    /// The stable wire name, equal to the serde name: `"health"`, `"religion"`,
    /// `"ethnicity"`, `"politics"`, `"trade_union"`, `"sexual_orientation"`, `"biometric"`,
    /// `"genetic"`, `"criminal"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SensitiveCategory::Health => "health",
            SensitiveCategory::Religion => "religion",
            SensitiveCategory::Ethnicity => "ethnicity",
            SensitiveCategory::Politics => "politics",
            SensitiveCategory::TradeUnion => "trade_union",
            SensitiveCategory::SexualOrientation => "sexual_orientation",
            SensitiveCategory::Biometric => "biometric",
            SensitiveCategory::Genetic => "genetic",
            SensitiveCategory::Criminal => "criminal",
        }
    }
}

mod patterns;

/// Typo correction applies only to words of at least this many letters (one letter less for
/// swapped letters). Shorter sensitive words have too many everyday neighbours: "operate" is
/// one edit from "operatie", "touched" from "touchid", "addition" from "addiction".
const MIN_FUZZY_LENGTH: usize = 9;

/// Real words one edit away from a sensitive word; never "corrected" into it.
const NEVER_CORRECTED: &[&str] = &[
    "generic",
    "generisch",
    "politie",
    "christina",
    "charged",
    "amused",
    "contract",
    "generics",
    "zwagers",
    "mediums",
    "medial",
    "veroordelen",
];

/// Detects special categories in customer messages. Build once with
/// [`SensitiveDetector::new`] and share it: it is `Send + Sync`.
#[derive(Debug)]
pub struct SensitiveDetector {
    lexicon: Lexicon,
    rules: Vec<(SensitiveCategory, RuleGroup)>,
}

impl Default for SensitiveDetector {
    fn default() -> Self {
        SensitiveDetector::new()
    }
}

impl SensitiveDetector {
    /// Builds the detector. The patterns are constants compiled by the unit tests.
    pub fn new() -> Self {
        let rules = patterns::RULES
            .iter()
            .map(|(category, positive, veto)| (*category, RuleGroup::new(positive, veto, patterns::CLASSES)))
            .collect();
        let expanded: Vec<String> = patterns::RULES
            .iter()
            .flat_map(|(_, positive, veto)| positive.iter().chain(veto.iter()))
            .map(|template| expand(template, patterns::CLASSES))
            .collect();
        SensitiveDetector {
            lexicon: Lexicon::from_patterns(expanded.iter().map(String::as_str), MIN_FUZZY_LENGTH, NEVER_CORRECTED)
                .with_phrases(patterns::NEUTRAL_PHRASES),
            rules,
        }
    }

    /// The categories `text` reveals, each once, in the order of [`SensitiveCategory::ALL`].
    pub fn detect(&self, text: &str) -> Vec<SensitiveCategory> {
        let canonical = self.lexicon.canonical(text);
        let mut found: Vec<SensitiveCategory> = self
            .rules
            .iter()
            .filter(|(_, group)| group.matches(&canonical))
            .map(|(category, _)| *category)
            .collect();
        found.sort();
        found.dedup();
        found
    }
}

#[cfg(test)]
mod tests;

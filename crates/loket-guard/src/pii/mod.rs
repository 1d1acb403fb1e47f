//! Personal-data recognizers (Dutch first, English as well) and pseudonymisation.
//!
//! [`PiiScanner::scan`] normalises the text ([`crate::normalize`]), runs every recognizer on
//! the normalised copy, keeps the best of overlapping findings and maps the result back to
//! character offsets of the original text. Each recognizer pairs a pattern with a validator
//! (checksum, issuer prefix, context words), because a pattern alone flags order numbers and
//! capitalised words; REQUIREMENTS.md §4.1 and PII-01..PII-08 are the rules it implements.
//!
//! Scores: 1.0 for a checksum plus a context word, about 0.9 for a checksum or a strong format,
//! 0.6-0.8 for findings that rest on context or name lists. Overlaps keep the higher score, so
//! a BSN inside an old VAT id or a card number inside a longer digit run is reported once.
//!
//! # Layout
//! - [`checksum`]: elfproef, Luhn, MOD 97-10 and the IBAN length table.
//! - `context`: context words around a candidate ("bsn", "kvk", "geboren"), compiled once.
//! - `identifiers`: IBAN, BSN, payment cards, VAT, KvK, ID documents, licence plates, postcodes.
//! - `contact`: e-mail, phone numbers, IP addresses.
//! - `address`: street addresses and dates of birth.
//! - `person`: person names from titles, context phrases, initials and name gazetteers
//!   (Dutch gazetteer and US census lists under `data/names`, see `SOURCES.md` there).
//! - [`pseudonym`]: consistent placeholders per conversation, the per-type [`Policy`].
//! - [`report`]: the JSON shape of `loket pii scan`.
//!
//! # Key types
//! [`EntityKind`], [`Entity`], [`Lang`], [`PiiScanner`], [`Placeholders`], [`Policy`],
//! [`pseudonymise`], [`scan_report`].

mod address;
pub mod checksum;
mod contact;
mod context;
mod identifiers;
mod person;
pub mod pseudonym;
pub mod report;

use serde::{Deserialize, Serialize};

pub use pseudonym::{
    Action, Assignment, Placeholders, Policy, PolicyError, Pseudonymised, Replacement, canonical_value, pseudonymise,
};
pub use report::{ReportEntity, ScanReport, scan_report};

/// The types of personal data Loket recognises. The string forms are the wire names used by
/// `loket pii scan` and in placeholders such as `[IBAN_1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityKind {
    Email,
    Phone,
    Iban,
    Bsn,
    CreditCard,
    Postcode,
    Address,
    Person,
    DateOfBirth,
    IpAddress,
    IdDocument,
    Kvk,
    VatId,
    LicensePlate,
}

impl EntityKind {
    /// Every kind, in declaration order.
    pub const ALL: [EntityKind; 14] = [
        EntityKind::Email,
        EntityKind::Phone,
        EntityKind::Iban,
        EntityKind::Bsn,
        EntityKind::CreditCard,
        EntityKind::Postcode,
        EntityKind::Address,
        EntityKind::Person,
        EntityKind::DateOfBirth,
        EntityKind::IpAddress,
        EntityKind::IdDocument,
        EntityKind::Kvk,
        EntityKind::VatId,
        EntityKind::LicensePlate,
    ];

    /// The wire name, e.g. `"CREDIT_CARD"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Email => "EMAIL",
            EntityKind::Phone => "PHONE",
            EntityKind::Iban => "IBAN",
            EntityKind::Bsn => "BSN",
            EntityKind::CreditCard => "CREDIT_CARD",
            EntityKind::Postcode => "POSTCODE",
            EntityKind::Address => "ADDRESS",
            EntityKind::Person => "PERSON",
            EntityKind::DateOfBirth => "DATE_OF_BIRTH",
            EntityKind::IpAddress => "IP_ADDRESS",
            EntityKind::IdDocument => "ID_DOCUMENT",
            EntityKind::Kvk => "KVK",
            EntityKind::VatId => "VAT_ID",
            EntityKind::LicensePlate => "LICENSE_PLATE",
        }
    }

    /// Parses a wire name (case-insensitive); `None` for an unknown name.
    pub fn parse(name: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl std::fmt::Display for EntityKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One finding. `start`/`end` are Unicode scalar (char) offsets into the ORIGINAL text, end
/// exclusive; `score` in 0..=1 says how sure the recognizer is (context raises it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub start: usize,
    pub end: usize,
    pub score: f32,
}

/// The language of the text, which selects the context words and phrases of the recognizers
/// (name lists are shared: a customer's name does not depend on the language they write in).
/// `Auto` uses both, which is what a Dutch customer-service chat with English customers needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Nl,
    En,
    #[default]
    Auto,
}

impl Lang {
    /// Parses `nl`, `en` or `auto` (case-insensitive).
    pub fn parse(name: &str) -> Option<Lang> {
        match name.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            "auto" => Some(Lang::Auto),
            _ => None,
        }
    }

    fn dutch(self) -> bool {
        matches!(self, Lang::Nl | Lang::Auto)
    }

    fn english(self) -> bool {
        matches!(self, Lang::En | Lang::Auto)
    }
}

/// A finding inside the normalised text, in byte offsets, before overlap resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    kind: EntityKind,
    start: usize,
    end: usize,
    score: f32,
}

/// The normalised text as the recognizers see it, with an ASCII-lowercased copy of the same
/// byte length so that context words can be matched without re-allocating per candidate.
struct Input<'a> {
    text: &'a str,
    lower: String,
    lang: Lang,
    /// Whether the text holds an ASCII digit; every recognizer except e-mail and person
    /// names needs one, so texts without digits skip them.
    has_digits: bool,
}

/// All recognizers with their compiled patterns and gazetteers. Build it once (it compiles the
/// patterns and hashes about 200,000 listed names) and share it: it is `Send + Sync` and
/// `scan` takes `&self`.
pub struct PiiScanner {
    identifiers: identifiers::Identifiers,
    contact: contact::Contact,
    address: address::Addresses,
    person: person::Persons,
}

impl Default for PiiScanner {
    fn default() -> Self {
        PiiScanner::new()
    }
}

impl PiiScanner {
    /// Compiles every pattern. The patterns are constants covered by the unit tests, so this
    /// cannot fail at run time.
    pub fn new() -> PiiScanner {
        PiiScanner {
            identifiers: identifiers::Identifiers::new(),
            contact: contact::Contact::new(),
            address: address::Addresses::new(),
            person: person::Persons::new(),
        }
    }

    /// Finds personal data in `text`. The result is sorted by `start`, its spans do not
    /// overlap (the higher score wins, then the longer span) and every offset lies within
    /// `0..=text.chars().count()`.
    pub fn scan(&self, text: &str, lang: Lang) -> Vec<Entity> {
        let normalized = crate::normalize::normalize(text);
        let input = Input {
            text: &normalized.text,
            lower: normalized.text.to_ascii_lowercase(),
            lang,
            has_digits: normalized.text.bytes().any(|byte| byte.is_ascii_digit()),
        };
        let mut candidates = Vec::new();
        self.contact.find(&input, &mut candidates);
        if input.has_digits {
            self.identifiers.find(&input, &mut candidates);
            self.address.find(&input, &mut candidates);
        }
        self.person.find(&input, &mut candidates);
        let kept = resolve_overlaps(candidates);
        let char_index = char_index_of_bytes(input.text);
        kept.into_iter()
            .filter_map(|candidate| {
                let start_char = char_index.get(candidate.start).copied()?;
                let end_char = char_index.get(candidate.end).copied()?;
                if end_char <= start_char {
                    return None;
                }
                let (start, end) = normalized.original_range(start_char, end_char);
                Some(Entity {
                    kind: candidate.kind,
                    start,
                    end,
                    score: candidate.score,
                })
            })
            .collect()
    }
}

/// Keeps the best non-overlapping candidates: higher score first, then longer span, then the
/// earlier one; returns them sorted by start.
fn resolve_overlaps(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.retain(|candidate| candidate.end > candidate.start);
    candidates.sort_by(|left, right| {
        right
            .score
            .total_cmp(&left.score)
            .then((right.end - right.start).cmp(&(left.end - left.start)))
            .then(left.start.cmp(&right.start))
    });
    // Kept spans never overlap, so ordered by start their ends increase too: a new candidate
    // can only overlap the kept span with the largest start before its end. That keeps this
    // step O(n log n) on long texts.
    let mut kept_by_start: std::collections::BTreeMap<usize, Candidate> = std::collections::BTreeMap::new();
    for candidate in candidates {
        let overlaps = kept_by_start
            .range(..candidate.end)
            .next_back()
            .is_some_and(|(_, other)| other.end > candidate.start);
        if !overlaps {
            kept_by_start.insert(candidate.start, candidate);
        }
    }
    kept_by_start.into_values().collect()
}

/// `result[byte]` is the char index of the character starting at (or containing) `byte`; it
/// has `text.len() + 1` entries so an exclusive end maps too.
fn char_index_of_bytes(text: &str) -> Vec<usize> {
    let mut index = vec![0usize; text.len() + 1];
    let mut char_count = 0;
    for (byte_offset, character) in text.char_indices() {
        for slot in index.iter_mut().skip(byte_offset).take(character.len_utf8()) {
            *slot = char_count;
        }
        char_count += 1;
    }
    if let Some(last) = index.last_mut() {
        *last = char_count;
    }
    index
}

#[cfg(test)]
mod tests;

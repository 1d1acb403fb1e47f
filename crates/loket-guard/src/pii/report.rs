//! The per-message result of `loket pii scan`: entities in char offsets, the special
//! categories (filled in by the caller from [`crate::sensitive`]) and the redacted text.

use serde::{Deserialize, Serialize};

use super::{EntityKind, Lang, PiiScanner, Placeholders, Policy, pseudonymise};

/// One entity in the report: its type name and char offsets into the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportEntity {
    #[serde(rename = "type")]
    pub kind: EntityKind,
    pub start: usize,
    pub end: usize,
}

/// Serialises as `{"entities":[{"type","start","end"}],"sensitive":[],"redacted":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanReport {
    pub entities: Vec<ReportEntity>,
    /// Special categories of personal data; this module leaves it empty for the caller.
    pub sensitive: Vec<String>,
    /// The text pseudonymised with fresh placeholders and the default policy.
    pub redacted: String,
}

/// Scans `text` and builds its report.
pub fn scan_report(scanner: &PiiScanner, text: &str, lang: Lang) -> ScanReport {
    let entities = scanner.scan(text, lang);
    let redacted = pseudonymise(text, &entities, &mut Placeholders::new(), &Policy::default()).text;
    ScanReport {
        entities: entities
            .iter()
            .map(|entity| ReportEntity {
                kind: entity.kind,
                start: entity.start,
                end: entity.end,
            })
            .collect(),
        sensitive: Vec::new(),
        redacted,
    }
}

//! Step 2 and step 5 of the pipeline: the inbound guards that every customer message passes
//! before anything stores, logs or answers it, and the outbound check on AI text.
//!
//! Inbound: normalise → personal data found and pseudonymised (originals go to the vault) →
//! special categories (privacy warning) → injection verdict → intent (person, complaint,
//! crisis, "are you human?"). Everything downstream sees only the pseudonymised text.
//!
//! Guards are pure and must never panic; if one does anyway, the message is blocked and not
//! stored (fail closed), and the failure is logged without the text.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use loket_core::Locale;
use loket_core::conversation::TurnIntent;
use loket_guard::injection::InjectionDetector;
use loket_guard::intent::{ClaimVerdict, HumanClaimFilter, Intent, IntentDetector};
use loket_guard::pii::{Assignment, EntityKind, Lang, PiiScanner, Placeholders, Policy, pseudonymise};
use loket_guard::sensitive::SensitiveDetector;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Entity types whose presence triggers the just-in-time privacy warning: identifiers a chat
/// should not carry (REQUIREMENTS §2.1 "Privacy just-in-time", PII-05).
const WARN_ON: &[EntityKind] = &[EntityKind::Bsn, EntityKind::IdDocument, EntityKind::CreditCard];

/// The compiled guards, built once at startup.
pub struct Guards {
    pii: PiiScanner,
    policy: Policy,
    sensitive: SensitiveDetector,
    injection: InjectionDetector,
    intent: IntentDetector,
    claims: HumanClaimFilter,
}

/// What the inbound guards concluded about one customer message.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The pseudonymised text: the only form that is stored or used further.
    pub text: String,
    /// Placeholders allocated for new values in this message, with their originals (for the vault).
    pub assignments: Vec<Assignment>,
    /// Redactions per entity type (`IBAN` → 1).
    pub pii_counts: BTreeMap<String, i64>,
    /// Special categories found (`health`, ...).
    pub sensitive: Vec<&'static str>,
    /// Show the privacy warning.
    pub privacy_warning: bool,
    /// The injection detector flagged the message.
    pub injection_flagged: bool,
    /// The detector's reasons (stable names), for the audit record.
    pub injection_reasons: Vec<&'static str>,
    /// What the customer asks for.
    pub intent: TurnIntent,
    /// A hash of the normalised pseudonymised text, to notice a repeated question.
    pub fingerprint: String,
}

impl Guards {
    /// Compiles every guard.
    pub fn new() -> Self {
        Self {
            pii: PiiScanner::new(),
            policy: Policy::default(),
            sensitive: SensitiveDetector::new(),
            injection: InjectionDetector::new(),
            intent: IntentDetector::new(),
            claims: HumanClaimFilter::new(),
        }
    }

    /// Runs the inbound guards on a customer message.
    pub fn inspect_customer(&self, text: &str, locale: Locale, placeholders: &mut Placeholders) -> Result<Inspection> {
        fail_closed(|| {
            let redacted = self.redact(text, locale, placeholders);
            let entities_warn = redacted
                .1
                .iter()
                .any(|(kind, _)| WARN_ON.iter().any(|warn| warn.as_str() == kind));
            let sensitive: Vec<&'static str> = self
                .sensitive
                .detect(&redacted.0)
                .into_iter()
                .map(|category| category.as_str())
                .collect();
            let verdict = self.injection.inspect(&redacted.0);
            let intent = match self.intent.classify(&redacted.0) {
                Intent::Crisis => TurnIntent::Crisis,
                Intent::HumanRequest => TurnIntent::HumanRequest,
                Intent::Complaint => TurnIntent::Complaint,
                Intent::BotIdentityQuestion => TurnIntent::BotIdentityQuestion,
                Intent::Other => TurnIntent::Other,
            };
            Inspection {
                fingerprint: fingerprint(&redacted.0),
                privacy_warning: entities_warn || !sensitive.is_empty(),
                text: redacted.0,
                pii_counts: redacted.1,
                assignments: placeholders.take_new_assignments(),
                sensitive,
                injection_flagged: verdict.flagged,
                injection_reasons: verdict.reasons,
                intent,
            }
        })
    }

    /// Pseudonymises free text typed by staff or into a form, with the conversation's
    /// placeholders, so agents' messages and tickets follow the same rule as customers'.
    pub fn pseudonymise_text(
        &self,
        text: &str,
        locale: Locale,
        placeholders: &mut Placeholders,
    ) -> Result<(String, BTreeMap<String, i64>)> {
        fail_closed(|| self.redact(text, locale, placeholders))
    }

    /// The outbound check on an AI message: `Some(reason)` when it must be blocked (a claim to
    /// be human, DIS-06).
    pub fn check_outgoing(&self, text: &str) -> Result<Option<&'static str>> {
        fail_closed(|| match self.claims.check(text) {
            ClaimVerdict::Clean => None,
            ClaimVerdict::ClaimsHuman { phrase_kind } => Some(phrase_kind),
        })
    }

    fn redact(&self, text: &str, locale: Locale, placeholders: &mut Placeholders) -> (String, BTreeMap<String, i64>) {
        let lang = match locale {
            Locale::Nl => Lang::Nl,
            Locale::En => Lang::En,
        };
        let entities = self.pii.scan(text, lang);
        let result = pseudonymise(text, &entities, placeholders, &self.policy);
        let counts = result
            .counts
            .iter()
            .map(|(kind, count)| (kind.as_str().to_string(), *count as i64))
            .collect();
        (result.text, counts)
    }
}

impl Default for Guards {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs a guard; a panic becomes [`Error::GuardFailed`] so the message is blocked, not stored.
fn fail_closed<T>(guard: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(guard)).map_err(|_| {
        tracing::error!("a guard panicked; the message was blocked and not stored");
        Error::GuardFailed
    })
}

/// A short hash of the text with case, punctuation and spacing removed.
fn fingerprint(text: &str) -> String {
    let folded: String = text
        .chars()
        .filter(|character| character.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    hex::encode(&Sha256::digest(folded.as_bytes())[..8])
}

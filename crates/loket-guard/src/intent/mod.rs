//! Conversation intents that decide who answers: a request for a person, a question about
//! the bot's nature, a complaint or dispute, a crisis; and the output filter that stops the
//! assistant from claiming to be human.
//!
//! Everything here matches patterns on a *canonical* form of the text (lowercased, diacritics
//! folded, one-edit typos of long words corrected, split words joined; see the `lexicon` module). The
//! patterns are frames, not keywords: "ik wil een medewerker spreken" is a request, "mijn
//! pakket is bezorgd door een medewerker van PostNL" is not.
//!
//! # Layout
//! - `lexicon`: folding, typo tolerance and the per-sentence rule groups all detectors use.
//! - `vocabulary`: word classes shared by the patterns.
//! - `request`: requests for a person (HUM-02, §2.3).
//! - `identity`: questions whether the assistant is a bot or a human (DIS-06).
//! - `escalation`: complaints, legal claims and withdrawal disputes; crisis (HUM-07).
//! - `withdrawal`: statements that withdraw from or cancel a purchase or contract (ACC-04).
//! - `advice`: requests for personal investment, insurance, credit, tax, legal or medical
//!   advice (ACC-10).
//! - `rights`: data subjects' requests (access, erasure, objection...; HUM-07, PRIV-07).
//! - `claim`: [`HumanClaimFilter`] for the assistant's outgoing text (DIS-06).
//!
//! # Key types
//! [`IntentDetector`], [`Intent`], [`AdviceTopic`], [`HumanClaimFilter`], [`ClaimVerdict`].

mod advice;
mod claim;
mod escalation;
mod identity;
pub(crate) mod lexicon;
mod request;
mod rights;
mod vocabulary;
mod withdrawal;

pub use claim::{ClaimVerdict, HumanClaimFilter, claim_kinds};
pub use loket_core::advice::AdviceTopic;
pub use loket_core::rights::{RequestedRight, Right};

use advice::AdviceRules;
use escalation::{ComplaintRules, CrisisRules};
use identity::{IdentityRules, identity_classes};
use lexicon::Lexicon;
use request::{HumanRequestRules, NEUTRAL_PHRASES};
use rights::RightsRules;
use withdrawal::WithdrawalRules;

/// What a customer message asks for, as far as routing is concerned.
///
/// Variants are declared in priority order: when a message carries several intents,
/// [`IntentDetector::classify`] returns the first that applies. `Crisis` comes first because
/// its handling (hand over *and* show help numbers) includes everything a plain request for a
/// person gets; a complaint or dispute outranks a question about the bot because it must go
/// to a person (HUM-07), and the handover message itself answers that question truthfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Suicide, self-harm, domestic violence or other expressed vulnerability: hand over and
    /// show help numbers (HUM-07).
    Crisis,
    /// An explicit request to talk to a person, call, or get a callback (HUM-02).
    HumanRequest,
    /// A complaint, legal claim or dispute about withdrawal, refund or cancellation; always
    /// routed to a person (HUM-07).
    Complaint,
    /// A question whether the assistant is a bot or a human, including role-play and
    /// "pretend to be human" (DIS-06); the caller answers truthfully.
    BotIdentityQuestion,
    /// None of the above.
    Other,
}

impl Intent {
    /// The stable wire name: `"crisis"`, `"human_request"`, `"complaint"`,
    /// `"bot_identity_question"` or `"other"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Crisis => "crisis",
            Intent::HumanRequest => "human_request",
            Intent::Complaint => "complaint",
            Intent::BotIdentityQuestion => "bot_identity_question",
            Intent::Other => "other",
        }
    }

    /// True for the intents that must reach a person (HUM-02, HUM-07).
    pub fn routes_to_person(self) -> bool {
        matches!(self, Intent::Crisis | Intent::HumanRequest | Intent::Complaint)
    }
}

/// What [`IntentDetector::classify_message`] found in a customer message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The highest-priority routing intent.
    pub intent: Intent,
    /// The message states a withdrawal from, or cancellation of, a purchase or contract
    /// (ACC-04); it may carry any intent besides.
    pub withdrawal_statement: bool,
    /// The message asks for personal advice of this topic (ACC-10), whatever else it says.
    pub advice: Option<AdviceTopic>,
    /// The message makes a data subject's request (HUM-07, PRIV-07), whatever else it says.
    pub rights_request: Option<RequestedRight>,
}

/// Typo correction applies to words of at least this many letters (shorter words have too
/// many real neighbours: "mens" and "mes", "bot" and "hot").
pub(crate) const MIN_FUZZY_LENGTH: usize = 6;

/// Real words one edit away from a word in the intent patterns; they are never "corrected".
pub(crate) const NEVER_CORRECTED: &[&str] = &[
    "niemand",
    "belden",
    "tellen",
    "houden",
    "gouden",
    "wilden",
    "willem",
    "kennen",
    "contract",
    "contracts",
    "taking",
    "walking",
    "managed",
    "manages",
    "employed",
    "wensen",
    "kracht",
    "krachten",
    "rechten",
    "amused",
    "charged",
    "leggen",
    "thinks",
    "sneaking",
    "falling",
    "ground",
    "handel",
    "premise",
    "father",
    "farther",
    "legend",
    "computed",
    "mother",
    "others",
    "anders",
    "posten",
    "spreker",
    "sprekers",
    "withdrew",
    "withdraws",
    "broken",
    "braked",
    "infested",
    "gegeven",
    "inzake",
    "depleted",
];

/// Classifies customer messages. Build once with [`IntentDetector::new`] and share it: it is
/// `Send + Sync`, and `classify` allocates only the canonical copy of the message.
#[derive(Debug)]
pub struct IntentDetector {
    lexicon: Lexicon,
    request: HumanRequestRules,
    identity: IdentityRules,
    complaint: ComplaintRules,
    crisis: CrisisRules,
    withdrawal: WithdrawalRules,
    advice: AdviceRules,
    rights: RightsRules,
}

impl Default for IntentDetector {
    fn default() -> Self {
        IntentDetector::new()
    }
}

impl IntentDetector {
    /// Builds the detector. The patterns are constants compiled by the unit tests.
    pub fn new() -> Self {
        let classes = identity_classes();
        let expanded: Vec<String> = HumanRequestRules::templates()
            .chain(IdentityRules::templates())
            .map(str::to_owned)
            .chain(ComplaintRules::templates())
            .chain(CrisisRules::templates())
            .chain(WithdrawalRules::templates())
            .chain(AdviceRules::templates())
            .chain(RightsRules::templates())
            .map(|template| lexicon::expand(&template, &classes))
            .collect();
        IntentDetector {
            lexicon: Lexicon::from_patterns(expanded.iter().map(String::as_str), MIN_FUZZY_LENGTH, NEVER_CORRECTED)
                .with_phrases(NEUTRAL_PHRASES),
            request: HumanRequestRules::new(),
            identity: IdentityRules::new(),
            complaint: ComplaintRules::new(),
            crisis: CrisisRules::new(),
            withdrawal: WithdrawalRules::new(),
            advice: AdviceRules::new(),
            rights: RightsRules::new(),
        }
    }

    /// The highest-priority intent of `text` (see [`Intent`] for the order).
    pub fn classify(&self, text: &str) -> Intent {
        self.route(&self.lexicon.canonical(text))
    }

    /// [`IntentDetector::classify`], [`IntentDetector::is_withdrawal_statement`],
    /// [`IntentDetector::advice_topic`] and [`IntentDetector::rights_request`] over one canonical copy of `text`: what the chat needs
    /// of every customer message.
    pub fn classify_message(&self, text: &str) -> Classification {
        let canonical = self.lexicon.canonical(text);
        Classification {
            intent: self.route(&canonical),
            withdrawal_statement: self.withdrawal.matches(&canonical),
            advice: self.advice.topic(&canonical),
            rights_request: self.rights.request(&canonical),
        }
    }

    fn route(&self, canonical: &str) -> Intent {
        if self.crisis.matches(canonical) {
            Intent::Crisis
        } else if self.request.matches(canonical) {
            Intent::HumanRequest
        } else if self.complaint.matches(canonical) {
            Intent::Complaint
        } else if self.identity.matches(canonical) {
            Intent::BotIdentityQuestion
        } else {
            Intent::Other
        }
    }

    /// True when `text` asks for a person, whatever else it also says (HUM-02).
    pub fn is_human_request(&self, text: &str) -> bool {
        self.request.matches(&self.lexicon.canonical(text))
    }

    /// True when `text` states that the customer withdraws from or cancels a purchase or
    /// contract ("ik herroep hierbij mijn bestelling", "I want to cancel my order"), whatever
    /// else it also says; a question about withdrawing is not a statement (ACC-04).
    pub fn is_withdrawal_statement(&self, text: &str) -> bool {
        self.withdrawal.matches(&self.lexicon.canonical(text))
    }

    /// The topic when `text` asks for personal investment, insurance, credit, tax, legal or
    /// medical advice ("moet ik beleggen?", "which insurance should I take?"); a question about
    /// the company's products and terms is not a request for advice (ACC-10).
    pub fn advice_topic(&self, text: &str) -> Option<AdviceTopic> {
        self.advice.topic(&self.lexicon.canonical(text))
    }

    /// The right when `text` makes a data subject's request ("ik wil inzage in mijn gegevens",
    /// "delete all my personal data", "ik maak bezwaar tegen de verwerking"); a question about
    /// how to make one is not a request (HUM-07).
    pub fn rights_request(&self, text: &str) -> Option<RequestedRight> {
        self.rights.request(&self.lexicon.canonical(text))
    }

    /// True when `text` asks whether the assistant is a bot or a human, whatever else it also
    /// says (DIS-06).
    pub fn is_bot_identity_question(&self, text: &str) -> bool {
        self.identity.matches(&self.lexicon.canonical(text))
    }
}

#[cfg(test)]
mod tests;

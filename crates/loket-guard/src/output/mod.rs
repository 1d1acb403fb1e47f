//! The output guard: every outgoing AI message passes it before a customer sees it (issue 6,
//! SEC-04, SEC-05, SEC-06, DIS-06).
//!
//! [`OutputGuard::check`] gives every text a verdict, in this order:
//! 1. longer than [`MAX_OUTPUT_BYTES`]: blocked unread (fail closed);
//! 2. a canary token of a system prompt ([`canary`]): blocked, the prompt is leaking;
//! 3. a restricted identifier (a key or code word from an internal or confidential page) or
//!    more than [`fingerprint::MAX_SHARED_SHINGLES`] shingles shared with those pages
//!    ([`fingerprint`]): blocked, non-public content is leaking;
//! 4. the Markdown/HTML sanitiser ([`markup`]) rewrites the text (no raw HTML, no images,
//!    links only to allowed domains);
//! 5. the human-claim filter ([`crate::intent::HumanClaimFilter`]) reads the sanitised text:
//!    a claim to be human is blocked.
//!
//! The leak checks run on the raw text *and* on the sanitised text, because removing a tag
//! can join the halves of a split secret (`sk-live-<b></b>DEMO…`). The guard is pure and
//! synchronous: the caller supplies the canaries, the fingerprints and the allowed domains,
//! and replaces a blocked answer by its neutral reply with the offer of a person.
//!
//! # Layout
//! - [`markup`]: [`sanitise`], [`LinkPolicy`].
//! - [`canary`]: [`Canary`], [`CanarySet`].
//! - [`fingerprint`]: [`Fingerprints`] (hashed word shingles and identifiers).
//!
//! # Key types
//! [`OutputGuard`], [`OutputVerdict`], [`BlockReason`].

pub mod canary;
pub mod fingerprint;
pub mod markup;

#[cfg(test)]
mod tests;

pub use canary::{Canary, CanaryError, CanarySet};
pub use fingerprint::{Fingerprints, Overlap};
pub use markup::{LinkPolicy, MarkupChange, Sanitised, sanitise};

use std::sync::Arc;

use crate::intent::{ClaimVerdict, HumanClaimFilter};

/// Longest outgoing text that is read; longer text is blocked unread (fail closed).
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// Why an outgoing message was blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockReason {
    /// The text contains a canary token of a system prompt.
    Canary,
    /// The text contains a key, secret or code word of a non-public page.
    RestrictedIdentifier,
    /// The text copies a passage of a non-public page.
    RestrictedPassage,
    /// The text claims that the assistant is human (DIS-06); the kind is the claim filter's.
    ClaimsHuman(&'static str),
    /// The text is longer than [`MAX_OUTPUT_BYTES`].
    Oversized,
}

impl BlockReason {
    /// Stable snake_case name for the audit record and metrics: `canary_leak`,
    /// `restricted_identifier`, `restricted_passage`, `oversized_output`, or for a human claim
    /// the claim filter's kind (`self_identifies_as_human`, `denies_being_ai`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::Canary => "canary_leak",
            BlockReason::RestrictedIdentifier => "restricted_identifier",
            BlockReason::RestrictedPassage => "restricted_passage",
            BlockReason::ClaimsHuman(kind) => kind,
            BlockReason::Oversized => "oversized_output",
        }
    }
}

/// The verdict on one outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputVerdict {
    /// Send this text (the sanitised form) instead of the original.
    Send(Sanitised),
    /// Do not send anything of the message; reply neutrally and offer a person.
    Block(BlockReason),
}

/// The combined output guard. Build it when the knowledge base changes; it is `Send + Sync`
/// and [`OutputGuard::check`] takes `&self`.
#[derive(Debug, Clone, Default)]
pub struct OutputGuard {
    /// Shared, because rebuilding the guard for a new knowledge-base generation must not
    /// recompile the claim patterns.
    claims: Arc<HumanClaimFilter>,
    canaries: CanarySet,
    fingerprints: Fingerprints,
    links: LinkPolicy,
}

impl OutputGuard {
    /// A guard watching for `canaries` and `fingerprints`, allowing links to `links`.
    pub fn new(canaries: CanarySet, fingerprints: Fingerprints, links: LinkPolicy) -> OutputGuard {
        OutputGuard {
            claims: Arc::new(HumanClaimFilter::new()),
            canaries,
            fingerprints,
            links,
        }
    }

    /// The same guard (claim filter and canaries) with new fingerprints and link domains, for
    /// a new knowledge-base generation.
    pub fn with_material(&self, fingerprints: Fingerprints, links: LinkPolicy) -> OutputGuard {
        OutputGuard {
            claims: Arc::clone(&self.claims),
            canaries: self.canaries.clone(),
            fingerprints,
            links,
        }
    }

    /// The fingerprints of the non-public texts.
    pub fn fingerprints(&self) -> &Fingerprints {
        &self.fingerprints
    }

    /// The canaries a prompt builder must plant.
    pub fn canaries(&self) -> &CanarySet {
        &self.canaries
    }

    /// The allowed link domains.
    pub fn links(&self) -> &LinkPolicy {
        &self.links
    }

    /// The verdict on `outgoing_ai_text` (see the module documentation for the order).
    pub fn check(&self, outgoing_ai_text: &str) -> OutputVerdict {
        if outgoing_ai_text.len() > MAX_OUTPUT_BYTES {
            return OutputVerdict::Block(BlockReason::Oversized);
        }
        if let Some(reason) = self.leak(outgoing_ai_text) {
            return OutputVerdict::Block(reason);
        }
        let sanitised = sanitise(outgoing_ai_text, &self.links);
        // The leak checks depend on the text alone: a text that sanitising left as it was has
        // just passed them.
        if sanitised.text != outgoing_ai_text
            && let Some(reason) = self.leak(&sanitised.text)
        {
            return OutputVerdict::Block(reason);
        }
        match self.claims.check(&sanitised.text) {
            ClaimVerdict::Clean => OutputVerdict::Send(sanitised),
            ClaimVerdict::ClaimsHuman { phrase_kind } => OutputVerdict::Block(BlockReason::ClaimsHuman(phrase_kind)),
        }
    }

    fn leak(&self, text: &str) -> Option<BlockReason> {
        if self.canaries.found_in(text) {
            Some(BlockReason::Canary)
        } else if self.fingerprints.contains_identifier(text) {
            Some(BlockReason::RestrictedIdentifier)
        } else if self.fingerprints.copies_passage(text) {
            Some(BlockReason::RestrictedPassage)
        } else {
            None
        }
    }
}

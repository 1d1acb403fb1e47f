//! Audit events and the hash chain that makes the log tamper-evident (REQUIREMENTS DIS-12,
//! HUM-12, SEC-09).
//!
//! An audit record holds no message text and no personal data: only kinds, ids, counts and
//! enumerated attributes (locale, template version, reason). Each record commits to the hash of
//! the one before it, so altering, removing, inserting or reordering any record breaks the chain
//! at that point.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::ConversationId;

/// The hash that the first record commits to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A conversation was opened.
    ConversationStarted,
    /// The AI disclosure was shown (DIS-01, DIS-05, DIS-12).
    DisclosureShown,
    /// An AI answer was given, with the ids of the sources it cited.
    AiAnswer,
    /// The bot declined to answer and offered a person.
    Abstention,
    /// The bot offered a person on its own (HUM-06).
    HumanOffered,
    /// The customer asked for a person (button or text).
    HandoffRequested,
    /// An agent took over.
    HandoffAccepted,
    /// Nobody could take over; alternatives were given.
    HandoffUnavailable,
    /// The agent handed the conversation back to the AI assistant.
    HandBack,
    /// The agent left; the conversation went back to the queue.
    AgentLeft,
    /// The conversation was closed.
    ConversationClosed,
    /// The truthful answer to "are you a person?" was given (DIS-06).
    IdentityAnswered,
    /// A just-in-time privacy warning was shown.
    PrivacyWarning,
    /// Personal data was pseudonymised in a customer message (counts per type).
    PiiRedacted,
    /// A message was flagged as a prompt-injection attempt.
    InjectionFlagged,
    /// An outgoing AI message was blocked by the output guard.
    OutputBlocked,
    /// A callback or e-mail ticket was created.
    TicketCreated,
    /// A staff member logged in.
    StaffLogin,
    /// A staff login failed.
    StaffLoginFailed,
    /// A staff member logged out.
    StaffLogout,
    /// A staff account was created.
    StaffCreated,
    /// A vault value was revealed to a staff member.
    VaultReveal,
    /// The server started with a configuration (its fingerprint is an attribute).
    ConfigLoaded,
    /// The knowledge base was (re)imported.
    KnowledgeImported,
}

impl AuditKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::ConversationStarted => "conversation_started",
            AuditKind::DisclosureShown => "disclosure_shown",
            AuditKind::AiAnswer => "ai_answer",
            AuditKind::Abstention => "abstention",
            AuditKind::HumanOffered => "human_offered",
            AuditKind::HandoffRequested => "handoff_requested",
            AuditKind::HandoffAccepted => "handoff_accepted",
            AuditKind::HandoffUnavailable => "handoff_unavailable",
            AuditKind::HandBack => "hand_back",
            AuditKind::AgentLeft => "agent_left",
            AuditKind::ConversationClosed => "conversation_closed",
            AuditKind::IdentityAnswered => "identity_answered",
            AuditKind::PrivacyWarning => "privacy_warning",
            AuditKind::PiiRedacted => "pii_redacted",
            AuditKind::InjectionFlagged => "injection_flagged",
            AuditKind::OutputBlocked => "output_blocked",
            AuditKind::TicketCreated => "ticket_created",
            AuditKind::StaffLogin => "staff_login",
            AuditKind::StaffLoginFailed => "staff_login_failed",
            AuditKind::StaffLogout => "staff_logout",
            AuditKind::StaffCreated => "staff_created",
            AuditKind::VaultReveal => "vault_reveal",
            AuditKind::ConfigLoaded => "config_loaded",
            AuditKind::KnowledgeImported => "knowledge_imported",
        }
    }
}

/// One event to append. Contains no message text and no personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// What happened.
    pub kind: AuditKind,
    /// The conversation concerned, if any.
    pub conversation: Option<ConversationId>,
    /// Who caused it: `system`, `customer`, `agent:<login>`, `cli`.
    pub actor: String,
    /// Ids involved: knowledge entry ids cited, a ticket id, a message seq.
    pub ids: Vec<String>,
    /// Counts: redactions per entity type, seconds waited.
    pub counts: BTreeMap<String, i64>,
    /// Enumerated facts: locale, template version, reason. Never free text.
    pub attributes: BTreeMap<String, String>,
}

impl AuditEvent {
    /// A new event by `actor` with no ids, counts or attributes yet.
    pub fn new(kind: AuditKind, conversation: Option<&ConversationId>, actor: impl Into<String>) -> Self {
        Self {
            kind,
            conversation: conversation.cloned(),
            actor: actor.into(),
            ids: Vec::new(),
            counts: BTreeMap::new(),
            attributes: BTreeMap::new(),
        }
    }

    /// Adds an id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.ids.push(id.into());
        self
    }

    /// Adds a count.
    pub fn count(mut self, name: impl Into<String>, value: i64) -> Self {
        self.counts.insert(name.into(), value);
        self
    }

    /// Adds an attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }
}

/// A stored audit record: the event, its place in the chain and its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// When it was appended.
    pub at: DateTime<Utc>,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The hash of the previous record (`GENESIS_HASH` for the first).
    pub prev_hash: String,
    /// This record's hash over all of the above.
    pub hash: String,
}

impl AuditRecord {
    /// Builds the record that follows `prev_hash` at `seq`, computing its hash.
    pub fn chained(seq: i64, at: DateTime<Utc>, event: AuditEvent, prev_hash: &str) -> Self {
        let hash = record_hash(seq, at, &event, prev_hash);
        Self {
            seq,
            at,
            event,
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }
}

/// The hash of a record: SHA-256 over a length-prefixed encoding of every field, so that no two
/// different records encode alike.
pub fn record_hash(seq: i64, at: DateTime<Utc>, event: &AuditEvent, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(at.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes());
    field(event.kind.as_str().as_bytes());
    field(
        event
            .conversation
            .as_ref()
            .map(|id| id.as_str())
            .unwrap_or("")
            .as_bytes(),
    );
    field(event.actor.as_bytes());
    field(&(event.ids.len() as u64).to_be_bytes());
    for id in &event.ids {
        field(id.as_bytes());
    }
    field(&(event.counts.len() as u64).to_be_bytes());
    for (name, value) in &event.counts {
        field(name.as_bytes());
        field(&value.to_be_bytes());
    }
    field(&(event.attributes.len() as u64).to_be_bytes());
    for (name, value) in &event.attributes {
        field(name.as_bytes());
        field(value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at record {seq}: {reason}")]
pub struct ChainBreak {
    /// The seq of the first record that does not fit (or the expected seq when one is missing).
    pub seq: i64,
    /// What is wrong.
    pub reason: &'static str,
}

/// Verifies a chain read in seq order, starting at the first record ever written. Returns the
/// number of records checked, or the first break.
pub fn verify_chain(records: impl IntoIterator<Item = AuditRecord>) -> Result<u64, ChainBreak> {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut checked = 0;
    for (expected_seq, record) in (1..).zip(records) {
        if record.seq != expected_seq {
            return Err(ChainBreak {
                seq: expected_seq,
                reason: "record missing or out of order",
            });
        }
        if record.prev_hash != prev_hash {
            return Err(ChainBreak {
                seq: record.seq,
                reason: "does not follow the previous record",
            });
        }
        if record_hash(record.seq, record.at, &record.event, &record.prev_hash) != record.hash {
            return Err(ChainBreak {
                seq: record.seq,
                reason: "content does not match its hash",
            });
        }
        prev_hash = record.hash;
        checked += 1;
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(length: i64) -> Vec<AuditRecord> {
        let mut records = Vec::new();
        let mut prev = GENESIS_HASH.to_string();
        for seq in 1..=length {
            let event = AuditEvent::new(AuditKind::AiAnswer, None, "system")
                .id(format!("faq-{seq}"))
                .count("n", seq);
            let at = DateTime::from_timestamp(1_700_000_000 + seq, 0).unwrap_or_default();
            let record = AuditRecord::chained(seq, at, event, &prev);
            prev = record.hash.clone();
            records.push(record);
        }
        records
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(chain(20)), Ok(20));
    }

    #[test]
    fn altered_removed_inserted_and_swapped_records_are_caught_at_their_position() {
        let mut altered = chain(10);
        altered[4].event.ids[0] = "faq-other".into();
        assert_eq!(verify_chain(altered).unwrap_err().seq, 5);

        let mut removed = chain(10);
        removed.remove(6);
        assert_eq!(verify_chain(removed).unwrap_err().seq, 7);

        let mut swapped = chain(10);
        swapped.swap(2, 3);
        assert_eq!(verify_chain(swapped).unwrap_err().seq, 3);

        let mut inserted = chain(10);
        let mut extra = inserted[3].clone();
        extra.event.counts.insert("n".into(), 99);
        inserted.insert(4, extra);
        assert!(verify_chain(inserted).is_err());
    }

    #[test]
    fn renumbered_and_rehashed_record_still_breaks_the_link_to_its_successor() {
        let mut records = chain(5);
        records[1].event.actor = "agent:mallory".into();
        records[1].hash = record_hash(2, records[1].at, &records[1].event, &records[1].prev_hash);
        assert_eq!(verify_chain(records).unwrap_err().seq, 3);
    }
}

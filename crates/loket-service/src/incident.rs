//! Wrong-answer incidents (REQUIREMENTS ACC-09): when an approved answer turns out to be wrong,
//! the company must find the customers who got it and correct it for them.
//!
//! An incident names the knowledge entry and the company's own reference. The conversations in
//! which an answer cited that entry are found in the audit log (its `ai_answer` records carry the
//! cited entry ids), with whether the customer rated that answer not right and whether the company's
//! login identified the customer (so the company can reach them through its own channels, or
//! export the conversation with `loket gdpr export`). The incident itself is an audit record that
//! links the entry to those conversations by id: no text, no personal data.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use loket_core::ConversationId;
use loket_core::audit::{AnswerRating, AuditEvent, AuditKind};
use serde::Serialize;

use crate::Loket;
use crate::error::{Error, Result};

/// Audit records read per page while looking for affected conversations.
const SCAN_PAGE: u32 = 10_000;

/// Most conversation ids one incident's audit record lists; beyond it the record keeps the count,
/// and the command's output (recomputable from the log at any time) has them all.
pub const MAX_LINKED_IN_RECORD: usize = 1_000;

/// Longest incident reference.
pub const MAX_REFERENCE_CHARS: usize = 64;

/// A conversation that got an answer citing the incident's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedConversation {
    /// The conversation.
    pub conversation_id: String,
    /// When it got such an answer, first to last.
    pub answered_at: Vec<DateTime<Utc>>,
    /// The customer rated one of those answers not right ("Klopte dit antwoord?" no).
    pub rated_wrong: bool,
    /// The company's login identified the customer, who can thus be reached and whose data can be
    /// exported; `false` also when the conversation has since been erased.
    pub identified: bool,
}

/// A recorded wrong-answer incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// The company's reference, for example its ticket number.
    pub reference: String,
    /// The knowledge entry whose answer was wrong.
    pub entry_id: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Every conversation in the audit log that got an answer citing the entry, oldest first.
    pub conversations: Vec<AffectedConversation>,
}

/// A company's reference for an incident or a breach: 1 to [`MAX_REFERENCE_CHARS`] letters,
/// digits, `-`, `_` or `.` (it is stored in the audit log, which holds no free text).
pub(crate) fn check_reference(reference: &str) -> Result<()> {
    if reference.is_empty()
        || reference.chars().count() > MAX_REFERENCE_CHARS
        || !reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::Invalid {
            code: "invalid_reference",
            message: format!("the reference must be 1 to {MAX_REFERENCE_CHARS} letters, digits, '-', '_' or '.'"),
        });
    }
    Ok(())
}

impl Loket {
    /// Records a wrong-answer incident for `entry_id` under the company's `reference` (letters,
    /// digits, `-`, `_`, `.`; at most [`MAX_REFERENCE_CHARS`]) and returns the conversations it
    /// affects. The audit record links the entry and those conversations by id.
    pub async fn record_incident(&self, reference: &str, entry_id: &str, actor: &str) -> Result<Incident> {
        let reference = reference.trim();
        check_reference(reference)?;
        let entry = loket_kb::EntryId::parse(entry_id.trim()).ok_or_else(|| Error::Invalid {
            code: "invalid_entry",
            message: "not a knowledge entry id".into(),
        })?;
        let entry = entry.as_str().to_owned();
        // Conversations in the order the log first names them, and where each sits in that list.
        let mut found: Vec<AffectedConversation> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut after = 0;
        loop {
            let page = self.store.audit_records(after, SCAN_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for record in &page {
                let event = &record.event;
                let Some(conversation) = &event.conversation else {
                    continue;
                };
                let answered = event.kind == AuditKind::AiAnswer && event.ids.contains(&entry);
                let rating = AnswerRating::read(event).filter(|rating| rating.sources.contains(&entry));
                if !answered && rating.is_none() {
                    continue;
                }
                let index = *position.entry(conversation.as_str().to_owned()).or_insert_with(|| {
                    found.push(AffectedConversation {
                        conversation_id: conversation.as_str().to_owned(),
                        answered_at: Vec::new(),
                        rated_wrong: false,
                        identified: false,
                    });
                    found.len() - 1
                });
                let Some(affected) = found.get_mut(index) else {
                    continue;
                };
                if answered {
                    affected.answered_at.push(record.at);
                }
                if let Some(rating) = rating {
                    affected.rated_wrong |= !rating.helpful;
                }
            }
        }
        let mut conversations = Vec::with_capacity(found.len());
        for mut affected in found {
            // A rating without an answer record would be a damaged log; only answers count.
            if affected.answered_at.is_empty() {
                continue;
            }
            if let Ok(id) = ConversationId::parse(&affected.conversation_id) {
                affected.identified = match self.store.conversation(&id).await {
                    Ok(record) => record.subject.is_some(),
                    Err(loket_store::Error::NotFound) => false,
                    Err(error) => return Err(error.into()),
                };
            }
            conversations.push(affected);
        }
        let recorded_at = self.now();
        let mut event = AuditEvent::new(AuditKind::WrongAnswerIncident, None, actor)
            .id(entry.clone())
            .attribute("reference", reference)
            .count("conversations", conversations.len() as i64)
            .count(
                "rated_wrong",
                conversations.iter().filter(|affected| affected.rated_wrong).count() as i64,
            );
        for affected in conversations.iter().take(MAX_LINKED_IN_RECORD) {
            event = event.id(affected.conversation_id.clone());
        }
        self.store.append_audit(vec![event], recorded_at).await?;
        Ok(Incident {
            reference: reference.to_owned(),
            entry_id: entry,
            recorded_at,
            conversations,
        })
    }
}

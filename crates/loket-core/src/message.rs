//! Messages and their authorship (REQUIREMENTS DIS-09): every message says who wrote it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ConversationId;
use crate::locale::Locale;

/// Who wrote a message. Shown visually and programmatically with every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    /// The AI assistant: generated or selected by the bot.
    Ai,
    /// A human employee.
    Agent,
    /// The customer.
    Customer,
    /// Loket itself: disclosure, handover announcements, notices with fixed wording.
    System,
}

impl Author {
    /// The stable lowercase name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Ai => "ai",
            Author::Agent => "agent",
            Author::Customer => "customer",
            Author::System => "system",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ai" => Some(Author::Ai),
            "agent" => Some(Author::Agent),
            "customer" => Some(Author::Customer),
            "system" => Some(Author::System),
            _ => None,
        }
    }
}

/// What a message is, independent of who wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The AI disclosure (AI Act art. 50). Always `seq` 1, repeated after idle time and hand-back.
    Disclosure,
    /// An answer from approved knowledge, with citations.
    Answer,
    /// The bot declines to answer because it is not sure, and offers a person.
    Abstention,
    /// A fixed-wording notice (for example: a person is offered).
    Notice,
    /// A switch of who is talking: handover requested, agent joined, back to the AI assistant.
    Handoff,
    /// A just-in-time warning about sensitive data.
    PrivacyWarning,
    /// Free text typed by a customer or an agent.
    Text,
    /// The truthful answer to "am I talking to a person?".
    Identity,
    /// Nobody can take over now: when people are back and which alternatives exist.
    Unavailable,
    /// A callback or e-mail request was registered.
    Ticket,
    /// The acknowledgement of a withdrawal or cancellation statement, with the time it was
    /// received (ACC-04); a signed copy can be downloaded.
    WithdrawalReceipt,
}

impl MessageKind {
    /// The stable snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Disclosure => "disclosure",
            MessageKind::Answer => "answer",
            MessageKind::Abstention => "abstention",
            MessageKind::Notice => "notice",
            MessageKind::Handoff => "handoff",
            MessageKind::PrivacyWarning => "privacy_warning",
            MessageKind::Text => "text",
            MessageKind::Identity => "identity",
            MessageKind::Unavailable => "unavailable",
            MessageKind::Ticket => "ticket",
            MessageKind::WithdrawalReceipt => "withdrawal_receipt",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "disclosure" => MessageKind::Disclosure,
            "answer" => MessageKind::Answer,
            "abstention" => MessageKind::Abstention,
            "notice" => MessageKind::Notice,
            "handoff" => MessageKind::Handoff,
            "privacy_warning" => MessageKind::PrivacyWarning,
            "text" => MessageKind::Text,
            "identity" => MessageKind::Identity,
            "unavailable" => MessageKind::Unavailable,
            "ticket" => MessageKind::Ticket,
            "withdrawal_receipt" => MessageKind::WithdrawalReceipt,
            _ => return None,
        })
    }
}

/// A source an answer was taken from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    /// The knowledge entry or document id.
    pub id: String,
    /// Its title, shown as the link text.
    pub title: String,
    /// Where the customer can read the source, when it has a public page.
    pub url: Option<String>,
}

/// An approved FAQ question offered with an abstention, for the customer to pick instead of
/// rephrasing: asked verbatim, it is answered by its own entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The knowledge entry it belongs to.
    pub entry_id: String,
    /// The question as approved, shown on the button and sent when it is picked.
    pub question: String,
}

/// A message about to be stored. The store assigns `id`, `seq` and `created_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    /// Who wrote it.
    pub author: Author,
    /// What it is.
    pub kind: MessageKind,
    /// The text as shown. For customer messages this is the pseudonymised text: originals never
    /// reach storage.
    pub text: String,
    /// The visible sender label ("AI-assistent", "Sanne, medewerker", "U").
    pub author_label: String,
    /// The language of `text`.
    pub lang: Locale,
    /// Sources of an answer; empty for other kinds.
    pub citations: Vec<Citation>,
    /// With an abstention: approved questions near the customer's; empty otherwise.
    #[serde(default)]
    pub suggestions: Vec<Suggestion>,
    /// The message invites the customer to use the "talk to a person" control.
    pub offers_human: bool,
    /// The name of the language model that wrote this text (AI Act art. 50(2), REQUIREMENTS
    /// DIS-10); `None` for approved or fixed wording and for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_by: Option<String>,
}

/// A message as stored: immutable, ordered by `seq` within its conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// Globally unique message id.
    pub id: String,
    /// The conversation it belongs to.
    pub conversation_id: ConversationId,
    /// Position in the conversation, starting at 1, without gaps.
    pub seq: i64,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// The content and its authorship.
    #[serde(flatten)]
    pub message: NewMessage,
}

//! Wire types: the JSON the API speaks. Only this crate knows them; the service speaks domain
//! types. Every type here is described in the OpenAPI document.

use chrono::{DateTime, Utc};
use loket_core::{ConversationState, HandoverReason, StoredMessage};
use loket_service::customer::{ConversationView, TurnOutcome};
use loket_service::second_factor::SecondFactorState;
use loket_service::staff::{AgentConversationView, QueueView, StaffContext};
use loket_store::Ticket;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Open a conversation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateConversation {
    /// `nl` or `en`.
    #[schema(example = "nl")]
    pub locale: String,
    /// A short-lived identity token signed by the company's site (JWT, HS256, claims `sub` and
    /// `exp`) when the customer is logged in there: the conversation may then see customer
    /// knowledge, and the customer can export their data.
    #[serde(default)]
    pub identity: Option<String>,
}

/// A source of an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitationDto {
    /// Knowledge entry or document id.
    pub id: String,
    /// Title, the link text.
    pub title: String,
    /// Public page, if any.
    pub url: Option<String>,
}

/// The customer's rating of an answer: "Klopte dit antwoord?" (ACC-09).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackDto {
    /// `true`: the answer was right; `false`: it was not.
    pub helpful: bool,
}

/// The signed copy of a withdrawal or cancellation acknowledgement (ACC-04).
#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalReceiptDto {
    /// The company that received the statement.
    pub company: String,
    /// The conversation.
    pub conversation: String,
    /// The seq of the customer's statement.
    pub statement_seq: i64,
    /// The customer's words, with their personal data as they typed it.
    pub statement: String,
    /// When the statement was received (UTC).
    pub received_at: String,
    /// The same moment on the company's clock, `YYYY-MM-DD HH:MM`.
    pub received_local: String,
    /// The seq of the acknowledgement.
    pub acknowledgement_seq: i64,
    /// The acknowledgement as shown in the chat.
    pub acknowledgement: String,
    /// `nl` or `en`.
    pub locale: String,
    /// The Ed25519 public key, hex.
    pub public_key: String,
    /// Signature over `loket-withdrawal-receipt/v1` and the fields (see API.md), hex.
    pub signature: String,
}

impl From<loket_service::withdrawal::WithdrawalReceipt> for WithdrawalReceiptDto {
    fn from(receipt: loket_service::withdrawal::WithdrawalReceipt) -> Self {
        WithdrawalReceiptDto {
            company: receipt.company,
            conversation: receipt.conversation.as_str().to_string(),
            statement_seq: receipt.statement_seq,
            statement: receipt.statement,
            received_at: receipt.received_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            received_local: receipt.received_local,
            acknowledgement_seq: receipt.acknowledgement_seq,
            acknowledgement: receipt.acknowledgement,
            locale: receipt.locale.as_str().to_string(),
            public_key: receipt.public_key,
            signature: receipt.signature,
        }
    }
}

/// An approved question offered with an abstention.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    /// The knowledge entry it belongs to.
    pub entry_id: String,
    /// The question as approved; sent as the customer's next message when picked, it is
    /// answered by its own entry.
    pub question: String,
}

/// One message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    /// Unique id.
    pub id: String,
    /// Position in the conversation, from 1.
    pub seq: i64,
    /// `ai`, `agent`, `customer` or `system`.
    #[schema(example = "system")]
    pub author: &'static str,
    /// `disclosure`, `answer`, `abstention`, `notice`, `handoff`, `privacy_warning`, `text`,
    /// `identity`, `unavailable`, `ticket`, `withdrawal_receipt`.
    #[schema(example = "disclosure")]
    pub kind: &'static str,
    /// The text; customer text is pseudonymised.
    pub text: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// The visible sender label ("AI-assistent", "Sanne, medewerker").
    pub author_label: String,
    /// Language of the text.
    pub lang: &'static str,
    /// Sources of an answer.
    pub citations: Vec<CitationDto>,
    /// The message invites the customer to use "talk to a person".
    pub offers_human: bool,
    /// With an abstention: approved questions near the customer's, to pick instead of
    /// rephrasing (at most `answer.suggestions`, default 3); empty otherwise.
    pub suggestions: Vec<SuggestionDto>,
    /// Machine-readable provenance of a message by the AI assistant (AI Act art. 50(2),
    /// REQUIREMENTS DIS-10); absent for people and system notices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ProvenanceDto>,
}

/// Who or what made an AI message's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvenanceDto {
    /// Always `ai`.
    #[schema(example = "ai")]
    pub generator: &'static str,
    /// `generated` (a language model wrote it from the cited passages and every sentence passed
    /// the grounding verifier), `approved_text` (the knowledge base's approved answer, verbatim)
    /// or `fixed_text` (Loket's fixed wording, such as the truthful identity answer).
    #[schema(example = "approved_text")]
    pub method: &'static str,
    /// With `generated`: the model's name (an `openai` server's model, or the name a local GGUF
    /// file gives itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl ProvenanceDto {
    /// The provenance of `message`, when the AI assistant wrote it.
    pub fn of(message: &loket_core::NewMessage) -> Option<Self> {
        if message.author != loket_core::Author::Ai {
            return None;
        }
        let method = match (&message.generated_by, message.kind) {
            (Some(_), _) => "generated",
            (None, loket_core::MessageKind::Answer) => "approved_text",
            (None, _) => "fixed_text",
        };
        Some(ProvenanceDto {
            generator: "ai",
            method,
            model: message.generated_by.clone(),
        })
    }
}

impl From<StoredMessage> for MessageDto {
    fn from(stored: StoredMessage) -> Self {
        let message = stored.message;
        let provenance = ProvenanceDto::of(&message);
        Self {
            id: stored.id,
            seq: stored.seq,
            author: message.author.as_str(),
            kind: message.kind.as_str(),
            text: message.text,
            created_at: stored.created_at,
            author_label: message.author_label,
            lang: message.lang.as_str(),
            citations: message
                .citations
                .into_iter()
                .map(|citation| CitationDto {
                    id: citation.id,
                    title: citation.title,
                    url: citation.url,
                })
                .collect(),
            offers_human: message.offers_human,
            suggestions: message
                .suggestions
                .into_iter()
                .map(|suggestion| SuggestionDto {
                    entry_id: suggestion.entry_id,
                    question: suggestion.question,
                })
                .collect(),
            provenance,
        }
    }
}

fn messages(list: Vec<StoredMessage>) -> Vec<MessageDto> {
    list.into_iter().map(MessageDto::from).collect()
}

/// A newly opened conversation. `token` is shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationCreated {
    /// Conversation id.
    pub id: String,
    /// Bearer token (256 bits, hex) that opens this conversation only.
    pub token: String,
    /// `bot`, `waiting_for_agent`, `with_agent` or `closed`.
    pub state: &'static str,
    /// `nl` or `en`.
    pub locale: &'static str,
    /// The first messages; `messages[0]` is the AI disclosure.
    pub messages: Vec<MessageDto>,
}

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDto {
    /// Conversation id.
    pub id: String,
    /// `bot`, `waiting_for_agent`, `with_agent` or `closed`.
    pub state: &'static str,
    /// `nl` or `en`.
    pub locale: &'static str,
    /// Messages, oldest first.
    pub messages: Vec<MessageDto>,
}

impl From<ConversationView> for ConversationDto {
    fn from(view: ConversationView) -> Self {
        Self {
            id: view.id.to_string(),
            state: view.state.as_str(),
            locale: view.locale.as_str(),
            messages: messages(view.messages),
        }
    }
}

/// Send a message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendMessage {
    /// The text, at most `limits.message_chars` characters.
    pub text: String,
}

/// The state after an action and the messages it stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct TurnDto {
    /// Who is talking now.
    pub state: &'static str,
    /// The stored messages, the sender's own first.
    pub messages: Vec<MessageDto>,
}

impl From<TurnOutcome> for TurnDto {
    fn from(outcome: TurnOutcome) -> Self {
        Self {
            state: outcome.state.as_str(),
            messages: messages(outcome.messages),
        }
    }
}

/// Messages after a seq.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesDto {
    /// Who is talking now.
    pub state: &'static str,
    /// Messages with a greater seq, oldest first.
    pub messages: Vec<MessageDto>,
}

/// A callback or e-mail request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackDto {
    /// Name.
    pub name: Option<String>,
    /// Phone number; this or `email` is required.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// When to call.
    pub preferred_time: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// A ticket was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketCreatedDto {
    /// Ticket id.
    pub ticket_id: String,
    /// Who is talking now.
    pub state: &'static str,
    /// The confirmation message.
    pub messages: Vec<MessageDto>,
}

/// Contact routes that work without the chat (HUM-05).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    /// Phone number.
    pub phone: String,
    /// When the phone is answered.
    pub phone_hours: String,
    /// E-mail address.
    pub email: String,
    /// How soon e-mail is answered.
    pub email_response: String,
    /// The contact page.
    pub contact_url: String,
}

/// What the widget needs to render before the first message.
#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetConfigDto {
    /// Company name.
    pub company: String,
    /// The bot's display name in this locale.
    pub bot_name: String,
    /// The locale of the strings.
    pub locale: &'static str,
    /// Alternatives to the chat.
    pub contact: ContactDto,
    /// Privacy statement.
    pub privacy_url: String,
    /// Within business hours, with someone online who serves customers in `locale` (HUM-08).
    pub agents_available: bool,
    /// Colours, validated for contrast at startup: `primary`, `on_primary`, `surface`, `text`,
    /// `link` as `#rrggbb`.
    pub theme: ThemeDto,
}

/// The widget's colours.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeDto {
    /// Launcher, send button and customer bubbles.
    pub primary: String,
    /// Text on `primary`.
    pub on_primary: String,
    /// Panel background.
    pub surface: String,
    /// Body text.
    pub text: String,
    /// Links.
    pub link: String,
}

/// Staff login.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// The second factor, where one is set up: the six-digit code from the authenticator app,
    /// or an unused recovery code. Without it such an account gets 401 `second_factor_required`.
    #[serde(default)]
    pub code: Option<String>,
}

/// A code confirming the authenticator app being set up.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SecondFactorCode {
    /// The six-digit code the app shows.
    pub code: String,
}

/// An authenticator app's secret being set up, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetupDto {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URI the QR code carries.
    pub uri: String,
    /// The QR code as an SVG image.
    pub qr_svg: String,
}

/// The recovery codes of a second factor just set up, shown once: each opens one login when the
/// phone is lost.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesDto {
    /// Ten codes `xxxxx-xxxxx`.
    pub recovery_codes: Vec<String>,
}

/// The logged-in staff member.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDto {
    /// Login name.
    pub username: String,
    /// Name shown to customers.
    pub display_name: String,
    /// `agent`, `admin` or `auditor`.
    pub role: &'static str,
    /// Echo this in `X-CSRF-Token` on every state-changing request.
    pub csrf_token: String,
    /// `in_use`, `setup_required` (the session opens only the second factor's setup) or
    /// `not_in_use` (SEC-09).
    pub second_factor: &'static str,
}

impl StaffDto {
    /// The member of `context`, with where they stand with the second factor.
    pub fn new(context: &StaffContext, second_factor: SecondFactorState) -> Self {
        Self {
            username: context.account.id.to_string(),
            display_name: context.account.display_name.clone(),
            role: context.account.role.as_str(),
            csrf_token: context.session.csrf_token.clone(),
            second_factor: second_factor.as_str(),
        }
    }
}

/// A conversation in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemDto {
    /// Conversation id.
    pub id: String,
    /// Language.
    pub locale: &'static str,
    /// Since when.
    pub waiting_since: Option<DateTime<Utc>>,
    /// 1 = next.
    pub position: u32,
    /// Why the customer wants a person: `request`, `privacy`, `withdrawal`, `complaint` or `crisis`.
    pub reason: Option<&'static str>,
}

/// A conversation held by the agent.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldDto {
    /// Conversation id.
    pub id: String,
    /// Language.
    pub locale: &'static str,
    /// State.
    pub state: &'static str,
    /// Why the customer asked for a person, as in the queue.
    pub reason: Option<&'static str>,
}

/// A ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    /// Ticket id.
    pub id: String,
    /// The conversation.
    pub conversation_id: String,
    /// `callback` or `email`.
    pub kind: String,
    /// Name (placeholder).
    pub name: String,
    /// Phone (placeholder).
    pub phone: String,
    /// E-mail (placeholder).
    pub email: String,
    /// Preferred time.
    pub preferred_time: String,
    /// Note (pseudonymised).
    pub note: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// `open` or `done`.
    pub status: String,
}

impl From<Ticket> for TicketDto {
    fn from(ticket: Ticket) -> Self {
        Self {
            id: ticket.id,
            conversation_id: ticket.conversation_id.to_string(),
            kind: ticket.kind,
            name: ticket.name,
            phone: ticket.phone,
            email: ticket.email,
            preferred_time: ticket.preferred_time,
            note: ticket.note,
            created_at: ticket.created_at,
            status: ticket.status,
        }
    }
}

/// The agent's queue screen.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    /// Waiting conversations.
    pub waiting: Vec<QueueItemDto>,
    /// Conversations this agent holds.
    pub mine: Vec<HeldDto>,
    /// Open tickets.
    pub tickets: Vec<TicketDto>,
    /// Agents online.
    pub agents_online: usize,
}

impl From<QueueView> for QueueDto {
    fn from(view: QueueView) -> Self {
        Self {
            waiting: view
                .waiting
                .into_iter()
                .map(|entry| QueueItemDto {
                    id: entry.conversation.id.to_string(),
                    locale: entry.conversation.locale.as_str(),
                    waiting_since: entry.conversation.waiting_since,
                    position: entry.position,
                    reason: entry.conversation.handover_reason.map(HandoverReason::as_str),
                })
                .collect(),
            mine: view
                .mine
                .into_iter()
                .map(|conversation| HeldDto {
                    id: conversation.id.to_string(),
                    locale: conversation.locale.as_str(),
                    state: conversation.state.as_str(),
                    reason: conversation.handover_reason.map(HandoverReason::as_str),
                })
                .collect(),
            tickets: view.tickets.into_iter().map(TicketDto::from).collect(),
            agents_online: view.agents_online,
        }
    }
}

/// A conversation as an agent sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentConversationDto {
    /// Conversation id.
    pub id: String,
    /// State.
    pub state: &'static str,
    /// Language.
    pub locale: &'static str,
    /// Login name of the holding agent.
    pub assigned_agent: Option<String>,
    /// Display name of the holding agent.
    pub assigned_agent_name: Option<String>,
    /// The whole transcript, personal data as placeholders.
    pub messages: Vec<MessageDto>,
    /// The customer's ratings of AI answers ("Klopte dit antwoord?"), by the answer's seq.
    pub ratings: Vec<RatingDto>,
}

/// A customer's rating of one AI answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    /// The answer's seq.
    pub seq: i64,
    /// `true`: the customer said it was right; `false`: not right.
    pub helpful: bool,
}

impl From<AgentConversationView> for AgentConversationDto {
    fn from(view: AgentConversationView) -> Self {
        Self {
            id: view.conversation.id.to_string(),
            state: view.conversation.state.as_str(),
            locale: view.conversation.locale.as_str(),
            assigned_agent: view
                .conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.id.to_string()),
            assigned_agent_name: view.conversation.assigned_agent.map(|agent| agent.display_name),
            messages: messages(view.messages),
            ratings: view
                .ratings
                .into_iter()
                .map(|(seq, helpful)| RatingDto { seq, helpful })
                .collect(),
        }
    }
}

/// Reveal a placeholder.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevealRequest {
    /// The placeholder, e.g. `[IBAN_1]`.
    pub placeholder: String,
}

/// A revealed value.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealDto {
    /// The original value.
    pub value: String,
}

/// Health.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthDto {
    /// `ok`.
    pub status: &'static str,
    /// Readiness only: the knowledge-base generation this instance serves (absent before the
    /// first import). Instances of one deployment should all report the same one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knowledge_base: Option<String>,
}

/// State names used in stream events.
pub fn state_name(state: ConversationState) -> &'static str {
    state.as_str()
}

/// One recorded showing of the AI disclosure.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureDto {
    /// Audit record seq (verifiable with `loket audit verify`).
    pub audit_seq: i64,
    /// When it was shown.
    pub at: DateTime<Utc>,
    /// Locale of the wording.
    pub locale: String,
    /// Version of the wording.
    pub template_version: String,
    /// Channel.
    pub channel: String,
}

//! The conversation state machine.
//!
//! States: `bot`, `waiting_for_agent`, `with_agent`, `closed`. Every transition is
//! [`Conversation::apply`]`(event, now, wording) -> Transition`: the new snapshot, the messages to
//! store and the audit events to append, which the caller persists in one transaction.
//!
//! Invariants that live here and nowhere else:
//! - [`Conversation::start`] is the only way to open a conversation, and its first message is the
//!   disclosure; no AI-authored message can be produced before a disclosure (`Outbox` refuses
//!   it), and the disclosure is repeated after idle time and after hand-back (DIS-01, DIS-05);
//! - a request for a person is accepted in every state and answered in the same response
//!   (HUM-02): a handover, or the truthful statement that nobody is available with the
//!   alternatives (HUM-04);
//! - in `with_agent` and `waiting_for_agent` the bot does not answer;
//! - every switch of who is talking produces a system message that says so (HUM-11).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::advice::AdviceTopic;
use crate::audit::{AuditEvent, AuditKind};
use crate::availability::Availability;
use crate::ids::{AgentId, ConversationId};
use crate::locale::Locale;
use crate::message::{Author, Citation, MessageKind, NewMessage, Suggestion};
use crate::rights::RequestedRight;
use crate::wording::Wording;

/// Who is talking to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// The AI assistant answers.
    Bot,
    /// The customer asked for a person and waits in the queue; the bot does not answer.
    WaitingForAgent,
    /// A person answers; the bot is silent.
    WithAgent,
    /// Closed by an agent or by retention; a new customer message reopens it with the bot.
    Closed,
}

impl ConversationState {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationState::Bot => "bot",
            ConversationState::WaitingForAgent => "waiting_for_agent",
            ConversationState::WithAgent => "with_agent",
            ConversationState::Closed => "closed",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "bot" => Some(ConversationState::Bot),
            "waiting_for_agent" => Some(ConversationState::WaitingForAgent),
            "with_agent" => Some(ConversationState::WithAgent),
            "closed" => Some(ConversationState::Closed),
            _ => None,
        }
    }
}

/// Why a customer is waiting for, or talking with, a person: what the agents' queue shows next
/// to the conversation, so a crisis or a complaint is seen before it is opened (HUM-03, HUM-07).
/// Ordered by urgency: a later, more urgent reason replaces an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverReason {
    /// The customer asked (the control, their own words, or the bot's offer).
    Request,
    /// A data subject's request about their personal data (HUM-07, PRIV-07).
    Privacy,
    /// A withdrawal or cancellation statement, acknowledged in the chat (ACC-04).
    Withdrawal,
    /// A complaint, a dispute or a legal claim.
    Complaint,
    /// Expressed crisis or vulnerability: the help numbers were given.
    Crisis,
}

impl HandoverReason {
    /// Every reason, least urgent first.
    pub const ALL: [HandoverReason; 5] = [
        HandoverReason::Request,
        HandoverReason::Privacy,
        HandoverReason::Withdrawal,
        HandoverReason::Complaint,
        HandoverReason::Crisis,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverReason::Request => "request",
            HandoverReason::Privacy => "privacy",
            HandoverReason::Withdrawal => "withdrawal",
            HandoverReason::Complaint => "complaint",
            HandoverReason::Crisis => "crisis",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == text)
    }

    /// The reason of an audited handover trigger (`button`, `text`, `complaint`, `crisis`,
    /// `withdrawal`, `privacy`, ...); any other trigger is the customer's request.
    fn of_trigger(trigger: &str) -> Self {
        match trigger {
            "complaint" => HandoverReason::Complaint,
            "crisis" => HandoverReason::Crisis,
            "withdrawal" => HandoverReason::Withdrawal,
            "privacy" => HandoverReason::Privacy,
            _ => HandoverReason::Request,
        }
    }
}

/// The agent holding a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRef {
    /// Login name.
    pub id: AgentId,
    /// The name the customer sees ("Sanne").
    pub display_name: String,
}

/// A snapshot of one conversation: everything the rules need, nothing of its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Its id.
    pub id: ConversationId,
    /// The customer's language.
    pub locale: Locale,
    /// Who is talking.
    pub state: ConversationState,
    /// The agent holding it, in `with_agent`.
    pub assigned_agent: Option<AgentRef>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// Last message from the customer or to the customer.
    pub last_activity_at: DateTime<Utc>,
    /// When the disclosure was last shown; set by [`Conversation::start`], never cleared.
    pub last_disclosure_at: Option<DateTime<Utc>>,
    /// When the customer joined the queue, in `waiting_for_agent`.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Why a person was asked for, while waiting or with an agent; cleared when the bot takes
    /// over again or the conversation closes.
    #[serde(default)]
    pub handover_reason: Option<HandoverReason>,
    /// Abstentions in a row, reset by an answer (HUM-06).
    pub consecutive_abstentions: u32,
    /// Fingerprint of the last question the bot handled, to notice a repeated question.
    pub last_question_fingerprint: Option<String>,
    /// Optimistic-concurrency version; the store increments it on every commit.
    pub version: i64,
}

/// Rules that come from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Minutes of inactivity after which the disclosure is shown again.
    pub disclosure_idle_minutes: u32,
    /// Abstentions in a row after which a person is offered.
    pub abstentions_before_offer: u32,
}

/// What the inbound guards and the intent detector concluded about a customer message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TurnIntent {
    /// An ordinary message.
    #[default]
    Other,
    /// The customer asks for a person (HUM-02).
    HumanRequest,
    /// A complaint, dispute or legal claim: always a person (HUM-07).
    Complaint,
    /// Expressed crisis or vulnerability: help numbers and a person (HUM-07).
    Crisis,
    /// "Are you a person?" (DIS-06).
    BotIdentityQuestion,
}

/// How an answer's wording came about (recorded in the audit log, ACC-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phrasing {
    /// The approved text of the knowledge base, verbatim.
    #[default]
    Approved,
    /// Written by the configured model from the cited passages; every sentence passed the
    /// grounding verifier and the output guard.
    Generated,
    /// A model was asked but its text was not used; the approved text was sent. The reason is a
    /// stable name, the detail a finer one (a verifier reason or a model error).
    Fallback {
        /// Why the model's text was not used.
        reason: &'static str,
        /// The finer reason, when there is one.
        detail: Option<&'static str>,
    },
}

/// The knowledge base's reply, computed by the caller only when [`Conversation::bot_may_answer`].
#[derive(Debug, Clone, PartialEq)]
pub enum BotReply {
    /// The bot was not asked (state, or a guard stopped it).
    NotAsked,
    /// An approved answer with its sources.
    Answer {
        /// The approved text.
        text: String,
        /// The knowledge entry that answered.
        entry_id: String,
        /// The sources shown to the customer.
        citations: Vec<Citation>,
        /// Calibrated confidence.
        confidence: f32,
        /// The language of the approved text (it may differ from the conversation's when the
        /// customer asked in the other language).
        lang: Locale,
        /// Approved text or a verified generated one.
        phrasing: Phrasing,
    },
    /// Not sure enough.
    Abstain {
        /// Calibrated confidence of the best candidate.
        confidence: f32,
        /// Approved questions near the customer's, offered with the abstention.
        suggestions: Vec<Suggestion>,
    },
    /// The output guard blocked the answer (for example a claim to be human); treated as an
    /// abstention towards the customer.
    Blocked {
        /// Why, as a stable name.
        reason: &'static str,
    },
}

/// A customer message after the inbound guards.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerTurn {
    /// The pseudonymised text to store: originals never reach storage.
    pub text: String,
    /// The language the customer wrote in, as far as it can be told (else the conversation's).
    pub lang: Locale,
    /// What the message asks for.
    pub intent: TurnIntent,
    /// The customer shared special-category or high-risk data: show the privacy warning.
    pub privacy_warning: bool,
    /// The injection detector flagged the message: do not answer it, offer a person.
    pub injection_flagged: bool,
    /// The customer stated that they withdraw from, or cancel, a purchase or contract (ACC-04):
    /// the company's local wall-clock time of receipt, for the acknowledgement.
    pub withdrawal_received: Option<NaiveDateTime>,
    /// The customer asks for personal advice on a topic the company does not advise on
    /// through the chat (ACC-10): declined with a person offered, never answered.
    pub advice_declined: Option<AdviceTopic>,
    /// The customer made a data subject's request (HUM-07): told that a person handles it, and
    /// handed to one.
    pub rights_request: Option<RequestedRight>,
    /// Fingerprint of the normalised question (no text), to notice repetition.
    pub fingerprint: String,
    /// The knowledge base's reply, if it was asked.
    pub reply: BotReply,
    /// Whether a person could take over right now.
    pub availability: Availability,
}

/// Something that happens to a conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The customer wrote.
    Customer(CustomerTurn),
    /// The customer used the "talk to a person" control.
    PersonRequested {
        /// Whether a person can take over.
        availability: Availability,
    },
    /// An agent claims the conversation from the queue.
    AgentClaimed {
        /// The agent.
        agent: AgentRef,
    },
    /// The holding agent writes.
    AgentMessage {
        /// Who writes.
        agent: AgentId,
        /// The text as the agent typed it.
        text: String,
    },
    /// The holding agent gives the conversation back to the AI assistant.
    HandBack {
        /// Who hands back.
        agent: AgentId,
    },
    /// The holding agent disconnected; the conversation returns to the queue.
    AgentLeft {
        /// Who left.
        agent: AgentId,
        /// The position the customer gets in the queue.
        position: u32,
    },
    /// The customer waited longer than the configured timeout.
    WaitTimedOut {
        /// When people are back, if known.
        availability: Availability,
    },
    /// The customer left a callback or e-mail request.
    TicketCreated {
        /// The ticket's id.
        ticket_id: String,
    },
    /// An agent closes the conversation.
    Close {
        /// Who closes.
        agent: AgentId,
    },
}

/// The outcome of one event: the new snapshot plus what to store and audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The conversation after the event.
    pub conversation: Conversation,
    /// Messages to store, in order.
    pub messages: Vec<NewMessage>,
    /// Audit events to append, in order, in the same transaction.
    pub audit: Vec<AuditEvent>,
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The conversation is not waiting for an agent (already claimed, or not in the queue).
    #[error("the conversation is not waiting for an agent")]
    NotWaiting,
    /// The agent does not hold the conversation.
    #[error("the agent does not hold this conversation")]
    NotAssigned,
    /// An AI-authored message was about to be emitted before any disclosure. Unreachable through
    /// this module's API; kept as a checked invariant rather than an assumption.
    #[error("an AI message cannot precede the AI disclosure")]
    DisclosureMissing,
}

impl Conversation {
    /// Opens a conversation. Its first message is the disclosure (DIS-01), recorded as an audit
    /// event with locale and template version (DIS-12).
    pub fn start(id: ConversationId, locale: Locale, now: DateTime<Utc>, wording: &Wording) -> Transition {
        let conversation = Conversation {
            id,
            locale,
            state: ConversationState::Bot,
            assigned_agent: None,
            created_at: now,
            last_activity_at: now,
            last_disclosure_at: None,
            waiting_since: None,
            handover_reason: None,
            consecutive_abstentions: 0,
            last_question_fingerprint: None,
            version: 0,
        };
        let mut outbox = Outbox::new(conversation, now, wording);
        outbox.audit(AuditKind::ConversationStarted, "customer", |event| {
            event.attribute("locale", locale.as_str())
        });
        outbox.disclose();
        outbox.finish()
    }

    /// True when the bot may answer the next customer message from the knowledge base: only in
    /// `bot` (or `closed`, which a customer message reopens).
    pub fn bot_may_answer(&self) -> bool {
        matches!(self.state, ConversationState::Bot | ConversationState::Closed)
    }

    /// Applies an event at `now`.
    pub fn apply(
        self,
        event: Event,
        now: DateTime<Utc>,
        wording: &Wording,
        rules: Rules,
    ) -> Result<Transition, TransitionError> {
        let idle = self
            .last_activity_at
            .checked_add_signed(Duration::minutes(i64::from(rules.disclosure_idle_minutes)))
            .is_none_or(|limit| now > limit);
        let mut outbox = Outbox::new(self, now, wording);
        match event {
            Event::Customer(turn) => outbox.customer_turn(turn, idle, rules)?,
            Event::PersonRequested { availability } => {
                outbox.resume_if_needed(idle);
                outbox.request_person(availability, "button")?;
            }
            Event::AgentClaimed { agent } => outbox.claim(agent)?,
            Event::AgentMessage { agent, text } => {
                let agent = outbox.holding_agent(&agent)?;
                let label = wording.agent_label(outbox.locale(), &agent.display_name);
                outbox.push(Author::Agent, MessageKind::Text, text, label)?;
            }
            Event::HandBack { agent } => {
                outbox.holding_agent(&agent)?;
                outbox.conversation.state = ConversationState::Bot;
                outbox.conversation.assigned_agent = None;
                outbox.conversation.handover_reason = None;
                outbox.conversation.consecutive_abstentions = 0;
                let text = wording.back_to_bot(outbox.locale());
                outbox.system(MessageKind::Handoff, text, false)?;
                outbox.audit(AuditKind::HandBack, format!("agent:{agent}"), |event| event);
                outbox.disclose();
            }
            Event::AgentLeft { agent, position } => {
                outbox.holding_agent(&agent)?;
                outbox.conversation.state = ConversationState::WaitingForAgent;
                outbox.conversation.assigned_agent = None;
                outbox.conversation.waiting_since = Some(now);
                let text = wording.agent_left(outbox.locale(), position);
                outbox.system(MessageKind::Handoff, text, false)?;
                outbox.audit(AuditKind::AgentLeft, format!("agent:{agent}"), |event| event);
            }
            Event::WaitTimedOut { availability } => {
                if outbox.conversation.state != ConversationState::WaitingForAgent {
                    return Err(TransitionError::NotWaiting);
                }
                outbox.unavailable(availability, "timeout")?;
            }
            Event::TicketCreated { ticket_id } => {
                let text = wording.ticket_created(outbox.locale());
                outbox.system(MessageKind::Ticket, text, false)?;
                outbox.audit(AuditKind::TicketCreated, "customer", |event| event.id(ticket_id));
            }
            Event::Close { agent } => {
                if outbox.conversation.state == ConversationState::WithAgent {
                    outbox.holding_agent(&agent)?;
                }
                outbox.conversation.state = ConversationState::Closed;
                outbox.conversation.assigned_agent = None;
                outbox.conversation.waiting_since = None;
                outbox.conversation.handover_reason = None;
                let text = wording.closed(outbox.locale());
                outbox.system(MessageKind::Notice, text, false)?;
                outbox.audit(AuditKind::ConversationClosed, format!("agent:{agent}"), |event| event);
            }
        }
        Ok(outbox.finish())
    }
}

/// Collects the messages and audit events of one transition and enforces the disclosure rule.
struct Outbox<'w> {
    conversation: Conversation,
    now: DateTime<Utc>,
    wording: &'w Wording,
    messages: Vec<NewMessage>,
    audit: Vec<AuditEvent>,
}

impl<'w> Outbox<'w> {
    fn new(conversation: Conversation, now: DateTime<Utc>, wording: &'w Wording) -> Self {
        Self {
            conversation,
            now,
            wording,
            messages: Vec::new(),
            audit: Vec::new(),
        }
    }

    fn locale(&self) -> Locale {
        self.conversation.locale
    }

    fn finish(mut self) -> Transition {
        if !self.messages.is_empty() {
            self.conversation.last_activity_at = self.now;
        }
        Transition {
            conversation: self.conversation,
            messages: self.messages,
            audit: self.audit,
        }
    }

    /// Appends a message. AI-authored messages are refused until a disclosure was shown.
    fn push(&mut self, author: Author, kind: MessageKind, text: String, label: String) -> Result<(), TransitionError> {
        if author == Author::Ai && self.conversation.last_disclosure_at.is_none() {
            return Err(TransitionError::DisclosureMissing);
        }
        let offers_human = matches!(
            kind,
            MessageKind::Abstention | MessageKind::Unavailable | MessageKind::Identity
        ) || (author == Author::Ai && kind == MessageKind::Notice);
        self.messages.push(NewMessage {
            author,
            kind,
            text,
            author_label: label,
            lang: self.locale(),
            citations: Vec::new(),
            offers_human,
            generated_by: None,
            suggestions: Vec::new(),
        });
        Ok(())
    }

    fn system(&mut self, kind: MessageKind, text: String, offers_human: bool) -> Result<(), TransitionError> {
        let label = self.wording.system_label(self.locale()).to_string();
        self.push(Author::System, kind, text, label)?;
        if offers_human && let Some(last) = self.messages.last_mut() {
            last.offers_human = true;
        }
        Ok(())
    }

    fn ai(&mut self, kind: MessageKind, text: String) -> Result<&mut NewMessage, TransitionError> {
        let label = self.wording.bot_name(self.locale()).to_string();
        self.push(Author::Ai, kind, text, label)?;
        self.messages.last_mut().ok_or(TransitionError::DisclosureMissing)
    }

    fn audit(&mut self, kind: AuditKind, actor: impl Into<String>, build: impl FnOnce(AuditEvent) -> AuditEvent) {
        let event = AuditEvent::new(kind, Some(&self.conversation.id), actor);
        self.audit.push(build(event));
    }

    /// Shows the disclosure and records it (DIS-01, DIS-05, DIS-12).
    fn disclose(&mut self) {
        let locale = self.locale();
        let text = self.wording.disclosure(locale).to_string();
        let label = self.wording.system_label(locale).to_string();
        self.messages.push(NewMessage {
            author: Author::System,
            kind: MessageKind::Disclosure,
            text,
            author_label: label,
            lang: locale,
            citations: Vec::new(),
            offers_human: true,
            generated_by: None,
            suggestions: Vec::new(),
        });
        self.conversation.last_disclosure_at = Some(self.now);
        let version = self.wording.disclosure_version().to_string();
        self.audit(AuditKind::DisclosureShown, "system", |event| {
            event
                .attribute("locale", locale.as_str())
                .attribute("template_version", version)
                .attribute("channel", "web")
        });
    }

    /// A conversation resumed after idle time, or reopened after being closed, starts with the
    /// disclosure again (DIS-05).
    fn resume_if_needed(&mut self, idle: bool) {
        if self.conversation.state == ConversationState::Closed {
            self.conversation.state = ConversationState::Bot;
            self.disclose();
        } else if idle && self.conversation.state == ConversationState::Bot {
            self.disclose();
        }
    }

    fn customer_turn(&mut self, mut turn: CustomerTurn, idle: bool, rules: Rules) -> Result<(), TransitionError> {
        let label = self.wording.customer_label(self.locale()).to_string();
        self.push(
            Author::Customer,
            MessageKind::Text,
            std::mem::take(&mut turn.text),
            label,
        )?;
        if let Some(message) = self.messages.last_mut() {
            message.lang = turn.lang;
        }
        self.resume_if_needed(idle);
        let locale = self.locale();

        if turn.privacy_warning {
            let text = self.wording.privacy_warning(locale);
            self.system(MessageKind::PrivacyWarning, text, true)?;
            self.audit(AuditKind::PrivacyWarning, "system", |event| event);
        }

        // A withdrawal or cancellation statement is acknowledged in every state, whatever else
        // the message says, and never answered by the bot: a person handles it (ACC-04).
        if let Some(received) = turn.withdrawal_received {
            let state = self.conversation.state;
            let text = self
                .wording
                .withdrawal_receipt(locale, received, state == ConversationState::WithAgent);
            self.system(MessageKind::WithdrawalReceipt, text, false)?;
            self.audit(AuditKind::WithdrawalStatement, "customer", |event| {
                event.attribute("state", state.as_str())
            });
        }

        // A data subject's request is acknowledged in every state and never answered by the
        // bot: a person handles it (HUM-07, PRIV-07).
        if let Some(requested) = turn.rights_request {
            let state = self.conversation.state;
            let connecting = state == ConversationState::Bot
                && matches!(turn.availability, Availability::Open { .. })
                && !matches!(turn.intent, TurnIntent::Crisis);
            let text = self.wording.rights_request(locale, requested, connecting);
            self.system(MessageKind::Notice, text, false)?;
            self.audit(AuditKind::RightsRequestReceived, "customer", |event| {
                event
                    .attribute("right", requested.as_str())
                    .attribute("state", state.as_str())
            });
        }

        let raised = [
            turn.rights_request.map(|_| HandoverReason::Privacy),
            turn.withdrawal_received.map(|_| HandoverReason::Withdrawal),
        ];
        self.route_turn(turn, locale, rules)?;
        // Whatever the turn did, the queue shows a person why: "I want a person to delete my
        // data" waits as a privacy request, not as a plain one.
        for reason in raised.into_iter().flatten() {
            self.raise_handover_reason(reason);
        }
        Ok(())
    }

    /// Routes a customer message after its acknowledgements: to a person, to a fixed answer,
    /// or to the knowledge base's reply.
    fn route_turn(&mut self, turn: CustomerTurn, locale: Locale, rules: Rules) -> Result<(), TransitionError> {
        let bot_talking = self.conversation.state == ConversationState::Bot;
        match turn.intent {
            TurnIntent::HumanRequest => return self.request_person(turn.availability, "text"),
            TurnIntent::Complaint if bot_talking => return self.request_person(turn.availability, "complaint"),
            TurnIntent::Crisis => {
                let connecting = matches!(turn.availability, Availability::Open { .. })
                    && self.conversation.state != ConversationState::WithAgent;
                let text = self.wording.crisis(locale, connecting);
                self.system(MessageKind::Notice, text, true)?;
                return self.request_person(turn.availability, "crisis");
            }
            _ if bot_talking && turn.withdrawal_received.is_some() => {
                return self.request_person(turn.availability, "withdrawal");
            }
            _ if bot_talking && turn.rights_request.is_some() => {
                return self.request_person(turn.availability, "privacy");
            }
            TurnIntent::BotIdentityQuestion if bot_talking => {
                let text = self.wording.identity_answer(locale);
                self.ai(MessageKind::Identity, text)?;
                self.audit(AuditKind::IdentityAnswered, "system", |event| event);
                return Ok(());
            }
            TurnIntent::Complaint | TurnIntent::BotIdentityQuestion | TurnIntent::Other => {}
        }

        match self.conversation.state {
            ConversationState::WithAgent | ConversationState::Closed => return Ok(()),
            ConversationState::WaitingForAgent => {
                let position = match turn.availability {
                    Availability::Open { position, .. } => position,
                    Availability::Closed { .. } => 1,
                };
                let text = self.wording.still_waiting(locale, position);
                return self.system(MessageKind::Notice, text, false);
            }
            ConversationState::Bot => {}
        }

        if turn.injection_flagged {
            let text = self.wording.refusal(locale);
            self.ai(MessageKind::Notice, text)?;
            self.audit(AuditKind::InjectionFlagged, "system", |event| event);
            return Ok(());
        }

        // A request for advice the company may not give through a chatbot is declined, with a
        // person offered in the same message, whatever the knowledge base holds (ACC-10).
        if let Some(topic) = turn.advice_declined {
            let text = self.wording.advice_declined(locale, topic);
            self.ai(MessageKind::Notice, text)?;
            self.audit(AuditKind::AdviceDeclined, "system", |event| {
                event.attribute("topic", topic.as_str())
            });
            return Ok(());
        }

        let repeated = self.conversation.last_question_fingerprint.as_deref() == Some(turn.fingerprint.as_str());
        self.conversation.last_question_fingerprint = Some(turn.fingerprint);
        match turn.reply {
            BotReply::Answer {
                text,
                entry_id,
                citations,
                confidence,
                lang,
                phrasing,
            } => {
                let ids: Vec<String> = citations.iter().map(|citation| citation.id.clone()).collect();
                let message = self.ai(MessageKind::Answer, text)?;
                message.citations = citations;
                message.lang = lang;
                self.conversation.consecutive_abstentions = 0;
                self.audit(AuditKind::AiAnswer, "system", |mut event| {
                    event.ids = ids;
                    let event = event
                        .attribute("entry_id", entry_id)
                        .count("confidence_permille", (confidence * 1000.0) as i64);
                    match phrasing {
                        Phrasing::Approved => event.attribute("phrasing", "approved"),
                        Phrasing::Generated => event.attribute("phrasing", "generated"),
                        Phrasing::Fallback { reason, detail } => {
                            let event = event
                                .attribute("phrasing", "fallback")
                                .attribute("fallback_reason", reason);
                            match detail {
                                Some(detail) => event.attribute("fallback_detail", detail),
                                None => event,
                            }
                        }
                    }
                });
                if repeated {
                    self.offer_person("repeated_question")?;
                }
            }
            BotReply::Abstain {
                confidence,
                suggestions,
            } => {
                self.abstain(confidence, "low_confidence", repeated, rules, suggestions)?;
            }
            BotReply::Blocked { reason } => {
                self.audit(AuditKind::OutputBlocked, "system", |event| {
                    event.attribute("reason", reason)
                });
                self.abstain(0.0, reason, repeated, rules, Vec::new())?;
            }
            BotReply::NotAsked => {
                self.abstain(0.0, "not_asked", repeated, rules, Vec::new())?;
            }
        }
        Ok(())
    }

    /// Says the bot cannot answer reliably, with the approved questions near the customer's
    /// (`suggestions`, possibly none) for the customer to pick instead of rephrasing.
    fn abstain(
        &mut self,
        confidence: f32,
        reason: &str,
        repeated: bool,
        rules: Rules,
        suggestions: Vec<Suggestion>,
    ) -> Result<(), TransitionError> {
        let text = self.wording.abstention(self.locale());
        let offered = suggestions.len() as i64;
        self.ai(MessageKind::Abstention, text)?.suggestions = suggestions;
        self.conversation.consecutive_abstentions += 1;
        let streak = self.conversation.consecutive_abstentions;
        self.audit(AuditKind::Abstention, "system", |event| {
            event
                .attribute("reason", reason)
                .count("confidence_permille", (confidence * 1000.0) as i64)
                .count("streak", i64::from(streak))
                .count("suggested", offered)
        });
        if streak >= rules.abstentions_before_offer {
            self.offer_person("abstention_streak")?;
        } else if repeated {
            self.offer_person("repeated_question")?;
        }
        Ok(())
    }

    /// The bot offers a person on its own (HUM-06).
    fn offer_person(&mut self, reason: &str) -> Result<(), TransitionError> {
        let text = self.wording.offer_person(self.locale());
        self.ai(MessageKind::Notice, text)?;
        self.audit(AuditKind::HumanOffered, "system", |event| {
            event.attribute("reason", reason)
        });
        Ok(())
    }

    /// While a person holds the conversation or is awaited, a more urgent reason replaces the
    /// one the queue shows (a withdrawal statement typed while waiting, say).
    fn raise_handover_reason(&mut self, reason: HandoverReason) {
        if matches!(
            self.conversation.state,
            ConversationState::WithAgent | ConversationState::WaitingForAgent
        ) && self.conversation.handover_reason.is_none_or(|current| current < reason)
        {
            self.conversation.handover_reason = Some(reason);
        }
    }

    /// A request for a person, in any state (HUM-02): handed over at once, or told truthfully
    /// that nobody is available with the alternatives (HUM-04).
    fn request_person(&mut self, availability: Availability, trigger: &str) -> Result<(), TransitionError> {
        let locale = self.locale();
        let reason = HandoverReason::of_trigger(trigger);
        // A crisis after a plain request, say: the person must see the more urgent reason.
        self.raise_handover_reason(reason);
        match self.conversation.state {
            ConversationState::WithAgent => {
                let name = self
                    .conversation
                    .assigned_agent
                    .as_ref()
                    .map(|agent| agent.display_name.clone())
                    .unwrap_or_default();
                let text = self.wording.already_with_agent(locale, &name);
                return self.system(MessageKind::Notice, text, false);
            }
            ConversationState::WaitingForAgent => {
                let position = match availability {
                    Availability::Open { position, .. } => position,
                    Availability::Closed { .. } => 1,
                };
                let text = self.wording.still_waiting(locale, position);
                return self.system(MessageKind::Notice, text, false);
            }
            ConversationState::Closed => {
                self.conversation.state = ConversationState::Bot;
                self.disclose();
            }
            ConversationState::Bot => {}
        }
        self.audit(AuditKind::HandoffRequested, "customer", |event| {
            event.attribute("trigger", trigger)
        });
        match availability {
            Availability::Open {
                position,
                estimated_wait_minutes,
            } => {
                self.conversation.state = ConversationState::WaitingForAgent;
                self.conversation.waiting_since = Some(self.now);
                self.conversation.handover_reason = Some(reason);
                let text = self.wording.handoff_requested(locale, position, estimated_wait_minutes);
                self.system(MessageKind::Handoff, text, false)
            }
            closed @ Availability::Closed { .. } => self.unavailable(closed, trigger),
        }
    }

    fn unavailable(&mut self, availability: Availability, trigger: &str) -> Result<(), TransitionError> {
        let Availability::Closed { next_open, reason } = availability else {
            return Ok(());
        };
        self.conversation.state = ConversationState::Bot;
        self.conversation.waiting_since = None;
        self.conversation.handover_reason = None;
        let text = self.wording.unavailable(self.locale(), next_open, reason);
        self.system(MessageKind::Unavailable, text, true)?;
        self.audit(AuditKind::HandoffUnavailable, "system", |event| {
            event.attribute("reason", reason.as_str()).attribute("trigger", trigger)
        });
        Ok(())
    }

    fn claim(&mut self, agent: AgentRef) -> Result<(), TransitionError> {
        if self.conversation.state != ConversationState::WaitingForAgent {
            return Err(TransitionError::NotWaiting);
        }
        let waited = self
            .conversation
            .waiting_since
            .map(|since| (self.now - since).num_seconds().max(0))
            .unwrap_or(0);
        self.conversation.state = ConversationState::WithAgent;
        self.conversation.waiting_since = None;
        let text = self.wording.agent_joined(self.locale(), &agent.display_name);
        let actor = format!("agent:{}", agent.id);
        self.conversation.assigned_agent = Some(agent);
        self.system(MessageKind::Handoff, text, false)?;
        self.audit(AuditKind::HandoffAccepted, actor, |event| {
            event.count("wait_seconds", waited)
        });
        Ok(())
    }

    fn holding_agent(&self, agent: &AgentId) -> Result<AgentRef, TransitionError> {
        match (&self.conversation.state, &self.conversation.assigned_agent) {
            (ConversationState::WithAgent, Some(holder)) if &holder.id == agent => Ok(holder.clone()),
            _ => Err(TransitionError::NotAssigned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::{ClosedReason, NextOpen};
    use crate::config::Config;
    use proptest::prelude::*;

    const RULES: Rules = Rules {
        disclosure_idle_minutes: 30,
        abstentions_before_offer: 2,
    };

    fn wording() -> Wording {
        Wording::new(&Config::default()).unwrap()
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + minutes * 60, 0).unwrap()
    }

    fn open() -> Availability {
        Availability::Open {
            position: 1,
            estimated_wait_minutes: Some(3),
        }
    }

    fn closed() -> Availability {
        let next = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        Availability::Closed {
            next_open: Some(NextOpen { at: next }),
            reason: ClosedReason::OutsideHours,
        }
    }

    fn started(locale: Locale) -> Conversation {
        let id = ConversationId::parse("01900000-0000-7000-8000-000000000001").unwrap();
        Conversation::start(id, locale, at(0), &wording()).conversation
    }

    fn turn(intent: TurnIntent, reply: BotReply, availability: Availability) -> Event {
        Event::Customer(CustomerTurn {
            text: "vraag".into(),
            lang: Locale::Nl,
            intent,
            privacy_warning: false,
            injection_flagged: false,
            withdrawal_received: None,
            rights_request: None,
            advice_declined: None,
            fingerprint: format!("{intent:?}{reply:?}"),
            reply,
            availability,
        })
    }

    fn answer() -> BotReply {
        BotReply::Answer {
            text: "U heeft 14 dagen bedenktijd.".into(),
            entry_id: "retour-nl".into(),
            citations: vec![Citation {
                id: "retour-nl".into(),
                title: "Retourneren".into(),
                url: None,
            }],
            confidence: 0.9,
            lang: Locale::Nl,
            phrasing: Phrasing::Approved,
        }
    }

    fn kinds(transition: &Transition) -> Vec<(Author, MessageKind)> {
        transition
            .messages
            .iter()
            .map(|message| (message.author, message.kind))
            .collect()
    }

    fn sanne() -> AgentRef {
        AgentRef {
            id: AgentId::parse("sanne").unwrap(),
            display_name: "Sanne".into(),
        }
    }

    /// A Dutch conversation waiting for a person since minute 1.
    fn waiting() -> Conversation {
        started(Locale::Nl)
            .apply(
                Event::PersonRequested { availability: open() },
                at(1),
                &wording(),
                RULES,
            )
            .unwrap()
            .conversation
    }

    /// A Dutch conversation that Sanne claimed at minute 2 after a request at minute 1.
    fn held_by_sanne() -> Conversation {
        waiting()
            .apply(Event::AgentClaimed { agent: sanne() }, at(2), &wording(), RULES)
            .unwrap()
            .conversation
    }

    #[test]
    fn first_message_is_the_disclosure_in_the_conversation_locale_dis_01() {
        for locale in Locale::ALL {
            let id = ConversationId::parse("01900000-0000-7000-8000-000000000001").unwrap();
            let transition = Conversation::start(id, locale, at(0), &wording());
            assert_eq!(kinds(&transition), vec![(Author::System, MessageKind::Disclosure)]);
            assert_eq!(transition.messages[0].lang, locale);
            assert!(transition.messages[0].offers_human);
            let shown = transition
                .audit
                .iter()
                .find(|event| event.kind == AuditKind::DisclosureShown)
                .unwrap();
            assert_eq!(shown.attributes["locale"], locale.as_str());
            assert_eq!(shown.attributes["template_version"], "2026-11-default");
        }
    }

    #[test]
    fn an_ai_message_before_any_disclosure_is_refused_dis_01() {
        let mut conversation = started(Locale::Nl);
        conversation.last_disclosure_at = None;
        let result = conversation.apply(turn(TurnIntent::Other, answer(), open()), at(1), &wording(), RULES);
        assert_eq!(result, Err(TransitionError::DisclosureMissing));
    }

    #[test]
    fn an_answer_carries_its_citations_and_is_audited_with_ids_only() {
        let transition = started(Locale::Nl)
            .apply(turn(TurnIntent::Other, answer(), open()), at(1), &wording(), RULES)
            .unwrap();
        assert_eq!(
            kinds(&transition),
            vec![(Author::Customer, MessageKind::Text), (Author::Ai, MessageKind::Answer)]
        );
        assert_eq!(transition.messages[1].citations.len(), 1);
        assert_eq!(transition.messages[1].author_label, "AI-assistent");
        let audited = transition
            .audit
            .iter()
            .find(|event| event.kind == AuditKind::AiAnswer)
            .unwrap();
        assert_eq!(audited.ids, vec!["retour-nl".to_string()]);
    }

    fn withdrawal(intent: TurnIntent, availability: Availability) -> Event {
        let Event::Customer(mut customer) = turn(intent, BotReply::NotAsked, availability) else {
            unreachable!("turn() makes a customer event")
        };
        customer.withdrawal_received = Some(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .unwrap()
                .and_hms_opt(14, 5, 0)
                .unwrap(),
        );
        Event::Customer(customer)
    }

    fn rights_request(intent: TurnIntent, right: crate::rights::Right, availability: Availability) -> Event {
        let Event::Customer(mut customer) = turn(intent, BotReply::NotAsked, availability) else {
            unreachable!("turn() makes a customer event")
        };
        customer.rights_request = Some(RequestedRight::Named(right));
        Event::Customer(customer)
    }

    /// HUM-07: a data subject's request typed in the chat gets a fixed acknowledgement (a person
    /// handles it, the month, the widget's controls) and goes to a person; it waits in the queue
    /// as a privacy request, also when the customer asked for a person in the same words; a
    /// person is promised only when one is coming; a person holding the conversation is told by
    /// the queue label, without a second handover.
    #[test]
    fn a_data_subjects_request_is_acknowledged_and_goes_to_a_person_hum_07() {
        use crate::rights::Right;
        let transition = started(Locale::Nl)
            .apply(
                rights_request(TurnIntent::Other, Right::Erasure, open()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(
            kinds(&transition),
            vec![
                (Author::Customer, MessageKind::Text),
                (Author::System, MessageKind::Notice),
                (Author::System, MessageKind::Handoff),
            ]
        );
        let receipt = &transition.messages[1].text;
        for part in [
            "Uw verzoek om verwijdering van uw gegevens behandelt een medewerker, niet de AI-assistent.",
            "een maand",
            "'Gesprek wissen'",
            "Wij brengen u in contact met een medewerker.",
        ] {
            assert!(receipt.contains(part), "{part:?} in {receipt}");
        }
        assert_eq!(transition.conversation.state, ConversationState::WaitingForAgent);
        assert_eq!(transition.conversation.handover_reason, Some(HandoverReason::Privacy));
        let received = transition
            .audit
            .iter()
            .find(|event| event.kind == AuditKind::RightsRequestReceived)
            .unwrap();
        assert_eq!(received.attribute_text("right"), Some("erasure"));
        assert_eq!(received.attribute_text("state"), Some("bot"));
        let requested = transition
            .audit
            .iter()
            .find(|event| event.kind == AuditKind::HandoffRequested)
            .unwrap();
        assert_eq!(requested.attribute_text("trigger"), Some("privacy"));

        // "Ik wil een medewerker spreken over het wissen van mijn gegevens": a privacy request.
        let asked = started(Locale::En)
            .apply(
                rights_request(TurnIntent::HumanRequest, Right::Access, open()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(asked.conversation.handover_reason, Some(HandoverReason::Privacy));
        assert!(
            asked.messages[1]
                .text
                .starts_with("Your request for access to your data is handled by a member of staff")
        );

        // Nobody available: no promise, the alternatives follow.
        let closed = started(Locale::Nl)
            .apply(
                rights_request(TurnIntent::Other, Right::Objection, closed()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert!(
            !closed.messages[1].text.contains("Wij brengen u in contact"),
            "{}",
            closed.messages[1].text
        );
        assert_eq!(closed.messages.last().unwrap().kind, MessageKind::Unavailable);
        assert_eq!(closed.conversation.state, ConversationState::Bot);

        // Held by a person: acknowledged, the label raised, no handover message.
        let held = held_by_sanne()
            .apply(
                rights_request(TurnIntent::Other, Right::Access, open()),
                at(5),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(
            kinds(&held),
            vec![
                (Author::Customer, MessageKind::Text),
                (Author::System, MessageKind::Notice)
            ]
        );
        assert!(!held.messages[1].text.contains("Wij brengen u in contact"));
        assert_eq!(held.conversation.handover_reason, Some(HandoverReason::Privacy));
        assert_eq!(held.conversation.state, ConversationState::WithAgent);
    }

    /// A withdrawal statement typed while waiting for a person raises the queue's label, as a
    /// crisis does: the person sees it before opening the conversation (ACC-04, HUM-07).
    #[test]
    fn a_withdrawal_statement_typed_while_waiting_raises_the_queue_label_acc_04() {
        let waiting = waiting();
        assert_eq!(waiting.handover_reason, Some(HandoverReason::Request));
        let raised = waiting
            .apply(withdrawal(TurnIntent::Other, open()), at(3), &wording(), RULES)
            .unwrap();
        assert_eq!(raised.conversation.state, ConversationState::WaitingForAgent);
        assert_eq!(raised.conversation.handover_reason, Some(HandoverReason::Withdrawal));
        // A later data subject's request does not lower it.
        let kept = raised
            .conversation
            .apply(
                rights_request(TurnIntent::Other, crate::rights::Right::Access, open()),
                at(4),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(kept.conversation.handover_reason, Some(HandoverReason::Withdrawal));
    }

    #[test]
    fn the_data_protection_officer_is_named_when_the_company_has_one_hum_07() {
        let mut config = Config::default();
        config.privacy.dpo_contact = Some("fg@despaak.example".into());
        let wording = Wording::new(&config).unwrap();
        let text = wording.rights_request(Locale::Nl, RequestedRight::Unnamed, false);
        assert!(
            text.starts_with("Uw verzoek over uw persoonsgegevens behandelt een medewerker"),
            "{text}"
        );
        assert!(
            text.ends_with("functionaris gegevensbescherming: fg@despaak.example."),
            "{text}"
        );
        assert!(
            !self::wording()
                .rights_request(Locale::En, RequestedRight::Unnamed, false)
                .contains("data protection officer")
        );
    }

    #[test]
    fn a_withdrawal_statement_is_acknowledged_with_its_time_and_goes_to_a_person_acc_04() {
        let transition = started(Locale::Nl)
            .apply(withdrawal(TurnIntent::Other, open()), at(1), &wording(), RULES)
            .unwrap();
        assert_eq!(
            kinds(&transition),
            vec![
                (Author::Customer, MessageKind::Text),
                (Author::System, MessageKind::WithdrawalReceipt),
                (Author::System, MessageKind::Handoff),
            ]
        );
        let receipt = &transition.messages[1].text;
        assert!(receipt.contains("maandag 7-12-2026 om 14:05"), "{receipt}");
        assert!(receipt.contains("Fietsenwinkel De Spaak"), "{receipt}");
        assert_eq!(transition.conversation.state, ConversationState::WaitingForAgent);
        let statement = transition
            .audit
            .iter()
            .find(|event| event.kind == AuditKind::WithdrawalStatement)
            .unwrap();
        assert_eq!(statement.attributes.get("state").map(String::as_str), Some("bot"));
        let handoff = transition
            .audit
            .iter()
            .find(|event| event.kind == AuditKind::HandoffRequested)
            .unwrap();
        assert_eq!(
            handoff.attributes.get("trigger").map(String::as_str),
            Some("withdrawal")
        );

        let closed = started(Locale::En)
            .apply(
                withdrawal(TurnIntent::BotIdentityQuestion, closed()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(closed.messages[1].kind, MessageKind::WithdrawalReceipt);
        assert!(closed.messages[1].text.contains("Monday 7 December 2026 at 14:05"));
        assert_eq!(closed.messages.last().unwrap().kind, MessageKind::Unavailable);
    }

    fn advice(topic: AdviceTopic, reply: BotReply) -> Event {
        let Event::Customer(mut customer) = turn(TurnIntent::Other, reply, open()) else {
            unreachable!("turn() makes a customer event")
        };
        customer.advice_declined = Some(topic);
        Event::Customer(customer)
    }

    #[test]
    fn a_request_for_advice_is_declined_with_a_person_offered_not_answered_acc_10() {
        // Even when the caller passed an answer, the request is declined.
        let transition = started(Locale::Nl)
            .apply(advice(AdviceTopic::Investment, answer()), at(1), &wording(), RULES)
            .unwrap();
        assert_eq!(
            kinds(&transition),
            vec![(Author::Customer, MessageKind::Text), (Author::Ai, MessageKind::Notice)]
        );
        let reply = &transition.messages[1];
        assert!(reply.offers_human);
        assert!(
            reply.text.contains("AI-assistent") && reply.text.contains("beleggen"),
            "{}",
            reply.text
        );
        assert!(reply.text.contains("Praat met een medewerker"), "{}", reply.text);
        let declined: Vec<&AuditEvent> = transition
            .audit
            .iter()
            .filter(|event| event.kind == AuditKind::AdviceDeclined)
            .collect();
        assert_eq!(declined.len(), 1);
        assert_eq!(
            declined[0].attributes.get("topic").map(String::as_str),
            Some("investment")
        );
        assert!(!transition.audit.iter().any(|event| event.kind == AuditKind::AiAnswer));
        assert_eq!(transition.conversation.state, ConversationState::Bot);

        let medical = started(Locale::En)
            .apply(
                advice(AdviceTopic::Medical, BotReply::NotAsked),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        let text = &medical.messages[1].text;
        assert!(text.contains("GP") && text.contains("112"), "{text}");

        // With an agent, the agent answers: nothing is declined on the agent's behalf.
        let held = held_by_sanne()
            .apply(
                advice(AdviceTopic::Insurance, BotReply::NotAsked),
                at(3),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(kinds(&held), vec![(Author::Customer, MessageKind::Text)]);
    }

    #[test]
    fn a_withdrawal_statement_to_an_agent_is_acknowledged_and_left_to_the_agent_acc_04() {
        let transition = held_by_sanne()
            .apply(withdrawal(TurnIntent::Other, open()), at(3), &wording(), RULES)
            .unwrap();
        assert_eq!(
            kinds(&transition),
            vec![
                (Author::Customer, MessageKind::Text),
                (Author::System, MessageKind::WithdrawalReceipt)
            ]
        );
        assert!(transition.messages[1].text.contains("De medewerker in dit gesprek"));
        assert_eq!(transition.conversation.state, ConversationState::WithAgent);
    }

    #[test]
    fn typed_request_for_a_person_is_handed_over_in_the_same_response_hum_02() {
        let transition = started(Locale::En)
            .apply(
                turn(TurnIntent::HumanRequest, BotReply::NotAsked, open()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(transition.conversation.state, ConversationState::WaitingForAgent);
        assert_eq!(kinds(&transition).last(), Some(&(Author::System, MessageKind::Handoff)));
        assert!(
            transition
                .messages
                .last()
                .unwrap()
                .text
                .contains("number 1 in the queue")
        );
    }

    #[test]
    fn request_outside_hours_gets_the_truth_and_alternatives_not_silence_hum_04() {
        let transition = started(Locale::Nl)
            .apply(
                Event::PersonRequested { availability: closed() },
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(transition.conversation.state, ConversationState::Bot);
        let last = transition.messages.last().unwrap();
        assert_eq!(last.kind, MessageKind::Unavailable);
        assert!(last.offers_human && last.text.contains("maandag"));
        assert!(
            transition
                .audit
                .iter()
                .any(|event| event.kind == AuditKind::HandoffUnavailable)
        );
        assert!(
            !transition
                .audit
                .iter()
                .any(|event| event.kind == AuditKind::HandoffAccepted)
        );
    }

    #[test]
    fn the_bot_is_silent_while_an_agent_holds_the_conversation() {
        let waiting = waiting();
        let with_agent = waiting
            .apply(Event::AgentClaimed { agent: sanne() }, at(2), &wording(), RULES)
            .unwrap();
        assert_eq!(kinds(&with_agent), vec![(Author::System, MessageKind::Handoff)]);
        assert!(with_agent.messages[0].text.contains("Sanne, medewerker"));
        let customer = with_agent
            .conversation
            .apply(
                turn(TurnIntent::Other, BotReply::NotAsked, open()),
                at(3),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(kinds(&customer), vec![(Author::Customer, MessageKind::Text)]);
    }

    /// The queue's reason: set on joining it, raised by a more urgent one (a crisis after a plain
    /// request), kept by the person who takes over, gone once the bot has the conversation again;
    /// a crisis when nobody can come sets none, and its text promises no connection.
    #[test]
    fn the_handover_reason_follows_the_most_urgent_request_until_the_bot_takes_over_hum_07() {
        let waiting = waiting();
        assert_eq!(waiting.handover_reason, Some(HandoverReason::Request));
        let crisis = waiting
            .apply(
                turn(TurnIntent::Crisis, BotReply::NotAsked, open()),
                at(2),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(crisis.conversation.handover_reason, Some(HandoverReason::Crisis));
        let complaint = crisis
            .conversation
            .clone()
            .apply(
                turn(TurnIntent::Complaint, BotReply::NotAsked, open()),
                at(3),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(
            complaint.conversation.handover_reason,
            Some(HandoverReason::Crisis),
            "a less urgent reason does not replace it"
        );
        let held = complaint
            .conversation
            .apply(Event::AgentClaimed { agent: sanne() }, at(4), &wording(), RULES)
            .unwrap()
            .conversation;
        assert_eq!(held.handover_reason, Some(HandoverReason::Crisis));
        let back = held
            .apply(Event::HandBack { agent: sanne().id }, at(5), &wording(), RULES)
            .unwrap();
        assert_eq!(back.conversation.handover_reason, None);

        let alone = started(Locale::Nl)
            .apply(
                turn(TurnIntent::Crisis, BotReply::NotAsked, closed()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert_eq!(alone.conversation.handover_reason, None);
        assert!(
            !alone
                .messages
                .iter()
                .any(|message| message.text.contains("verbind u ook door"))
        );
        assert!(alone.messages.iter().any(|message| message.text.contains("0800-0113")));
        for reason in HandoverReason::ALL {
            assert_eq!(HandoverReason::parse(reason.as_str()), Some(reason));
        }
    }

    #[test]
    fn a_second_claim_is_refused() {
        let claimed = held_by_sanne();
        let other = AgentRef {
            id: AgentId::parse("piet").unwrap(),
            display_name: "Piet".into(),
        };
        assert_eq!(
            claimed.apply(Event::AgentClaimed { agent: other }, at(3), &wording(), RULES),
            Err(TransitionError::NotWaiting)
        );
    }

    #[test]
    fn only_the_holding_agent_may_write() {
        let claimed = held_by_sanne();
        let event = Event::AgentMessage {
            agent: AgentId::parse("piet").unwrap(),
            text: "Hallo".into(),
        };
        assert_eq!(
            claimed.apply(event, at(3), &wording(), RULES),
            Err(TransitionError::NotAssigned)
        );
    }

    #[test]
    fn hand_back_announces_the_switch_and_repeats_the_disclosure_dis_05_hum_11() {
        let claimed = held_by_sanne();
        let back = claimed
            .apply(Event::HandBack { agent: sanne().id }, at(3), &wording(), RULES)
            .unwrap();
        assert_eq!(back.conversation.state, ConversationState::Bot);
        assert_eq!(
            kinds(&back),
            vec![
                (Author::System, MessageKind::Handoff),
                (Author::System, MessageKind::Disclosure)
            ]
        );
    }

    #[test]
    fn resumed_after_idle_time_the_disclosure_comes_again_before_the_answer_dis_05() {
        let transition = started(Locale::Nl)
            .apply(turn(TurnIntent::Other, answer(), open()), at(31), &wording(), RULES)
            .unwrap();
        assert_eq!(
            kinds(&transition),
            vec![
                (Author::Customer, MessageKind::Text),
                (Author::System, MessageKind::Disclosure),
                (Author::Ai, MessageKind::Answer)
            ]
        );
        let within = started(Locale::Nl)
            .apply(turn(TurnIntent::Other, answer(), open()), at(29), &wording(), RULES)
            .unwrap();
        assert!(!kinds(&within).contains(&(Author::System, MessageKind::Disclosure)));
    }

    #[test]
    fn an_abstention_carries_its_suggested_questions_and_still_offers_a_person_acc_01() {
        let suggestions = vec![Suggestion {
            entry_id: "retour-nl".into(),
            question: "Hoe kan ik mijn bestelling retourneren?".into(),
        }];
        let transition = started(Locale::Nl)
            .apply(
                turn(
                    TurnIntent::Other,
                    BotReply::Abstain {
                        confidence: 0.2,
                        suggestions: suggestions.clone(),
                    },
                    open(),
                ),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        let abstention = transition
            .messages
            .iter()
            .find(|message| message.kind == MessageKind::Abstention)
            .unwrap();
        assert_eq!(abstention.suggestions, suggestions);
        assert!(
            abstention.offers_human,
            "suggestions never replace the offer of a person"
        );
        assert!(
            transition
                .messages
                .iter()
                .filter(|message| message.kind != MessageKind::Abstention)
                .all(|message| message.suggestions.is_empty())
        );
        let audit = transition
            .audit
            .iter()
            .find(|event| event.kind == AuditKind::Abstention)
            .unwrap();
        // The audit record counts them; the questions themselves are content, not evidence.
        assert_eq!(audit.counts["suggested"], 1);
        assert!(!format!("{:?}", transition.audit).contains("retourneren"));
    }

    #[test]
    fn two_abstentions_in_a_row_make_the_bot_offer_a_person_hum_06() {
        let first = started(Locale::Nl)
            .apply(
                turn(
                    TurnIntent::Other,
                    BotReply::Abstain {
                        confidence: 0.1,
                        suggestions: Vec::new(),
                    },
                    open(),
                ),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        assert!(first.messages.iter().all(|message| message.kind != MessageKind::Notice));
        assert!(
            first.messages.last().unwrap().offers_human,
            "every abstention offers a person"
        );
        let mut second_turn = turn(
            TurnIntent::Other,
            BotReply::Abstain {
                confidence: 0.2,
                suggestions: Vec::new(),
            },
            open(),
        );
        if let Event::Customer(turn) = &mut second_turn {
            turn.fingerprint = "another question".into();
        }
        let second = first.conversation.apply(second_turn, at(2), &wording(), RULES).unwrap();
        assert_eq!(kinds(&second).last(), Some(&(Author::Ai, MessageKind::Notice)));
        assert!(second.audit.iter().any(|event| event.kind == AuditKind::HumanOffered));
    }

    #[test]
    fn a_repeated_question_makes_the_bot_offer_a_person_hum_06() {
        let first = started(Locale::Nl)
            .apply(turn(TurnIntent::Other, answer(), open()), at(1), &wording(), RULES)
            .unwrap();
        let second = first
            .conversation
            .apply(turn(TurnIntent::Other, answer(), open()), at(2), &wording(), RULES)
            .unwrap();
        assert!(second.audit.iter().any(|event| event.kind == AuditKind::HumanOffered && event.attributes["reason"] == "repeated_question"));
    }

    #[test]
    fn are_you_human_gets_the_truthful_answer_dis_06() {
        let transition = started(Locale::En)
            .apply(
                turn(TurnIntent::BotIdentityQuestion, BotReply::NotAsked, open()),
                at(1),
                &wording(),
                RULES,
            )
            .unwrap();
        let last = transition.messages.last().unwrap();
        assert_eq!((last.author, last.kind), (Author::Ai, MessageKind::Identity));
        assert!(last.text.contains("AI assistant") && last.text.contains("not a person"));
    }

    #[test]
    fn flagged_injection_gets_a_neutral_reply_and_no_answer() {
        let mut event = turn(TurnIntent::Other, answer(), open());
        if let Event::Customer(turn) = &mut event {
            turn.injection_flagged = true;
        }
        let transition = started(Locale::Nl).apply(event, at(1), &wording(), RULES).unwrap();
        assert!(!kinds(&transition).contains(&(Author::Ai, MessageKind::Answer)));
        assert!(
            transition
                .audit
                .iter()
                .any(|audit| audit.kind == AuditKind::InjectionFlagged)
        );
    }

    #[test]
    fn wait_timeout_gives_the_alternatives_and_returns_to_the_bot() {
        let waiting = waiting();
        let timeout = Availability::Closed {
            next_open: None,
            reason: ClosedReason::WaitTimedOut,
        };
        let transition = waiting
            .apply(Event::WaitTimedOut { availability: timeout }, at(12), &wording(), RULES)
            .unwrap();
        assert_eq!(transition.conversation.state, ConversationState::Bot);
        assert_eq!(transition.messages.last().unwrap().kind, MessageKind::Unavailable);
    }

    fn arbitrary_event() -> impl Strategy<Value = Event> {
        let intent = prop_oneof![
            Just(TurnIntent::Other),
            Just(TurnIntent::HumanRequest),
            Just(TurnIntent::Complaint),
            Just(TurnIntent::Crisis),
            Just(TurnIntent::BotIdentityQuestion)
        ];
        let reply = prop_oneof![
            Just(answer()),
            Just(BotReply::Abstain {
                confidence: 0.1,
                suggestions: Vec::new()
            }),
            Just(BotReply::NotAsked)
        ];
        let availability = prop_oneof![Just(open()), Just(closed())];
        let agent = prop_oneof![Just(sanne().id), Just(AgentId::parse("piet").unwrap())];
        prop_oneof![
            (
                intent,
                reply,
                availability.clone(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                proptest::option::of(proptest::sample::select(AdviceTopic::ALL.to_vec())),
                any::<bool>()
            )
                .prop_map(
                    |(intent, reply, availability, warn, flagged, withdrawal, advice, rights)| {
                        Event::Customer(CustomerTurn {
                            text: "x".into(),
                            lang: Locale::Nl,
                            intent,
                            privacy_warning: warn,
                            injection_flagged: flagged,
                            withdrawal_received: withdrawal.then(|| at(5).naive_utc()),
                            rights_request: rights.then_some(RequestedRight::Named(crate::rights::Right::Erasure)),
                            advice_declined: advice,
                            fingerprint: "f".into(),
                            reply,
                            availability,
                        })
                    }
                ),
            availability
                .clone()
                .prop_map(|availability| Event::PersonRequested { availability }),
            Just(Event::AgentClaimed { agent: sanne() }),
            agent.clone().prop_map(|agent| Event::AgentMessage {
                agent,
                text: "hallo".into()
            }),
            agent.clone().prop_map(|agent| Event::HandBack { agent }),
            agent.clone().prop_map(|agent| Event::AgentLeft { agent, position: 1 }),
            Just(Event::WaitTimedOut {
                availability: Availability::Closed {
                    next_open: None,
                    reason: ClosedReason::WaitTimedOut
                }
            }),
            agent.prop_map(|agent| Event::Close { agent }),
        ]
    }

    proptest! {
        /// Over any sequence of events: no AI message before a disclosure, every change of who is
        /// talking comes with a system message, a person request always gets a reply, and the
        /// bot never speaks while a person is expected (DIS-01, HUM-02, HUM-11); a withdrawal
        /// statement is acknowledged once in every state and never answered by the bot (ACC-04);
        /// nor is a data subject's request, which the queue shows as one (HUM-07).
        #[test]
        fn invariants_hold_over_any_event_sequence(events in proptest::collection::vec((arbitrary_event(), 0i64..90), 1..40)) {
            let mut conversation = started(Locale::Nl);
            let mut minute = 0;
            for (event, gap) in events {
                minute += gap;
                let before = conversation.state;
                let asked_person = matches!(&event, Event::PersonRequested { .. })
                    || matches!(&event, Event::Customer(turn) if turn.intent == TurnIntent::HumanRequest);
                let withdrawal = matches!(&event, Event::Customer(turn) if turn.withdrawal_received.is_some());
                let rights = matches!(&event, Event::Customer(turn) if turn.rights_request.is_some());
                let Ok(transition) = conversation.clone().apply(event, at(minute), &wording(), RULES) else {
                    continue;
                };
                let after = transition.conversation.state;
                let talker = |state: ConversationState| matches!(state, ConversationState::WithAgent);
                if talker(before) != talker(after) || (before == ConversationState::Bot && after == ConversationState::WaitingForAgent) {
                    prop_assert!(transition.messages.iter().any(|message| message.author == Author::System), "{before:?} -> {after:?} without a system message");
                }
                if asked_person {
                    prop_assert!(transition.messages.iter().any(|message| message.author != Author::Customer), "a request for a person went unanswered");
                }
                if matches!(before, ConversationState::WithAgent | ConversationState::WaitingForAgent) && before == after {
                    prop_assert!(transition.messages.iter().all(|message| message.author != Author::Ai), "the bot spoke in {before:?}");
                }
                let receipts = transition.messages.iter().filter(|message| message.kind == MessageKind::WithdrawalReceipt).count();
                let statements = transition.audit.iter().filter(|event| event.kind == AuditKind::WithdrawalStatement).count();
                prop_assert_eq!((receipts, statements), if withdrawal { (1, 1) } else { (0, 0) });
                if withdrawal {
                    prop_assert!(transition.messages.iter().all(|message| message.kind != MessageKind::Answer), "the bot answered a withdrawal statement");
                }
                let received = transition.audit.iter().filter(|event| event.kind == AuditKind::RightsRequestReceived).count();
                prop_assert_eq!(received, usize::from(rights));
                if rights {
                    prop_assert!(transition.messages.iter().all(|message| message.author != Author::Ai), "the bot answered a data subject's request");
                    if matches!(after, ConversationState::WithAgent | ConversationState::WaitingForAgent) {
                        prop_assert!(transition.conversation.handover_reason >= Some(HandoverReason::Privacy), "the queue does not show the request");
                    }
                }
                prop_assert!(transition.conversation.last_disclosure_at.is_some());
                conversation = transition.conversation;
            }
        }
    }
}

//! The customer's use cases, as the widget calls them.

use chrono::{DateTime, Utc};
use loket_core::advice::AdviceTopic;
use loket_core::audit::{AnswerRating, AuditEvent, AuditKind};
use loket_core::conversation::{BotReply, CustomerTurn, Event, Phrasing, TurnIntent};
use loket_core::{Author, Conversation, ConversationId, ConversationState, Locale, MessageKind, StoredMessage};
use loket_kb::CustomerScope;
use loket_store::{Commit, ConversationRecord, NewConversation, Ticket};
use serde::Deserialize;
use tracing::{info, warn};

use crate::PublishedEvent;
use crate::error::{Error, Result};
use crate::secrets::{SealingKey, constant_time_eq, new_token, token_hash};
use crate::{Loket, validate_text};

/// Attempts at a commit that lost a race with another change of the same conversation.
const COMMIT_ATTEMPTS: usize = 4;

/// A conversation as its customer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationView {
    /// Its id.
    pub id: ConversationId,
    /// Who is talking.
    pub state: ConversationState,
    /// Its language.
    pub locale: Locale,
    /// Messages, oldest first.
    pub messages: Vec<StoredMessage>,
}

/// A newly opened conversation with its one-time token.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The bearer token; shown once, stored only as a hash.
    pub token: String,
    /// The conversation.
    pub view: ConversationView,
}

/// The outcome of a customer action: the state after it and the messages it stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    /// Who is talking now.
    pub state: ConversationState,
    /// The stored messages (the customer's own first).
    pub messages: Vec<StoredMessage>,
}

/// A callback or e-mail request from the widget's form.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CallbackRequest {
    /// Name, optional.
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

impl Loket {
    /// Opens a conversation: the disclosure is its first message (DIS-01). `identity` is the
    /// company site's signed token for a logged-in customer (see [`crate::subject`]).
    pub async fn open_conversation(&self, locale: Locale, client: &str, identity: Option<&str>) -> Result<Opened> {
        let now = self.now();
        if !self.conversations_per_ip.allow(client, now).await? {
            return Err(Error::RateLimited);
        }
        let customer = identity.map(|token| self.verify_identity(token)).transpose()?;
        let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let token = new_token()?;
        let data_key = SealingKey::generate()?;
        let subject = customer
            .map(|customer| self.subject_ref(&id, &data_key, &customer))
            .transpose()?;
        let sealed_key = self.master_key.seal(&data_key.to_bytes(), id.as_str().as_bytes())?;
        let transition = Conversation::start(id.clone(), locale, now, &self.config.wording);
        let messages = self
            .store
            .create_conversation(NewConversation {
                conversation: transition.conversation,
                token_hash: token_hash(&token),
                data_key: sealed_key,
                subject,
                messages: transition.messages,
                audit: transition.audit,
                now,
            })
            .await?;
        metrics::counter!("loket_conversations_started_total").increment(1);
        metrics::counter!("loket_messages_total", "author" => "system").increment(messages.len() as u64);
        info!(conversation = %id, locale = locale.as_str(), "conversation opened");
        Ok(Opened {
            token,
            view: ConversationView {
                id,
                state: ConversationState::Bot,
                locale,
                messages,
            },
        })
    }

    /// Checks the bearer token of a conversation.
    pub async fn authorize(&self, id: &ConversationId, token: &str) -> Result<ConversationRecord> {
        let record = self.store.conversation(id).await?;
        token_matches(&record.token_hash, &token_hash(token))?;
        Ok(record)
    }

    /// The conversation with its messages after `after` (0 for all), for the token holder.
    pub async fn conversation_view(&self, id: &ConversationId, token: &str, after: i64) -> Result<ConversationView> {
        let record = self.authorize(id, token).await?;
        let limit = self.config.config.limits.messages_page;
        let messages = self.store.messages(id, after, limit).await?;
        let conversation = record.conversation;
        Ok(ConversationView {
            id: conversation.id,
            state: conversation.state,
            locale: conversation.locale,
            messages,
        })
    }

    /// A customer message through the whole pipeline (DESIGN.md steps 1-6).
    pub async fn customer_message(&self, id: &ConversationId, token: &str, text: &str) -> Result<TurnOutcome> {
        let text = validate_text(text, self.config.config.limits.message_chars)?;
        // One read for the conversation, its data key and its vault; with several instances on
        // one store the same statement counts the message against the conversation's limit.
        let now = self.now();
        let presented = token_hash(token);
        let count = self.conversation_rate.shared_request(id.as_str(), &presented, now);
        let context = self.store.turn_context(id, count.as_ref()).await?;
        token_matches(&context.record.token_hash, &presented)?;
        let record = context.record;
        let allowed = match context.counted {
            Some(allowed) => allowed,
            None => self.conversation_rate.allow(id.as_str(), now).await?,
        };
        if !allowed {
            return Err(Error::RateLimited);
        }
        let key = self.open_data_key(id, &context.data_key)?;
        let mut vault = Some(context.vault);
        // What this conversation may read: the identified customer's own content too, when the
        // company's login identified them (SEC-01: from the session, never from text).
        let scope = match &record.subject {
            Some(subject) => CustomerScope::authenticated(self.open_subject(id, &key, subject)?),
            None => CustomerScope::anonymous(),
        };
        let mut conversation = record.conversation;
        // A generated answer takes seconds: a commit retried after a lost race reuses it when the
        // question is the same (keyed by its pseudonymised text).
        let mut answered: Option<(String, BotReply)> = None;
        for attempt in 1..=COMMIT_ATTEMPTS {
            // The first attempt uses the vault read with the conversation; a retry reads it again.
            let entries = match vault.take() {
                Some(entries) => entries,
                None => self.store.vault(id).await?,
            };
            let mut placeholders = self.placeholders_from(id, &key, entries)?;
            let inspection = self
                .guards
                .inspect_customer(text, conversation.locale, &mut placeholders)?;
            let advice_declined = self.declined_advice(&inspection);
            let answers = conversation.bot_may_answer() && self.knowledge_may_answer(&inspection);
            let reply = match &answered {
                _ if !answers => BotReply::NotAsked,
                Some((question, reply)) if *question == inspection.text => reply.clone(),
                _ => {
                    let reply = self
                        .answer_turn(Some(id), &inspection.text, conversation.locale, &scope)
                        .await?;
                    answered = Some((inspection.text.clone(), reply.clone()));
                    reply
                }
            };
            let availability = self.availability(id, conversation.locale, now).await?;
            // The model that wrote the answer, recorded with it (AI Act art. 50(2), DIS-10).
            let generated_by = matches!(
                &reply,
                BotReply::Answer {
                    phrasing: Phrasing::Generated,
                    ..
                }
            )
            .then(|| {
                self.generator
                    .as_ref()
                    .map(|generator| generator.model_name().to_owned())
            })
            .flatten();
            let turn = CustomerTurn {
                lang: loket_kb::detect_lang(&inspection.text)
                    .map(crate::knowledge::locale_of)
                    .unwrap_or(conversation.locale),
                text: inspection.text.clone(),
                intent: inspection.intent,
                privacy_warning: inspection.privacy_warning,
                injection_flagged: inspection.injection_flagged,
                withdrawal_received: inspection
                    .withdrawal_statement
                    .then(|| self.config.hours.zone.local(now)),
                advice_declined,
                rights_request: inspection.rights_request,
                fingerprint: inspection.fingerprint.clone(),
                reply,
                availability,
            };
            let transition =
                conversation
                    .clone()
                    .apply(Event::Customer(turn), now, &self.config.wording, self.rules())?;
            let mut messages = transition.messages;
            for message in &mut messages {
                if message.author == Author::Ai && message.kind == MessageKind::Answer {
                    message.generated_by.clone_from(&generated_by);
                }
            }
            let mut audit = transition.audit;
            // Also for a message with special-category words but no identifier ("ik heb
            // diabetes"), so the compliance report counts every signal (PII-04, PRIV-06); such a
            // record has no counts.
            if !inspection.pii_counts.is_empty() || !inspection.sensitive.is_empty() {
                let mut event = AuditEvent::new(AuditKind::PiiRedacted, Some(id), "system");
                event.counts = inspection.pii_counts.clone();
                for category in &inspection.sensitive {
                    event = event.attribute(format!("sensitive_{category}"), "true");
                }
                audit.insert(0, event);
            }
            if inspection.injection_flagged
                && let Some(flagged) = audit.iter_mut().find(|event| event.kind == AuditKind::InjectionFlagged)
            {
                flagged
                    .attributes
                    .insert("reasons".into(), inspection.injection_reasons.join(","));
            }
            let kinds = crate::published_events(&audit);
            // What the state machine declined, not every topic found: a request for a person, or
            // a conversation an agent holds, is not declined.
            let declined =
                advice_declined.filter(|_| audit.iter().any(|event| event.kind == AuditKind::AdviceDeclined));
            let commit = Commit {
                conversation: transition.conversation.clone(),
                messages,
                audit,
                vault: self.seal_assignments(id, &key, &inspection.assignments)?,
                ticket: None,
                sensitive: !inspection.sensitive.is_empty(),
                now,
            };
            match self.store.commit(commit).await {
                Ok(messages) => {
                    let after = &transition.conversation;
                    self.after_customer_turn(&conversation, after, &messages, &inspection, &kinds, declined);
                    return Ok(TurnOutcome {
                        state: transition.conversation.state,
                        messages,
                    });
                }
                Err(loket_store::Error::Conflict) if attempt < COMMIT_ATTEMPTS => {
                    conversation = self.store.conversation(id).await?.conversation;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(Error::Unavailable("the conversation kept changing; try again".into()))
    }

    /// The customer's answer to "Klopte dit antwoord?" for the AI answer at `seq` (ACC-09): one
    /// audit record with the answer's seq and the entries it cited as ids and `helpful` (`yes` or
    /// `no`) as attribute, never text. Once per answer; a second rating is a conflict.
    pub async fn answer_feedback(&self, id: &ConversationId, token: &str, seq: i64, helpful: bool) -> Result<()> {
        self.authorize(id, token).await?;
        let not_an_answer = || Error::Invalid {
            code: "not_an_answer",
            message: "only an answer of the AI assistant can be rated".into(),
        };
        if seq < 1 {
            return Err(not_an_answer());
        }
        let answer = self
            .store
            .messages(id, seq - 1, 1)
            .await?
            .into_iter()
            .find(|message| message.seq == seq)
            .filter(|message| message.message.author == Author::Ai && message.message.kind == MessageKind::Answer)
            .ok_or_else(not_an_answer)?;
        let rated = self
            .store
            .conversation_audit(id)
            .await?
            .iter()
            .any(|record| AnswerRating::read(&record.event).is_some_and(|rating| rating.seq == seq));
        if rated {
            return Err(Error::Conflict {
                code: "feedback_given",
                message: "this answer was already rated",
            });
        }
        let sources = answer.message.citations.into_iter().map(|citation| citation.id);
        let event = AnswerRating::event(id, seq, helpful, sources);
        self.store.append_audit(vec![event], self.now()).await?;
        Ok(())
    }

    /// The "talk to a person" control (HUM-01): accepted in every state.
    pub async fn request_person(&self, id: &ConversationId, token: &str) -> Result<TurnOutcome> {
        let language = self.authorize(id, token).await?.conversation.locale;
        self.apply_with_retry(id, |loket, now| async move {
            let availability = loket.availability(id, language, now).await?;
            Ok(Event::PersonRequested { availability })
        })
        .await
    }

    /// A callback or e-mail request (HUM-04): a ticket visible in the console. Contact details
    /// are pseudonymised like any other text; originals go to the vault.
    pub async fn request_callback(
        &self,
        id: &ConversationId,
        token: &str,
        request: CallbackRequest,
    ) -> Result<(String, TurnOutcome)> {
        let record = self.authorize(id, token).await?;
        let field = |value: &Option<String>, limit: usize, name: &str| -> Result<String> {
            let value = value.as_deref().unwrap_or("").trim();
            if value.chars().count() > limit || value.chars().any(char::is_control) && name != "note" {
                return Err(Error::Invalid {
                    code: "invalid_field",
                    message: format!("{name} is too long or malformed"),
                });
            }
            Ok(value.to_string())
        };
        let name = field(&request.name, 200, "name")?;
        let phone = field(&request.phone, 40, "phone")?;
        let email = field(&request.email, 254, "email")?;
        let preferred_time = field(&request.preferred_time, 100, "preferred_time")?;
        let note = field(&request.note, self.config.config.limits.message_chars, "note")?;
        if phone.is_empty() && email.is_empty() {
            return Err(Error::Invalid {
                code: "contact_required",
                message: "a phone number or an e-mail address is required".into(),
            });
        }
        if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
            return Err(Error::Invalid {
                code: "invalid_email",
                message: "the e-mail address is not valid".into(),
            });
        }
        let locale = record.conversation.locale;
        let key = self.data_key(id).await?;
        let mut placeholders = self.placeholders(id, &key).await?;
        let mut redact = |value: &str| -> Result<String> {
            if value.is_empty() {
                return Ok(String::new());
            }
            Ok(self.guards.pseudonymise_text(value, locale, &mut placeholders)?.0)
        };
        let ticket_id = uuid::Uuid::now_v7().to_string();
        let now = self.now();
        let ticket = Ticket {
            id: ticket_id.clone(),
            conversation_id: id.clone(),
            kind: if phone.is_empty() {
                "email".into()
            } else {
                "callback".into()
            },
            name: redact(&name)?,
            phone: redact(&phone)?,
            email: redact(&email)?,
            preferred_time: redact(&preferred_time)?,
            note: redact(&note)?,
            created_at: now,
            status: "open".into(),
        };
        let vault = self.seal_assignments(id, &key, &placeholders.take_new_assignments())?;
        let conversation = record.conversation;
        let transition = conversation.clone().apply(
            Event::TicketCreated {
                ticket_id: ticket_id.clone(),
            },
            now,
            &self.config.wording,
            self.rules(),
        )?;
        let kinds = crate::published_events(&transition.audit);
        let commit = Commit {
            conversation: transition.conversation.clone(),
            messages: transition.messages,
            audit: transition.audit,
            vault,
            ticket: Some(ticket),
            sensitive: false,
            now,
        };
        let messages = self.store.commit(commit).await?;
        self.publish(&conversation, &transition.conversation, &messages, &kinds);
        self.hub.notify_staff(crate::StaffEvent::TicketCreated);
        metrics::counter!("loket_tickets_created_total").increment(1);
        Ok((
            ticket_id,
            TurnOutcome {
                state: transition.conversation.state,
                messages,
            },
        ))
    }

    /// Asks the knowledge base and runs the outbound check on the answer (step 5).
    fn checked_answer(&self, question: &str, locale: Locale, scope: &CustomerScope) -> Result<BotReply> {
        self.check_reply(self.knowledge.answer(question, locale, scope))
    }

    /// The outbound check on an approved answer, and on the questions an abstention suggests
    /// (step 5).
    fn check_reply(&self, mut reply: BotReply) -> Result<BotReply> {
        if let BotReply::Abstain { suggestions, .. } = &mut reply
            && !suggestions.is_empty()
        {
            *suggestions = self
                .guards
                .check_suggestions(std::mem::take(suggestions), &self.knowledge)?;
        }
        // Every text of a reply from the knowledge base is approved text of the served
        // generation, whose verdict the guard keeps.
        if let BotReply::Answer { text, citations, .. } = &mut reply {
            // The cited titles leave with the text: a title that names restricted content blocks
            // the answer as the text would.
            let shown = std::iter::once(text).chain(citations.iter_mut().map(|citation| &mut citation.title));
            for field in shown {
                match self.guards.check_approved(field, &self.knowledge)? {
                    crate::inspection::Outgoing::Send(sanitised) => *field = sanitised,
                    crate::inspection::Outgoing::Block(reason) => {
                        warn!(reason, "an answer was blocked by the output guard");
                        return Ok(BotReply::Blocked { reason });
                    }
                }
            }
        }
        Ok(reply)
    }

    /// Step 4 for a customer turn: the approved answer (or an abstention) and, when a model is
    /// configured and the knowledge base answered, the model's wording of it, shown sentence by
    /// sentence as it passes the verifier and the output guard (drafts on the live stream of
    /// conversation `id`). Anything that fails falls back to the approved answer.
    async fn answer_turn(
        &self,
        id: Option<&ConversationId>,
        question: &str,
        locale: Locale,
        scope: &CustomerScope,
    ) -> Result<BotReply> {
        let Some(generator) = &self.generator else {
            return self.checked_answer(question, locale, scope);
        };
        let (reply, sources) = self.knowledge.answer_with_sources(question, locale, scope);
        let reply = self.check_reply(reply)?;
        let BotReply::Answer {
            text,
            entry_id,
            citations,
            confidence,
            lang,
            ..
        } = reply
        else {
            return Ok(reply);
        };
        let canary = self
            .guards
            .canaries()
            .primary()
            .map(|canary| canary.as_str().to_string());
        let output_check = |sentence: &str| match self.guards.check_outgoing(sentence, &self.knowledge) {
            Ok(crate::inspection::Outgoing::Send(sanitised)) => Ok(sanitised),
            Ok(crate::inspection::Outgoing::Block(reason)) => Err(reason),
            Err(_) => Err(crate::inspection::GUARD_UNAVAILABLE),
        };
        let mut drafted = false;
        let mut draft = |shown: &str| {
            if let Some(id) = id {
                drafted = true;
                self.hub.publish_draft(id, Some(shown));
            }
        };
        let generated = generator
            .generate(question, lang, &sources, canary.as_deref(), &output_check, &mut draft)
            .await;
        let (text, phrasing) = match generated {
            crate::generation::Generated::Answer(generated) => {
                metrics::counter!("loket_generation_total", "outcome" => "generated").increment(1);
                (generated, Phrasing::Generated)
            }
            crate::generation::Generated::Fallback { reason, detail } => {
                metrics::counter!("loket_generation_total", "outcome" => "fallback", "reason" => reason).increment(1);
                if drafted && let Some(id) = id {
                    self.hub.publish_draft(id, None);
                }
                (text, Phrasing::Fallback { reason, detail })
            }
        };
        Ok(BotReply::Answer {
            text,
            entry_id,
            citations,
            confidence,
            lang,
            phrasing,
        })
    }

    fn after_customer_turn(
        &self,
        before: &Conversation,
        after: &Conversation,
        messages: &[StoredMessage],
        inspection: &crate::inspection::Inspection,
        kinds: &[PublishedEvent],
        advice_declined: Option<AdviceTopic>,
    ) {
        self.publish(before, after, messages, kinds);
        if inspection.intent != TurnIntent::Other {
            metrics::counter!("loket_intents_total", "intent" => intent_name(inspection.intent)).increment(1);
        }
        if inspection.injection_flagged {
            metrics::counter!("loket_injection_flagged_total").increment(1);
        }
        if inspection.withdrawal_statement {
            metrics::counter!("loket_withdrawal_statements_total").increment(1);
        }
        if let Some(topic) = advice_declined {
            metrics::counter!("loket_advice_declined_total", "topic" => topic.as_str()).increment(1);
        }
        if let Some(requested) = inspection.rights_request {
            metrics::counter!("loket_rights_requests_received_total", "right" => requested.as_str()).increment(1);
        }
        for (kind, count) in &inspection.pii_counts {
            metrics::counter!("loket_pii_redacted_total", "type" => kind.clone()).increment(*count as u64);
        }
    }

    /// Applies an event built by `make` to the freshest snapshot, retrying on a lost race.
    pub(crate) async fn apply_with_retry<'a, F, Fut>(&'a self, id: &ConversationId, make: F) -> Result<TurnOutcome>
    where
        F: Fn(&'a Loket, DateTime<Utc>) -> Fut,
        Fut: std::future::Future<Output = Result<Event>>,
    {
        for attempt in 1..=COMMIT_ATTEMPTS {
            let conversation = self.store.conversation(id).await?.conversation;
            let now = self.now();
            let event = make(self, now).await?;
            let transition = conversation
                .clone()
                .apply(event, now, &self.config.wording, self.rules())?;
            let kinds = crate::published_events(&transition.audit);
            let waited = transition
                .audit
                .iter()
                .find(|event| event.kind == AuditKind::HandoffAccepted)
                .and_then(|event| event.counts.get("wait_seconds").copied());
            let commit = Commit {
                conversation: transition.conversation.clone(),
                messages: transition.messages,
                audit: transition.audit,
                vault: Vec::new(),
                ticket: None,
                sensitive: false,
                now,
            };
            match self.store.commit(commit).await {
                Ok(messages) => {
                    self.publish(&conversation, &transition.conversation, &messages, &kinds);
                    if let Some(seconds) = waited {
                        self.record_wait(seconds);
                    }
                    return Ok(TurnOutcome {
                        state: transition.conversation.state,
                        messages,
                    });
                }
                Err(loket_store::Error::Conflict) if attempt < COMMIT_ATTEMPTS => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(Error::Unavailable("the conversation kept changing; try again".into()))
    }
}

fn intent_name(intent: TurnIntent) -> &'static str {
    match intent {
        TurnIntent::Other => "other",
        TurnIntent::HumanRequest => "human_request",
        TurnIntent::Complaint => "complaint",
        TurnIntent::Crisis => "crisis",
        TurnIntent::BotIdentityQuestion => "bot_identity_question",
    }
}

/// What the chat pipeline does with one question outside any conversation (`loket ask`).
#[derive(Debug, Clone, PartialEq)]
pub struct AskOutcome {
    /// The reply the bot would give in state `bot`.
    pub reply: BotReply,
    /// What the guards concluded.
    pub intent: TurnIntent,
    /// The injection detector flagged it.
    pub injection_flagged: bool,
}

impl Loket {
    /// Whether the knowledge base may answer a message in state `bot`: an ordinary question,
    /// not an attack, not a withdrawal statement (acknowledged and handed to a person, ACC-04),
    /// not a data subject's request (the same, HUM-07) and not a request for advice the company
    /// does not give (declined, ACC-10).
    fn knowledge_may_answer(&self, inspection: &crate::inspection::Inspection) -> bool {
        inspection.intent == TurnIntent::Other
            && !inspection.injection_flagged
            && !inspection.withdrawal_statement
            && inspection.rights_request.is_none()
            && self.declined_advice(inspection).is_none()
    }

    /// The topic of a request for personal advice the company does not give through the chat:
    /// any topic not listed in `answer.licensed_advice` (ACC-10).
    fn declined_advice(&self, inspection: &crate::inspection::Inspection) -> Option<AdviceTopic> {
        inspection
            .advice
            .filter(|topic| self.config.config.answer.declines_advice(*topic))
    }

    /// Runs a question through steps 2, 4 and 5 of the chat pipeline exactly as a customer
    /// message in state `bot` would go, without a conversation: guards, then (for an ordinary
    /// question) the knowledge base and the outbound check. A withdrawal statement, a data
    /// subject's request and a declined request for advice are not asked, as in the chat.
    pub fn ask(&self, text: &str, locale: Locale) -> Result<AskOutcome> {
        let text = validate_text(text, self.config.config.limits.message_chars)?;
        let mut placeholders = loket_guard::pii::Placeholders::new();
        let inspection = self.guards.inspect_customer(text, locale, &mut placeholders)?;
        let reply = if self.knowledge_may_answer(&inspection) {
            self.checked_answer(&inspection.text, locale, &CustomerScope::anonymous())?
        } else {
            BotReply::NotAsked
        };
        Ok(AskOutcome {
            reply,
            intent: inspection.intent,
            injection_flagged: inspection.injection_flagged,
        })
    }
}

/// Whether the hash of the presented bearer token is the conversation's, compared in constant
/// time; [`Error::Unauthorized`] otherwise.
fn token_matches(stored: &str, presented: &str) -> Result<()> {
    if constant_time_eq(stored, presented) {
        Ok(())
    } else {
        Err(Error::Unauthorized)
    }
}

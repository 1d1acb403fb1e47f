//! Loket's use cases: what customers, agents and the CLI can do, orchestrating the core rules,
//! the guards, the knowledge base and the store.
//!
//! Every use case follows the pipeline of ARCHITECTURE.md: authorise → inbound guards
//! ([`inspection`]) → the core state machine decides → answer from approved knowledge (only in
//! state `bot`) → outbound check → store messages, state and audit events in ONE commit →
//! publish live events ([`hub`]). Message text is never logged; spans carry ids only.
//!
//! # Layout
//! - [`customer`]: the widget's use cases (start, send, request a person, callback).
//! - [`staff`]: the console's use cases (login, queue, claim, reply, hand back, close, reveal).
//! - [`maintenance`]: periodic work (waiting timeouts, agents who left).
//! - [`notice`]: "Over deze chat", the notice generated from configuration (PRIV-02, GOV-08, GOV-10).
//! - [`inspection`]: the inbound and outbound guards.
//! - [`knowledge`]: answering from the knowledge base.
//! - [`generation`]: an optional model that phrases answers, behind the grounding verifier.
//! - [`compliance`], [`dashboard`]: the compliance report and the dashboard's daily figures,
//!   from configuration and the audit log (admins and auditors; no message text).
//! - [`incident`]: wrong-answer incidents, linked to the conversations that got the answer.
//! - [`hub`], [`presence`], [`rate`], [`clock`], [`secrets`]: supporting pieces.

pub mod breach;
pub mod clock;
pub mod compliance;
pub mod customer;
pub mod dashboard;
pub mod erasure_journal;
pub mod error;
pub mod evidence;
pub mod generation;
pub mod hub;
pub mod incident;
pub mod inspection;
pub mod knowledge;
pub mod maintenance;
pub mod notice;
pub mod presence;
pub mod rate;
pub mod retention;
pub mod rights_request;
pub mod second_factor;
pub mod secrets;
pub mod staff;
pub mod subject;
pub mod totp;
pub mod webhooks;
pub mod withdrawal;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use loket_core::audit::AuditKind;
use loket_core::availability::{Availability, ClosedReason};
use loket_core::config::ValidConfig;
use loket_core::conversation::Rules;
use loket_core::{Conversation, ConversationId, Locale};
use loket_guard::pii::{Assignment, EntityKind, Placeholders};
use loket_store::{Store, VaultEntry};

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use hub::{Hub, LiveEvent, StaffEvent};
pub use knowledge::Knowledge;
use rate::RateLimiter;
use secrets::SealingKey;

/// How many recent waiting times feed the wait estimate.
const RECENT_WAITS: usize = 20;

/// The application: one per process, shared by every request.
pub struct Loket {
    store: Arc<dyn Store>,
    config: Arc<ValidConfig>,
    clock: Arc<dyn Clock>,
    guards: inspection::Guards,
    knowledge: Knowledge,
    hub: Hub,
    presence: presence::Presence,
    master_key: SealingKey,
    conversation_rate: RateLimiter,
    conversations_per_ip: RateLimiter,
    login_rate: RateLimiter,
    second_factor_rate: RateLimiter,
    recent_waits: Mutex<VecDeque<i64>>,
    webhooks: webhooks::Webhooks,
    /// Signs audit checkpoints and deletion certificates.
    signer: evidence::EvidenceSigner,
    /// Waits already counted as abandoned: (conversation, the wait's start), so each wait counts once.
    abandoned: Mutex<std::collections::HashSet<(ConversationId, DateTime<Utc>)>>,
    /// The model that phrases answers, when one is configured.
    generator: Option<Arc<generation::Generator>>,
}

impl Loket {
    /// Assembles the application from its parts. `master_key` seals the per-conversation data
    /// keys of the vault.
    pub fn new(
        store: Arc<dyn Store>,
        config: Arc<ValidConfig>,
        clock: Arc<dyn Clock>,
        knowledge: Knowledge,
        master_key: SealingKey,
    ) -> Self {
        let limits = &config.config.limits;
        let webhooks = webhooks::Webhooks::new(
            config.config.webhooks.clone(),
            webhooks::DeliveryPolicy {
                attempts: limits.webhook_attempts,
                retry_base: std::time::Duration::from_millis(limits.webhook_retry_base_millis),
                timeout: std::time::Duration::from_secs(limits.webhook_timeout_seconds),
            },
        );
        // The output guard fingerprints the knowledge base in the configured data directory.
        let guards = inspection::Guards::with_output(inspection::OutputSettings::for_data_dir(
            std::path::Path::new(&config.config.server.data_dir),
            config.config.answer.link_domains.clone(),
        ))
        .with_policy(pii_policy(&config.config.privacy));
        // Several instances on one store count rate limits in it (keys hashed with this secret).
        let rate_secret = evidence::derive_secret(&master_key, b"loket/rate-limit-keys/v1");
        let limiter = |limit, window, scope| RateLimiter::for_store(limit, window, &store, scope, rate_secret);
        Self {
            conversation_rate: limiter(
                limits.messages_per_conversation_per_minute,
                Duration::minutes(1),
                "conversation_messages",
            ),
            conversations_per_ip: limiter(
                limits.conversations_per_ip_per_hour,
                Duration::hours(1),
                "conversations_per_ip",
            ),
            login_rate: limiter(limits.login_attempts_per_ip, Duration::minutes(15), "login_attempts"),
            second_factor_rate: limiter(
                limits.second_factor_attempts_per_account,
                Duration::minutes(15),
                "second_factor_attempts",
            ),
            store,
            config,
            clock,
            guards,
            signer: evidence::EvidenceSigner::derive(&master_key),
            knowledge,
            hub: Hub::default(),
            presence: presence::Presence::default(),
            master_key,
            recent_waits: Mutex::new(VecDeque::with_capacity(RECENT_WAITS)),
            webhooks,
            abandoned: Mutex::new(std::collections::HashSet::new()),
            generator: None,
        }
    }

    /// Lets `generator` phrase answers from the cited passages (issue 8). Without it, answers
    /// are the approved text.
    pub fn with_generator(mut self, generator: Option<generation::Generator>) -> Self {
        self.generator = generator.map(Arc::new);
        self
    }

    /// The model that phrases answers, if any.
    pub fn generator(&self) -> Option<&generation::Generator> {
        self.generator.as_deref()
    }

    /// The validated configuration.
    pub fn config(&self) -> &ValidConfig {
        &self.config
    }

    /// The live-event hub.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The knowledge base.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// The current time from the configured clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Agents online now.
    pub fn agents_online(&self) -> usize {
        self.presence.online(self.now(), self.presence_grace())
    }

    fn rules(&self) -> Rules {
        Rules {
            disclosure_idle_minutes: self.config.config.bot.disclosure_idle_minutes,
            abstentions_before_offer: self.config.config.handoff.abstentions_before_offer,
        }
    }

    fn presence_grace(&self) -> Duration {
        Duration::seconds(i64::from(self.config.config.handoff.agent_presence_timeout_seconds))
    }

    /// Agents online now who serve customers in `language` (HUM-08).
    pub fn agents_online_in(&self, language: Locale) -> usize {
        self.presence.online_in(language, self.now(), self.presence_grace())
    }

    /// Whether a person who speaks `language` can take over now, and the queue position
    /// `conversation` has or gets.
    async fn availability(
        &self,
        conversation: &ConversationId,
        language: Locale,
        now: DateTime<Utc>,
    ) -> Result<Availability> {
        let hours = &self.config.hours;
        if !hours.is_open(now) {
            return Ok(Availability::Closed {
                next_open: hours.next_open(now),
                reason: ClosedReason::OutsideHours,
            });
        }
        if self.presence.online(now, self.presence_grace()) == 0 {
            return Ok(Availability::Closed {
                next_open: None,
                reason: ClosedReason::NoAgentOnline,
            });
        }
        // Someone is online, but a handover to a person the customer cannot talk with is none
        // (HUM-08): the customer gets the alternatives instead, and why.
        let online = self.presence.online_in(language, now, self.presence_grace());
        if online == 0 {
            return Ok(Availability::Closed {
                next_open: None,
                reason: ClosedReason::NoAgentInLanguage,
            });
        }
        let queue = self.store.queue().await?;
        let position = queue
            .iter()
            .find(|entry| &entry.conversation.id == conversation)
            .map(|entry| entry.position)
            .unwrap_or(u32::try_from(queue.len() + 1).unwrap_or(u32::MAX));
        Ok(Availability::Open {
            position,
            estimated_wait_minutes: self.estimated_wait(position, online),
        })
    }

    /// Median of recent waits, scaled by position over agents online; `None` without history.
    fn estimated_wait(&self, position: u32, online: usize) -> Option<u32> {
        let waits = self
            .recent_waits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if waits.is_empty() {
            return None;
        }
        let mut sorted: Vec<i64> = waits.iter().copied().collect();
        sorted.sort_unstable();
        let median_seconds = sorted[sorted.len() / 2];
        let seconds = median_seconds * i64::from(position) / i64::try_from(online.max(1)).unwrap_or(1);
        Some(u32::try_from((seconds + 59) / 60).unwrap_or(u32::MAX).max(1))
    }

    /// Records a wait as abandoned; false when it was counted before.
    fn mark_abandoned(&self, id: &ConversationId, since: DateTime<Utc>) -> bool {
        let mut abandoned = self.abandoned.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if abandoned.len() > 100_000 {
            abandoned.clear();
        }
        abandoned.insert((id.clone(), since))
    }

    fn record_wait(&self, seconds: i64) {
        let mut waits = self
            .recent_waits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if waits.len() == RECENT_WAITS {
            waits.pop_front();
        }
        waits.push_back(seconds);
        metrics::histogram!("loket_time_to_agent_seconds").record(seconds as f64);
    }

    /// Opens the conversation's data key.
    async fn data_key(&self, id: &ConversationId) -> Result<SealingKey> {
        let sealed = self.store.data_key(id).await?;
        self.open_data_key(id, &sealed)
    }

    /// Opens a data key read from the store.
    fn open_data_key(&self, id: &ConversationId, sealed: &[u8]) -> Result<SealingKey> {
        let bytes = self.master_key.open(sealed, id.as_str().as_bytes())?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::Unavailable("malformed data key".into()))?;
        Ok(SealingKey::from_bytes(bytes))
    }

    /// The conversation's placeholder allocator, rebuilt from its vault.
    async fn placeholders(&self, id: &ConversationId, key: &SealingKey) -> Result<Placeholders> {
        let entries = self.store.vault(id).await?;
        self.placeholders_from(id, key, entries)
    }

    /// The placeholder allocator from vault entries already read.
    fn placeholders_from(
        &self,
        id: &ConversationId,
        key: &SealingKey,
        entries: Vec<VaultEntry>,
    ) -> Result<Placeholders> {
        let mut assignments = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(kind) = EntityKind::parse(&entry.kind) else {
                continue;
            };
            let value = key.open(&entry.sealed, &vault_context(id, &entry.placeholder))?;
            let value = String::from_utf8(value).map_err(|_| Error::Unavailable("malformed vault value".into()))?;
            assignments.push(Assignment {
                kind,
                placeholder: entry.placeholder,
                value,
            });
        }
        Ok(Placeholders::from_assignments(assignments))
    }

    /// Seals new placeholder assignments for the vault.
    fn seal_assignments(
        &self,
        id: &ConversationId,
        key: &SealingKey,
        assignments: &[Assignment],
    ) -> Result<Vec<VaultEntry>> {
        assignments
            .iter()
            .map(|assignment| {
                Ok(VaultEntry {
                    placeholder: assignment.placeholder.clone(),
                    kind: assignment.kind.as_str().to_string(),
                    sealed: key.seal(assignment.value.as_bytes(), &vault_context(id, &assignment.placeholder))?,
                })
            })
            .collect()
    }

    /// Publishes a committed change and counts its messages and events (HUM-12 metrics).
    fn publish(
        &self,
        before: &Conversation,
        after: &Conversation,
        messages: &[loket_core::StoredMessage],
        events: &[PublishedEvent],
    ) {
        let changed = (before.state != after.state).then_some(after.state);
        self.hub.publish(&after.id, messages, changed);
        for message in messages {
            metrics::counter!("loket_messages_total", "author" => message.message.author.as_str()).increment(1);
        }
        for (kind, first_id) in events {
            metrics::counter!("loket_events_total", "kind" => kind.as_str()).increment(1);
            if let Some(event) = webhooks::event_name(*kind) {
                let ticket = (*kind == AuditKind::TicketCreated)
                    .then_some(first_id.as_deref())
                    .flatten();
                self.webhooks.publish(&self.store, event, &after.id, ticket, self.now());
            }
        }
        if changed.is_some() {
            self.hub.notify_staff(StaffEvent::QueueChanged);
        }
    }
}

/// What [`Loket::publish`] needs of a committed audit event: its kind (for metrics and webhooks)
/// and its first id (the ticket of `ticket_created`).
type PublishedEvent = (AuditKind, Option<String>);

/// The published form of the audit events of one commit, taken before they move into it.
fn published_events(audit: &[loket_core::audit::AuditEvent]) -> Vec<PublishedEvent> {
    audit
        .iter()
        .map(|event| (event.kind, event.ids.first().cloned()))
        .collect()
}

/// The configured personal-data policy. The configuration was validated at startup (known types
/// and actions, never `keep` for a BSN), so an entry that still does not apply is skipped and
/// that type keeps the default, pseudonymisation.
fn pii_policy(privacy: &loket_core::config::PrivacyConfig) -> loket_guard::pii::Policy {
    use loket_guard::pii::{Action, Policy};
    let mut policy = Policy::default();
    for (kind, action) in &privacy.policy {
        let action = match action.as_str() {
            "mask" => Action::Mask,
            "drop" => Action::Drop,
            "keep" => Action::Keep,
            _ => Action::Pseudonymise,
        };
        if let Some(kind) = EntityKind::parse(kind) {
            let _ = policy.set(kind, action);
        }
    }
    policy
}

/// The additional authenticated data that binds a vault value to its conversation and placeholder.
fn vault_context(id: &ConversationId, placeholder: &str) -> Vec<u8> {
    format!("{id}/{placeholder}").into_bytes()
}

/// Checks free text from a customer or an agent against the limits: not empty, not too long,
/// no control characters other than line breaks and tabs.
fn validate_text(text: &str, max_chars: usize) -> Result<&str> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::Invalid {
            code: "empty_text",
            message: "the message is empty".into(),
        });
    }
    if trimmed.chars().count() > max_chars {
        return Err(Error::Invalid {
            code: "text_too_long",
            message: format!("the message is longer than {max_chars} characters"),
        });
    }
    if trimmed
        .chars()
        .any(|character| character.is_control() && !matches!(character, '\n' | '\r' | '\t'))
    {
        return Err(Error::Invalid {
            code: "invalid_text",
            message: "the message contains control characters".into(),
        });
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_validation_refuses_empty_long_and_control_characters() {
        assert!(matches!(
            validate_text("  \n ", 10),
            Err(Error::Invalid { code: "empty_text", .. })
        ));
        assert!(matches!(
            validate_text("elf tekens!", 10),
            Err(Error::Invalid {
                code: "text_too_long",
                ..
            })
        ));
        assert!(matches!(
            validate_text("a\u{0}b", 10),
            Err(Error::Invalid {
                code: "invalid_text",
                ..
            })
        ));
        assert_eq!(validate_text("  hallo\nwereld ", 20).unwrap(), "hallo\nwereld");
        assert!(
            validate_text("ééééééééé", 9).is_ok(),
            "characters, not bytes, are counted"
        );
    }
}

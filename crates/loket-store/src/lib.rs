//! The storage contract: the [`Store`] trait, its error type, and the data it moves.
//!
//! Backends (`loket-store-sqlite`, later PostgreSQL) implement [`Store`]; nothing above this
//! crate knows which one runs. Every method that changes a conversation takes its messages and
//! audit events together and writes them in ONE transaction, so a state change never exists
//! without its evidence and evidence never exists without its change.
//!
//! Backends hide their driver: not-found and unique violations become [`Error::NotFound`] and
//! [`Error::Conflict`], everything else [`Error::Backend`] with a description free of content.

#[cfg(feature = "contract")]
pub mod contract;
pub mod group;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use loket_core::audit::{AuditEvent, AuditKind, AuditRecord};
use loket_core::staff::Role;
use loket_core::{AgentId, Conversation, ConversationId, Locale, NewMessage, StoredMessage, Suggestion};
use serde::{Deserialize, Serialize};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The record does not exist.
    #[error("not found")]
    NotFound,
    /// A concurrent change won (stale version) or a unique value already exists.
    #[error("conflict")]
    Conflict,
    /// The database failed; the text names the operation, never content.
    #[error("storage backend failed: {0}")]
    Backend(String),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A message's suggested questions as backends store them: a JSON list, `[]` for none.
pub fn encode_suggestions(suggestions: &[Suggestion]) -> Result<String> {
    if suggestions.is_empty() {
        return Ok("[]".to_owned());
    }
    serde_json::to_string(suggestions).map_err(|_| Error::Backend("encode suggested questions".into()))
}

/// The suggested questions stored by [`encode_suggestions`].
pub fn decode_suggestions(stored: &str) -> Result<Vec<Suggestion>> {
    if stored == "[]" {
        return Ok(Vec::new());
    }
    serde_json::from_str(stored).map_err(|_| Error::Backend("stored data is corrupt: suggested question list".into()))
}

/// A conversation with the hash of its customer token.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// The snapshot the state machine works on.
    pub conversation: Conversation,
    /// SHA-256 of the customer's bearer token, hex.
    pub token_hash: String,
    /// The customer the company's site identified, when it did.
    pub subject: Option<SubjectRef>,
    /// Retention and erasure skip the conversation while this is set (RET-03, RET-07).
    pub legal_hold: bool,
    /// Special-category data was shared in it: the short retention applies (PRIV-06, RET-03).
    pub sensitive: bool,
    /// The statutory ground it is kept for (RET-03, FIN-06: `mifid_ii`, `wwft`, ...): that
    /// ground's period applies instead of the ordinary ones.
    pub statutory_ground: Option<String>,
}

/// A customer identified by the company's own login, as stored: a keyed hash to find their
/// conversations (export, erasure) and the identifier sealed under the conversation's data key
/// (for the knowledge-base scope). The plain identifier is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRef {
    /// HMAC-SHA256 of the identifier under a key derived from the master key, hex.
    pub hash: String,
    /// Nonce and ciphertext of the identifier.
    pub sealed: Vec<u8>,
}

/// A conversation to create, with its first messages and audit events, written atomically.
#[derive(Debug, Clone)]
pub struct NewConversation {
    /// The snapshot after [`Conversation::start`].
    pub conversation: Conversation,
    /// SHA-256 of the customer's bearer token, hex.
    pub token_hash: String,
    /// The wrapped per-conversation data key.
    pub data_key: Vec<u8>,
    /// The identified customer, if any.
    pub subject: Option<SubjectRef>,
    /// The first messages (the disclosure).
    pub messages: Vec<NewMessage>,
    /// Their audit events.
    pub audit: Vec<AuditEvent>,
    /// The creation time.
    pub now: DateTime<Utc>,
}

/// What a retention batch removes (RET-02). Every variant deletes at most `limit` records per
/// call, oldest first, skipping conversations under legal hold, so an interrupted run resumes
/// where it stopped and never counts a record twice. Conversations kept for a statutory ground
/// (RET-03) are removed only by the two statutory variants: the ordinary ones skip them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    /// Conversations idle since before the time: the conversation with its messages, vault
    /// entries and tickets.
    Transcripts(DateTime<Utc>),
    /// The same for conversations in which special-category data was shared.
    SensitiveTranscripts(DateTime<Utc>),
    /// The same for conversations kept for `ground`, with its vault entries (the record is kept
    /// as the customer wrote it).
    StatutoryTranscripts {
        /// The ground, as configured.
        ground: String,
        /// Idle since before this time.
        before: DateTime<Utc>,
    },
    /// The same for conversations kept for a ground that is not in `listed`, the grounds the
    /// configuration names: once a ground is no longer configured, the ordinary period applies.
    UnlistedStatutoryTranscripts {
        /// The configured grounds.
        listed: Vec<String>,
        /// Idle since before this time.
        before: DateTime<Utc>,
    },
    /// Vault entries of conversations idle since before the time; placeholders stay in the text.
    Vault(DateTime<Utc>),
    /// Tickets created before the time.
    Tickets(DateTime<Utc>),
    /// Audit records older than the time; the hash of the last removed record is kept as the
    /// chain's anchor so the rest still verifies.
    Audit(DateTime<Utc>),
    /// Webhook delivery attempts older than the time.
    DeliveryLog(DateTime<Utc>),
}

impl Expiry {
    /// The store's stable name, used in audit counts and the compliance report.
    pub fn store(&self) -> &'static str {
        match self {
            Expiry::Transcripts(_) => "transcripts",
            Expiry::SensitiveTranscripts(_) => "sensitive_transcripts",
            Expiry::StatutoryTranscripts { .. } | Expiry::UnlistedStatutoryTranscripts { .. } => {
                "statutory_transcripts"
            }
            Expiry::Vault(_) => "vault",
            Expiry::Tickets(_) => "tickets",
            Expiry::Audit(_) => "audit",
            Expiry::DeliveryLog(_) => "delivery_log",
        }
    }
}

/// Where a shortened audit chain starts: the last record removed by retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    /// Its seq.
    pub seq: i64,
    /// Its hash, which the first remaining record commits to.
    pub hash: String,
}

/// A signed statement that the audit chain had `hash` at `seq` (SEC-09).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The seq of the newest record covered.
    pub seq: i64,
    /// That record's hash.
    pub hash: String,
    /// When it was signed.
    pub at: DateTime<Utc>,
    /// The signing key's public key, hex, so a verifier can tell keys apart after a rotation.
    pub public_key: String,
    /// Ed25519 signature over [`Checkpoint::signed_bytes`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes that are signed.
    pub fn signed_bytes(seq: i64, hash: &str, at: DateTime<Utc>) -> Vec<u8> {
        format!(
            "loket-audit-checkpoint/v1\n{seq}\n{hash}\n{}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        )
        .into_bytes()
    }
}

/// What an erasure removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Erased {
    /// Conversations.
    pub conversations: u64,
    /// Messages.
    pub messages: u64,
    /// Vault entries.
    pub vault_entries: u64,
    /// Tickets.
    pub tickets: u64,
}

/// An original personal-data value, encrypted by the caller under the conversation's data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultEntry {
    /// The placeholder shown instead of the value (`[IBAN_1]`).
    pub placeholder: String,
    /// The entity type (`IBAN`).
    pub kind: String,
    /// Nonce and ciphertext.
    pub sealed: Vec<u8>,
}

/// What a customer turn reads before it runs: the conversation, its sealed data key and its vault.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnContext {
    /// The conversation snapshot and its token hash.
    pub record: ConversationRecord,
    /// The conversation's data key, sealed under the master key.
    pub data_key: Vec<u8>,
    /// The vault entries in insertion order.
    pub vault: Vec<VaultEntry>,
    /// Whether the counted event fit its limit; `None` when nothing was to be counted.
    pub counted: Option<bool>,
}

/// A rate-limited event to count together with a turn's context ([`Store::turn_context`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRequest {
    /// The counter's key: an opaque keyed hash.
    pub key: String,
    /// Events allowed per window.
    pub limit: u32,
    /// The window's length.
    pub window_seconds: u32,
    /// The event's time.
    pub now: DateTime<Utc>,
    /// The hash of the bearer token presented: only the conversation's own token counts.
    pub token_hash: String,
}

/// A callback or e-mail request left by a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Ticket id.
    pub id: String,
    /// The conversation it came from.
    pub conversation_id: ConversationId,
    /// `callback` or `email`.
    pub kind: String,
    /// Contact details, pseudonymised like message text: placeholders, originals in the vault.
    pub name: String,
    /// Phone number placeholder or empty.
    pub phone: String,
    /// E-mail placeholder or empty.
    pub email: String,
    /// When the customer prefers to be called.
    pub preferred_time: String,
    /// A pseudonymised note.
    pub note: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// `open` or `done`.
    pub status: String,
}

/// Everything one event changes, written atomically.
#[derive(Debug, Clone)]
pub struct Commit {
    /// The snapshot after the event; its `version` is the one that was read, and the commit
    /// fails with [`Error::Conflict`] when the stored version differs.
    pub conversation: Conversation,
    /// Messages to append; the store assigns seq, id and time.
    pub messages: Vec<NewMessage>,
    /// Audit events to append to the chain.
    pub audit: Vec<AuditEvent>,
    /// New vault entries for this conversation.
    pub vault: Vec<VaultEntry>,
    /// A ticket created by this event.
    pub ticket: Option<Ticket>,
    /// Special-category data was shared in this event: the conversation gets the short
    /// retention from now on (RET-03).
    pub sensitive: bool,
    /// The commit time.
    pub now: DateTime<Utc>,
}

/// One attempt to deliver a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// Id shared by every attempt of one delivery.
    pub delivery: String,
    /// `handoff.requested`, ...
    pub event: String,
    /// The endpoint.
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    /// `delivered`, `retrying` or `gave_up`.
    pub outcome: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// Login name.
    pub id: AgentId,
    /// Name shown to customers.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// The recorded AI-literacy training (AI Act art. 4, GOV-03): a reference to a certificate
    /// or course record; `None` when none was recorded.
    pub ai_literacy: Option<String>,
    /// The languages this person serves customers in (HUM-08), in [`Locale::ALL`] order, never
    /// empty: a handover is offered to a customer only while someone who speaks their language
    /// is online.
    pub languages: Vec<Locale>,
    /// The second factor (SEC-09).
    pub second_factor: SecondFactor,
}

/// The `languages` column of a staff account: two-letter codes, comma-separated.
pub fn languages_column(languages: &[Locale]) -> String {
    languages
        .iter()
        .map(|language| language.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads the `languages` column; [`Error::Backend`] for a code Loket does not know or an empty
/// list, which only a hand-edited database holds.
pub fn parse_languages_column(column: &str) -> Result<Vec<Locale>> {
    let mut languages = Vec::new();
    for code in column.split(',') {
        let language = Locale::parse(code.trim())
            .filter(|language| language.as_str() == code.trim())
            .ok_or_else(|| Error::Backend("unknown staff language".into()))?;
        if !languages.contains(&language) {
            languages.push(language);
        }
    }
    languages.sort();
    if languages.is_empty() {
        return Err(Error::Backend("staff account without a language".into()));
    }
    Ok(languages)
}

/// A staff member's second factor as stored (SEC-09). Secrets are sealed by the service before
/// they reach the store; recovery codes are stored only as hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondFactor {
    /// The TOTP secret in use, sealed; `None` until one is set up.
    pub totp_sealed: Option<Vec<u8>>,
    /// A secret shown for setting up but not yet confirmed with a code, sealed.
    pub pending_sealed: Option<Vec<u8>>,
    /// The last time step whose code was accepted; its code and earlier ones are refused.
    pub last_step: Option<i64>,
    /// SHA-256 hashes (hex) of the unused recovery codes.
    pub recovery_hashes: Vec<String>,
}

impl SecondFactor {
    /// Whether a TOTP secret is in use.
    pub fn enabled(&self) -> bool {
        self.totp_sealed.is_some()
    }

    /// The state after `change`, or `None` when its condition does not hold. Every store
    /// reads the row under its lock, applies this, and writes the result back.
    pub fn apply(&self, change: &SecondFactorChange) -> Option<SecondFactor> {
        match change {
            SecondFactorChange::Begin { sealed } => (!self.enabled()).then(|| SecondFactor {
                pending_sealed: Some(sealed.clone()),
                ..self.clone()
            }),
            SecondFactorChange::Enable {
                sealed,
                step,
                recovery_hashes,
            } => (!self.enabled() && self.pending_sealed.as_ref() == Some(sealed)).then(|| SecondFactor {
                totp_sealed: Some(sealed.clone()),
                pending_sealed: None,
                last_step: Some(*step),
                recovery_hashes: recovery_hashes.clone(),
            }),
            SecondFactorChange::UseStep(step) => (self.enabled() && self.last_step.is_none_or(|last| last < *step))
                .then(|| SecondFactor {
                    last_step: Some(*step),
                    ..self.clone()
                }),
            SecondFactorChange::UseRecoveryCode(hash) => {
                (self.enabled() && self.recovery_hashes.contains(hash)).then(|| SecondFactor {
                    recovery_hashes: self
                        .recovery_hashes
                        .iter()
                        .filter(|kept| *kept != hash)
                        .cloned()
                        .collect(),
                    ..self.clone()
                })
            }
            SecondFactorChange::Reset => Some(SecondFactor::default()),
        }
    }
}

/// A change to a staff member's second factor. Each holds only under its condition; the store
/// checks it and writes in one statement or transaction, so concurrent logins cannot both use
/// one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorChange {
    /// Stores a secret being set up, replacing an earlier pending one; only while none is in use.
    Begin {
        /// The sealed secret.
        sealed: Vec<u8>,
    },
    /// Puts the pending secret in use with its first accepted step and the recovery codes'
    /// hashes; only while `sealed` is the pending secret and none is in use.
    Enable {
        /// The sealed secret, as stored by `Begin`.
        sealed: Vec<u8>,
        /// The step of the code that confirmed it.
        step: i64,
        /// Hashes of the new recovery codes.
        recovery_hashes: Vec<String>,
    },
    /// Accepts a code of this step; only when it is later than the last accepted step.
    UseStep(i64),
    /// Crosses out a recovery code by its hash; only when it is still unused.
    UseRecoveryCode(String),
    /// Removes secret, pending secret and recovery codes, and ends the member's sessions.
    Reset,
}

/// A staff login session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    /// SHA-256 of the session cookie value, hex.
    pub token_hash: String,
    /// Who.
    pub staff_id: AgentId,
    /// The CSRF token bound to this session.
    pub csrf_token: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
}

/// A conversation in the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// Which conversation.
    pub conversation: Conversation,
    /// 1 = next in line.
    pub position: u32,
}

/// Counters for metrics and reports; no content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Conversations ever opened (and not erased).
    pub conversations: i64,
    /// Conversations per state.
    pub bot: i64,
    /// Waiting for an agent.
    pub waiting_for_agent: i64,
    /// With an agent.
    pub with_agent: i64,
    /// Closed.
    pub closed: i64,
    /// Messages per author.
    pub messages_ai: i64,
    /// By agents.
    pub messages_agent: i64,
    /// By customers.
    pub messages_customer: i64,
    /// By the system.
    pub messages_system: i64,
    /// Audit records.
    pub audit_records: i64,
    /// Open tickets.
    pub open_tickets: i64,
    /// Staff accounts that operate the chat (agents and admins).
    pub operators: i64,
    /// Of those, accounts without a recorded AI-literacy training (GOV-03).
    pub operators_without_ai_literacy: i64,
    /// Staff accounts of any role without a second factor in use (SEC-09).
    pub staff_without_second_factor: i64,
    /// Operators who serve customers in Dutch (HUM-08).
    pub operators_serving_dutch: i64,
    /// Operators who serve customers in English (HUM-08).
    pub operators_serving_english: i64,
    /// Conversations kept for a statutory ground (RET-03).
    pub statutory_kept: i64,
}

/// The storage contract every backend implements.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a conversation with its first messages and audit events.
    async fn create_conversation(&self, new: NewConversation) -> Result<Vec<StoredMessage>>;

    /// Reads a conversation snapshot and its token hash.
    async fn conversation(&self, id: &ConversationId) -> Result<ConversationRecord>;

    /// Reads what a customer turn needs: [`Store::conversation`], [`Store::data_key`] and
    /// [`Store::vault`] as of one moment, and, when `count` is given, counts the turn's
    /// rate-limited event as [`Store::count_event`] does, but only if `count.token_hash` is the
    /// conversation's (a stranger who knows the id cannot use up its limit). A backend across a
    /// network answers it in one round trip.
    async fn turn_context(&self, id: &ConversationId, count: Option<&CountRequest>) -> Result<TurnContext> {
        let record = self.conversation(id).await?;
        let data_key = self.data_key(id).await?;
        let vault = self.vault(id).await?;
        let counted = match count {
            Some(count) if count.token_hash == record.token_hash => Some(
                self.count_event(&count.key, count.limit, count.window_seconds, count.now)
                    .await?,
            ),
            Some(_) => Some(false),
            None => None,
        };
        Ok(TurnContext {
            record,
            data_key,
            vault,
            counted,
        })
    }

    /// Conversation ids greater than `after`, in id order, at most `limit` (for reports).
    async fn conversation_ids(&self, after: Option<&ConversationId>, limit: u32) -> Result<Vec<ConversationId>>;

    /// The conversations of an identified customer, by [`SubjectRef::hash`].
    async fn conversations_of_subject(&self, subject_hash: &str) -> Result<Vec<ConversationId>>;

    /// The tickets of one conversation, oldest first.
    async fn tickets(&self, id: &ConversationId) -> Result<Vec<Ticket>>;

    /// Places or lifts a legal hold, with its audit event.
    async fn set_legal_hold(
        &self,
        id: &ConversationId,
        hold: bool,
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Tags a conversation as kept for a statutory ground (RET-03), or removes the tag (`None`),
    /// with its audit event. [`Error::NotFound`] for an unknown conversation.
    async fn set_statutory_ground(
        &self,
        id: &ConversationId,
        ground: Option<String>,
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Erases conversations with everything attached (messages, vault, tickets) and appends the
    /// audit event in the same transaction, then makes sure no copy of the removed bytes stays
    /// in the backend's files. [`Error::Conflict`] when one is under legal hold (nothing is
    /// erased then); conversations that no longer exist are skipped.
    async fn erase_conversations(
        &self,
        ids: &[ConversationId],
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<Erased>;

    /// Removes one batch of expired records and appends `audit` with the count under the
    /// store's name, in one transaction; returns how many were removed (0: nothing left, and no
    /// audit record is written).
    async fn expire(&self, expiry: Expiry, limit: u32, audit: AuditEvent, now: DateTime<Utc>) -> Result<u64>;

    /// The anchor of a chain shortened by retention, if any.
    async fn audit_anchor(&self) -> Result<Option<AuditAnchor>>;

    /// The newest audit record, if any.
    async fn audit_head(&self) -> Result<Option<AuditRecord>>;

    /// Stores a signed checkpoint. It gets no audit record of its own: a record written after
    /// the checkpoint would be the one record the checkpoint cannot cover.
    async fn append_checkpoint(&self, checkpoint: &Checkpoint) -> Result<()>;

    /// All checkpoints, oldest first.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>>;

    /// Applies a commit atomically; returns the stored messages with their seq.
    async fn commit(&self, commit: Commit) -> Result<Vec<StoredMessage>>;

    /// Messages with `seq > after`, oldest first, at most `limit`.
    async fn messages(&self, id: &ConversationId, after: i64, limit: u32) -> Result<Vec<StoredMessage>>;

    /// The conversation's wrapped data key.
    async fn data_key(&self, id: &ConversationId) -> Result<Vec<u8>>;

    /// The conversation's vault entries.
    async fn vault(&self, id: &ConversationId) -> Result<Vec<VaultEntry>>;

    /// Appends audit events not tied to a conversation change (logins, imports, startup).
    async fn append_audit(&self, events: Vec<AuditEvent>, now: DateTime<Utc>) -> Result<()>;

    /// Audit records with `seq > after`, in order, at most `limit`.
    async fn audit_records(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>>;

    /// Audit records of `kind` with `seq > after`, in order, at most `limit`. The kinds the
    /// registers read ([`AuditKind::RightsRequestRecorded`], [`AuditKind::BreachRecorded`]) have
    /// partial indexes, so reading them costs in proportion to the register, not to the audit log
    /// (the chat's own kinds are not indexed and cost no more to write); any other kind is found
    /// by reading the log.
    async fn audit_records_of_kind(&self, kind: AuditKind, after: i64, limit: u32) -> Result<Vec<AuditRecord>>;

    /// Audit records of one conversation, in order.
    async fn conversation_audit(&self, id: &ConversationId) -> Result<Vec<AuditRecord>>;

    /// Conversations waiting for an agent, longest waiting first.
    async fn queue(&self) -> Result<Vec<QueueEntry>>;

    /// Conversations held by an agent.
    async fn held_by(&self, agent: &AgentId) -> Result<Vec<Conversation>>;

    /// Counters.
    async fn stats(&self) -> Result<Stats>;

    /// Creates a staff account; [`Error::Conflict`] when the login exists.
    async fn create_staff(&self, account: &StaffAccount, audit: AuditEvent) -> Result<()>;

    /// Reads a staff account.
    async fn staff(&self, id: &AgentId) -> Result<StaffAccount>;

    /// Applies `change` to the second factor of `id` with `audit` in one transaction when its
    /// condition holds, and returns whether it did (nothing is written otherwise).
    /// [`Error::NotFound`] when there is no such account.
    async fn change_second_factor(
        &self,
        id: &AgentId,
        change: SecondFactorChange,
        audit: Vec<AuditEvent>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Sets the languages `id` serves customers in, with `audit`, in one transaction.
    /// [`Error::NotFound`] when there is no such account (nothing is written then).
    async fn set_staff_languages(
        &self,
        id: &AgentId,
        languages: &[Locale],
        audit: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Stores a new session and its login audit event.
    async fn create_session(&self, session: &StaffSession, audit: AuditEvent) -> Result<()>;

    /// Reads a session by token hash.
    async fn session(&self, token_hash: &str) -> Result<StaffSession>;

    /// Marks a session as used now.
    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()>;

    /// Deletes a session (logout or expiry) with its audit event.
    async fn delete_session(&self, token_hash: &str, audit: Option<AuditEvent>, now: DateTime<Utc>) -> Result<()>;

    /// Open tickets, newest first.
    async fn open_tickets(&self) -> Result<Vec<Ticket>>;

    /// Appends one webhook delivery attempt to the delivery log.
    async fn record_webhook_delivery(&self, delivery: &WebhookDelivery) -> Result<()>;

    /// The newest `limit` delivery attempts, newest first.
    async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>>;

    /// Whether several instances share this store (PostgreSQL). Then counters that must hold
    /// across instances, the rate limits, are kept in it through [`Store::count_event`]; with an
    /// embedded store there is one process and it counts in memory.
    fn shared(&self) -> bool {
        false
    }

    /// Counts one event for `key` in a fixed window of `window_seconds` that opens with the
    /// key's first event, and returns whether it fits: false, without counting it, once `limit`
    /// events are counted in the open window. `key` is an opaque keyed hash, never an address or
    /// a name. Counters are not durable (a crash may forget them) and old windows are swept.
    /// Only stores that are [`Store::shared`] keep counters.
    async fn count_event(&self, key: &str, limit: u32, window_seconds: u32, now: DateTime<Utc>) -> Result<bool> {
        let _ = (key, limit, window_seconds, now);
        Err(Error::Backend("this store keeps no shared counters".into()))
    }

    /// Publishes `agents`, those online at instance `instance` with the languages they serve
    /// customers in, as of `now` (replacing what the instance published before), and returns the
    /// agents the other instances published at `since` or later, each once, with the union of
    /// their languages. An agent is online wherever their console is connected, so a customer
    /// served by one instance is handed over to an agent connected to another. A store that is
    /// not [`Store::shared`] has one process: there are no others.
    async fn share_presence(
        &self,
        instance: &str,
        agents: &[(AgentId, Vec<Locale>)],
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<Vec<(AgentId, Vec<Locale>)>> {
        let _ = (instance, agents, now, since);
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_languages_column_round_trips_and_refuses_what_loket_does_not_know() {
        assert_eq!(languages_column(&[Locale::Nl, Locale::En]), "nl,en");
        assert_eq!(parse_languages_column("nl,en").unwrap(), vec![Locale::Nl, Locale::En]);
        assert_eq!(
            parse_languages_column("en, nl,en").unwrap(),
            vec![Locale::Nl, Locale::En]
        );
        assert_eq!(parse_languages_column("en").unwrap(), vec![Locale::En]);
        for bad in ["", "de", "nl,", "nl-NL", "NL"] {
            assert!(parse_languages_column(bad).is_err(), "{bad:?}");
        }
    }
}

//! Data subjects: customers identified by the company's login, and their rights (GDPR art. 15,
//! 17 and 20; REQUIREMENTS PRIV-07, PRIV-08, RET-03, RET-07).
//!
//! - Identity: the company's site signs a short-lived JWT (HS256, claims `sub` and `exp`) with the
//!   shared secret `identity.secret`; [`Loket::verify_identity`] checks it. The plain identifier
//!   is never stored: conversations keep a keyed hash (to find them again) and the identifier
//!   sealed under the conversation's data key (for the knowledge-base scope).
//! - Export: everything held about a conversation or an identified customer, with the vault's
//!   original values put back for the subject, as JSON and as a readable HTML page.
//! - Erasure: removes it from every store (the SQLite backend also overwrites the freed pages
//!   and empties its write-ahead log) and issues a deletion certificate signed with the evidence
//!   key. Both are recorded in the audit log, without content.
//! - Legal hold: an admin can stop retention and erasure for a conversation.
//! - Retention status: when a conversation will be deleted and what keeps it, for admins and
//!   auditors, without content.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use loket_core::audit::{AuditEvent, AuditKind};
use loket_core::staff::Role;
use loket_core::{ConversationId, ConversationState, Locale};
use loket_store::{ConversationRecord, Erased, SubjectRef, Ticket};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::Loket;
use crate::compliance::escape_html as escape;
use crate::error::{Error, Result};
use crate::evidence::{derive_secret, keyed_hash};
use crate::secrets::SealingKey;
use crate::staff::StaffContext;

/// Longest identity token accepted, in bytes.
const MAX_IDENTITY_TOKEN_BYTES: usize = 4096;
/// Longest customer identifier accepted, in characters.
const MAX_SUBJECT_CHARS: usize = 200;
/// Default longest token lifetime when `identity.max_age_seconds` is not set.
const DEFAULT_IDENTITY_MAX_AGE_SECONDS: i64 = 600;
/// Messages read per page during an export.
const EXPORT_PAGE: u32 = 1000;

/// Whose data a request concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One conversation.
    Conversation(ConversationId),
    /// Every conversation of a customer identified by the company's login.
    Customer(String),
}

impl Subject {
    /// A stable description for certificates; a customer is named by a hash prefix, never by
    /// the identifier itself.
    fn label(&self, hash: Option<&str>) -> String {
        match self {
            Subject::Conversation(id) => format!("conversation:{id}"),
            Subject::Customer(_) => format!("customer:{}", hash.unwrap_or("").chars().take(16).collect::<String>()),
        }
    }
}

/// Everything held about a subject (GDPR art. 15 and 20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectExport {
    /// When the export was made.
    pub generated_at: DateTime<Utc>,
    /// The company that holds the data.
    pub controller: String,
    /// The conversations.
    pub conversations: Vec<ConversationExport>,
}

/// A conversation's facts and storage period (GDPR art. 15(1)(d)), shared by an export and the
/// privacy officer's retention status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRetention {
    /// Its id.
    pub id: ConversationId,
    /// Its language.
    pub locale: Locale,
    /// Its state.
    pub state: ConversationState,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// The last activity, from which its retention periods run.
    pub last_activity_at: DateTime<Utc>,
    /// Whether a legal hold keeps it from deletion.
    pub legal_hold: bool,
    /// The statutory ground it is kept for (RET-03), when an admin tagged it.
    pub statutory_ground: Option<String>,
    /// When retention deletes it at the latest unless the customer writes again: the last
    /// activity plus the period that applies to it (its statutory ground's, the special-category
    /// one, or the transcripts'). `None` while a legal hold keeps it.
    pub deleted_after: Option<DateTime<Utc>>,
    /// The same for the original values of its personal data (the vault), which an untagged
    /// conversation keeps for a shorter time than its pseudonymised text.
    pub personal_data_deleted_after: Option<DateTime<Utc>>,
}

/// One conversation in an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationExport {
    /// Its facts and storage period.
    #[serde(flatten)]
    pub retention: ConversationRetention,
    /// The messages, with personal data restored from the vault.
    pub messages: Vec<ExportedMessage>,
    /// The personal data held in the vault, decrypted for the subject.
    pub personal_data: Vec<ExportedValue>,
    /// Callback and e-mail requests, with personal data restored.
    pub tickets: Vec<Ticket>,
    /// What happened, from the audit log (kinds and times; no content is kept there).
    pub events: Vec<ExportedEvent>,
}

/// How long a conversation is kept and what keeps it, for the privacy officer: no message text,
/// no personal data (`GET /api/v1/admin/conversations/{id}`; RET-03, RET-07, GDPR art. 15(1)(d)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionStatus {
    /// Its facts and storage period.
    #[serde(flatten)]
    pub conversation: ConversationRetention,
    /// Whether special-category data was seen in it (the shorter period applies).
    pub sensitive: bool,
    /// The statutory grounds an admin can tag it with (`retention.statutory`).
    pub statutory_grounds: Vec<loket_core::config::StatutoryGround>,
}

/// A message in an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedMessage {
    /// Position.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who wrote it (`customer`, `ai`, `agent`, `system`).
    pub author: String,
    /// The label shown with it.
    pub author_label: String,
    /// The text, with original values in place of placeholders.
    pub text: String,
    /// Sources cited.
    pub sources: Vec<String>,
    /// The language model that wrote it, if one did (DIS-10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_by: Option<String>,
}

/// A vault value in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedValue {
    /// The placeholder used in stored text.
    pub placeholder: String,
    /// Its type.
    pub kind: String,
    /// The original value.
    pub value: String,
}

/// An audit event in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedEvent {
    /// Its seq in the audit log.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// What (`disclosure_shown`, `handoff_requested`, ...).
    pub kind: String,
    /// Who caused it.
    pub actor: String,
}

/// Proof that an erasure happened (GDPR art. 17), signed with the evidence key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionCertificate {
    /// Certificate id; the audit record of the erasure carries it as its first id.
    pub certificate_id: String,
    /// Whose data (`conversation:<id>` or `customer:<hash prefix>`).
    pub subject: String,
    /// The conversations erased.
    pub conversations: Vec<ConversationId>,
    /// What was removed.
    pub erased: Erased,
    /// When.
    pub erased_at: DateTime<Utc>,
    /// Who asked (`customer`, `agent:<login>`, `cli`).
    pub requested_by: String,
    /// The Ed25519 public key, hex.
    pub public_key: String,
    /// Signature over [`DeletionCertificate::signed_bytes`], hex.
    pub signature: String,
}

impl DeletionCertificate {
    /// The bytes that are signed: every field but the signature, in a fixed form.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let conversations: Vec<&str> = self.conversations.iter().map(ConversationId::as_str).collect();
        format!(
            "loket-deletion-certificate/v1\n{}\n{}\n{}\n{}/{}/{}/{}\n{}\n{}",
            self.certificate_id,
            self.subject,
            conversations.join(","),
            self.erased.conversations,
            self.erased.messages,
            self.erased.vault_entries,
            self.erased.tickets,
            self.erased_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.requested_by,
        )
        .into_bytes()
    }

    /// Whether the signature is valid for the certificate's content.
    pub fn is_valid(&self) -> bool {
        crate::evidence::signature_is_valid(&self.public_key, &self.signed_bytes(), &self.signature)
    }
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
}

#[derive(Deserialize)]
struct JwtClaims {
    sub: String,
    exp: i64,
}

impl Loket {
    /// Checks an identity token from the company's site and returns the customer identifier.
    pub fn verify_identity(&self, token: &str) -> Result<String> {
        let invalid = |message: &str| Error::Invalid {
            code: "identity_invalid",
            message: message.into(),
        };
        let identity = &self.config.config.identity;
        let Some(secret) = identity.secret.as_deref() else {
            return Err(invalid("this installation does not accept identity tokens"));
        };
        if token.len() > MAX_IDENTITY_TOKEN_BYTES {
            return Err(invalid("the identity token is too long"));
        }
        let mut parts = token.split('.');
        let (Some(header_part), Some(claims_part), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("the identity token is not a JWT"));
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| invalid("the identity token is malformed"))
        };
        let header: JwtHeader =
            serde_json::from_slice(&decode(header_part)?).map_err(|_| invalid("the identity token is malformed"))?;
        // Only HS256: "none" and asymmetric algorithms are refused outright.
        if header.alg != "HS256" {
            return Err(invalid("the identity token must be signed with HS256"));
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .map_err(|_| Error::Unavailable("identity secret unusable".into()))?;
        // The signing input is the token without its last part: "header.claims".
        mac.update(&token.as_bytes()[..header_part.len() + 1 + claims_part.len()]);
        mac.verify_slice(&decode(signature)?)
            .map_err(|_| invalid("the identity token's signature is not valid"))?;
        let claims: JwtClaims = serde_json::from_slice(&decode(claims_part)?)
            .map_err(|_| invalid("the identity token lacks sub or exp"))?;
        let now = self.now().timestamp();
        let max_age = identity
            .max_age_seconds
            .map_or(DEFAULT_IDENTITY_MAX_AGE_SECONDS, i64::from);
        if claims.exp <= now {
            return Err(invalid("the identity token has expired"));
        }
        if claims.exp > now + max_age {
            return Err(invalid("the identity token lives longer than allowed"));
        }
        let subject = claims.sub.trim();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
            return Err(invalid("the identity token's subject is empty or malformed"));
        }
        Ok(subject.to_string())
    }

    /// The keyed hash under which an identified customer's conversations are found.
    pub fn subject_hash(&self, subject: &str) -> String {
        let secret = derive_secret(&self.master_key, b"loket/subject-hash/v1");
        keyed_hash(&secret, &[subject.as_bytes()])
    }

    /// The stored form of an identified customer for a new conversation.
    pub(crate) fn subject_ref(&self, id: &ConversationId, data_key: &SealingKey, subject: &str) -> Result<SubjectRef> {
        Ok(SubjectRef {
            hash: self.subject_hash(subject),
            sealed: data_key.seal(subject.as_bytes(), &subject_context(id))?,
        })
    }

    /// The identified customer of a conversation, opened with the conversation's data key.
    pub(crate) fn open_subject(&self, id: &ConversationId, key: &SealingKey, subject: &SubjectRef) -> Result<String> {
        let plain = key.open(&subject.sealed, &subject_context(id))?;
        String::from_utf8(plain).map_err(|_| Error::Unavailable("malformed subject".into()))
    }

    /// Exports everything held about a subject, for an admin.
    pub async fn export_subject(&self, context: &StaffContext, subject: &Subject) -> Result<SubjectExport> {
        require_admin(context)?;
        self.export(subject, &format!("agent:{}", context.account.id)).await
    }

    /// Exports the customer's own data: their conversation, and every conversation of the same
    /// identified customer when the company's login identified them.
    pub async fn export_own(&self, id: &ConversationId, token: &str) -> Result<SubjectExport> {
        let record = self.authorize(id, token).await?;
        let subject = match &record.subject {
            Some(subject) => Subject::Customer(self.open_subject(id, &self.data_key(id).await?, subject)?),
            None => Subject::Conversation(id.clone()),
        };
        self.export(&subject, "customer").await
    }

    /// Erases everything held about a subject, for an admin.
    pub async fn erase_subject(&self, context: &StaffContext, subject: &Subject) -> Result<DeletionCertificate> {
        require_admin(context)?;
        self.erase(subject, &format!("agent:{}", context.account.id)).await
    }

    /// Erases the customer's own conversation (their other conversations need an identified
    /// request through the company).
    pub async fn erase_own(&self, id: &ConversationId, token: &str) -> Result<DeletionCertificate> {
        self.authorize(id, token).await?;
        let certificate = self.erase(&Subject::Conversation(id.clone()), "customer").await?;
        self.hub.forget(id);
        Ok(certificate)
    }

    /// Export for the CLI (`loket gdpr export`), recorded with actor `cli`.
    pub async fn export_as_operator(&self, subject: &Subject) -> Result<SubjectExport> {
        self.export(subject, "cli").await
    }

    /// Erasure for the CLI (`loket gdpr erase`), recorded with actor `cli`.
    pub async fn erase_as_operator(&self, subject: &Subject) -> Result<DeletionCertificate> {
        self.erase(subject, "cli").await
    }

    /// Places or lifts a legal hold (RET-03), for an admin or the CLI (`context` `None`).
    pub async fn set_legal_hold(&self, context: Option<&StaffContext>, id: &ConversationId, hold: bool) -> Result<()> {
        let actor = admin_or_cli(context)?;
        let event = AuditEvent::new(AuditKind::LegalHold, Some(id), actor).attribute("hold", hold.to_string());
        self.store.set_legal_hold(id, hold, event, self.now()).await?;
        Ok(())
    }

    /// Tags a conversation as kept for a configured statutory ground, or removes the tag
    /// (`ground` `None`), for an admin or the CLI (`context` `None`) (RET-03, FIN-06). An
    /// unknown ground is refused with `unknown_statutory_ground`.
    pub async fn set_statutory_ground(
        &self,
        context: Option<&StaffContext>,
        id: &ConversationId,
        ground: Option<&str>,
    ) -> Result<()> {
        let actor = admin_or_cli(context)?;
        let configured = &self.config.config.retention.statutory;
        if let Some(ground) = ground
            && !configured.iter().any(|statutory| statutory.ground == ground)
        {
            let known: Vec<&str> = configured.iter().map(|statutory| statutory.ground.as_str()).collect();
            return Err(Error::Invalid {
                code: "unknown_statutory_ground",
                message: if known.is_empty() {
                    "no statutory ground is configured (retention.statutory)".into()
                } else {
                    format!("the configured statutory grounds are: {}", known.join(", "))
                },
            });
        }
        let event = AuditEvent::new(AuditKind::StatutoryRetention, Some(id), actor)
            .attribute("ground", ground.unwrap_or("none"));
        self.store
            .set_statutory_ground(id, ground.map(str::to_owned), event, self.now())
            .await?;
        Ok(())
    }

    /// How long a conversation is kept and what keeps it, for an admin or an auditor (the
    /// privacy officer's view before a rights request is answered). Reads no content and so
    /// records no audit event.
    pub async fn retention_status(&self, context: &StaffContext, id: &ConversationId) -> Result<RetentionStatus> {
        crate::compliance::require_evidence_role(context)?;
        self.status_of(id).await
    }

    /// The retention status of every conversation of a subject, oldest first, for an admin
    /// answering a rights request from a customer the company's login identified (who does not
    /// know their conversation ids). `unknown_subject` when nothing is held.
    pub async fn subject_retention(&self, context: &StaffContext, subject: &Subject) -> Result<Vec<RetentionStatus>> {
        require_admin(context)?;
        let (ids, _) = self.resolve(subject).await?;
        if ids.is_empty() {
            return Err(unknown_subject());
        }
        let mut statuses = Vec::with_capacity(ids.len());
        for id in &ids {
            statuses.push(self.status_of(id).await?);
        }
        statuses.sort_by_key(|status| status.conversation.created_at);
        Ok(statuses)
    }

    async fn status_of(&self, id: &ConversationId) -> Result<RetentionStatus> {
        let record = self.store.conversation(id).await?;
        Ok(RetentionStatus {
            sensitive: record.sensitive,
            conversation: self.retention_of(record),
            statutory_grounds: self.config.config.retention.statutory.clone(),
        })
    }

    /// A conversation's facts and when retention deletes it and its vault at the latest: its last
    /// activity plus the period that applies (its statutory ground's, the special-category one, or
    /// the transcripts'; the vault's when shorter and the conversation is not tagged). No dates
    /// while a legal hold keeps it.
    fn retention_of(&self, record: ConversationRecord) -> ConversationRetention {
        let retention = &self.config.config.retention;
        let days = match &record.statutory_ground {
            Some(ground) => retention
                .statutory
                .iter()
                .find(|statutory| &statutory.ground == ground)
                .map_or(retention.transcripts.days, |statutory| statutory.days),
            None if record.sensitive => retention.sensitive_transcripts.days,
            None => retention.transcripts.days,
        };
        // A tagged conversation keeps its vault entries with it (RET-03).
        let vault_days = match record.statutory_ground {
            Some(_) => days,
            None => days.min(retention.vault.days),
        };
        let conversation = record.conversation;
        let after = |days: u32| {
            (!record.legal_hold).then(|| conversation.last_activity_at + chrono::Duration::days(i64::from(days)))
        };
        ConversationRetention {
            deleted_after: after(days),
            personal_data_deleted_after: after(vault_days),
            id: conversation.id,
            locale: conversation.locale,
            state: conversation.state,
            created_at: conversation.created_at,
            last_activity_at: conversation.last_activity_at,
            legal_hold: record.legal_hold,
            statutory_ground: record.statutory_ground,
        }
    }

    async fn resolve(&self, subject: &Subject) -> Result<(Vec<ConversationId>, Option<String>)> {
        match subject {
            Subject::Conversation(id) => match self.store.conversation(id).await {
                Ok(_) => Ok((vec![id.clone()], None)),
                Err(loket_store::Error::NotFound) => Ok((Vec::new(), None)),
                Err(error) => Err(error.into()),
            },
            Subject::Customer(customer) => {
                let hash = self.subject_hash(customer.trim());
                Ok((self.store.conversations_of_subject(&hash).await?, Some(hash)))
            }
        }
    }

    async fn export(&self, subject: &Subject, actor: &str) -> Result<SubjectExport> {
        let (ids, _) = self.resolve(subject).await?;
        if ids.is_empty() {
            return Err(unknown_subject());
        }
        let mut conversations = Vec::with_capacity(ids.len());
        for id in &ids {
            conversations.push(self.export_conversation(id).await?);
        }
        let mut event = AuditEvent::new(AuditKind::SubjectExported, None, actor)
            .count("conversations", i64::try_from(ids.len()).unwrap_or(i64::MAX));
        for id in &ids {
            event = event.id(id.as_str());
        }
        self.store.append_audit(vec![event], self.now()).await?;
        Ok(SubjectExport {
            generated_at: self.now(),
            controller: self.config.config.company.name.clone(),
            conversations,
        })
    }

    /// The conversation's personal data from its vault, opened.
    pub(crate) async fn personal_data(&self, id: &ConversationId) -> Result<Vec<ExportedValue>> {
        let key = self.data_key(id).await?;
        let mut personal_data = Vec::new();
        for entry in self.store.vault(id).await? {
            let value = key.open(&entry.sealed, &crate::vault_context(id, &entry.placeholder))?;
            personal_data.push(ExportedValue {
                placeholder: entry.placeholder,
                kind: entry.kind,
                value: String::from_utf8(value).map_err(|_| Error::Unavailable("malformed vault value".into()))?,
            });
        }
        Ok(personal_data)
    }

    async fn export_conversation(&self, id: &ConversationId) -> Result<ConversationExport> {
        let record = self.store.conversation(id).await?;
        let personal_data = self.personal_data(id).await?;
        let restore = |text: &str| restore(&personal_data, text);
        let mut messages = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.messages(id, after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            messages.extend(page.into_iter().map(|stored| {
                ExportedMessage {
                    seq: stored.seq,
                    at: stored.created_at,
                    author: stored.message.author.as_str().to_string(),
                    author_label: stored.message.author_label.clone(),
                    text: restore(&stored.message.text),
                    sources: stored
                        .message
                        .citations
                        .iter()
                        .map(|citation| citation.url.clone().unwrap_or_else(|| citation.title.clone()))
                        .collect(),
                    generated_by: stored.message.generated_by.clone(),
                }
            }));
        }
        let tickets = self
            .store
            .tickets(id)
            .await?
            .into_iter()
            .map(|ticket| Ticket {
                name: restore(&ticket.name),
                phone: restore(&ticket.phone),
                email: restore(&ticket.email),
                preferred_time: restore(&ticket.preferred_time),
                note: restore(&ticket.note),
                ..ticket
            })
            .collect();
        let events = self
            .store
            .conversation_audit(id)
            .await?
            .into_iter()
            .map(|record| ExportedEvent {
                seq: record.seq,
                at: record.at,
                kind: record.event.kind.as_str().to_string(),
                actor: record.event.actor,
            })
            .collect();
        Ok(ConversationExport {
            retention: self.retention_of(record),
            messages,
            personal_data,
            tickets,
            events,
        })
    }

    async fn erase(&self, subject: &Subject, actor: &str) -> Result<DeletionCertificate> {
        let (ids, hash) = self.resolve(subject).await?;
        if ids.is_empty() {
            return Err(unknown_subject());
        }
        // A conversation kept for a statutory ground is exempt (GDPR art. 17(3)(b), RET-03).
        for id in &ids {
            if self.store.conversation(id).await?.statutory_ground.is_some() {
                return Err(Error::Conflict {
                    code: "statutory_retention",
                    message: "the law requires this conversation to be kept (GDPR art. 17(3)(b)); an admin can remove its statutory ground if that no longer applies",
                });
            }
        }
        let certificate_id = uuid::Uuid::now_v7().to_string();
        let mut event = AuditEvent::new(AuditKind::SubjectErased, None, actor).id(certificate_id.clone());
        for id in &ids {
            event = event.id(id.as_str());
        }
        let now = self.now();
        let erased = match self.store.erase_conversations(&ids, event, now).await {
            Err(loket_store::Error::Conflict) => {
                return Err(Error::Conflict {
                    code: "legal_hold",
                    message: "a legal hold keeps this data from being erased; lift the hold first",
                });
            }
            other => other?,
        };
        for id in &ids {
            self.hub.forget(id);
        }
        let mut certificate = DeletionCertificate {
            certificate_id,
            subject: subject.label(hash.as_deref()),
            conversations: ids,
            erased,
            erased_at: DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now),
            requested_by: actor.to_string(),
            public_key: self.signer.public_key(),
            signature: String::new(),
        };
        certificate.signature = self.signer.sign(&certificate.signed_bytes());
        // Outside the database, so that a restored backup cannot bring the data back (RET-08).
        self.journal_erasure(&crate::erasure_journal::JournalEntry {
            certificate_id: certificate.certificate_id.clone(),
            conversations: certificate.conversations.clone(),
            erased_at: certificate.erased_at,
        });
        Ok(certificate)
    }
}

/// Renders an export as a self-contained, accessible HTML page in the conversation's language
/// (the first conversation's, English when there is none).
pub fn export_html(export: &SubjectExport) -> String {
    let dutch = export
        .conversations
        .first()
        .is_some_and(|conversation| conversation.retention.locale == Locale::Nl);
    let text = |nl: &'static str, en: &'static str| if dutch { nl } else { en };
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #666;padding:.3rem;text-align:left;vertical-align:top}}\
         caption{{text-align:left;font-weight:bold}}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p>{} {}. {} {}.</p>\n",
        if dutch { "nl" } else { "en" },
        text("Uw gegevens", "Your data"),
        text("Uw gegevens", "Your data"),
        text("Verwerkingsverantwoordelijke:", "Controller:"),
        escape(&export.controller),
        text("Gemaakt op", "Generated at"),
        export.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    for conversation in &export.conversations {
        let retention = &conversation.retention;
        let _ = write!(
            html,
            "<section>\n<h2>{} {}</h2>\n<p>{} {}; {} {}.</p>\n",
            text("Gesprek", "Conversation"),
            escape(retention.id.as_str()),
            text("Begonnen", "Started"),
            retention.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text("laatste activiteit", "last activity"),
            retention
                .last_activity_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        // The storage period (GDPR art. 15(1)(d)).
        let period = match (retention.deleted_after, &retention.statutory_ground) {
            (None, _) => text(
                "Bewaartermijn: een juridische bewaarplicht houdt dit gesprek vast; het wordt niet gewist zolang die geldt.",
                "Storage period: a legal hold keeps this conversation; it is not deleted while the hold applies.",
            )
            .to_owned(),
            (Some(after), None) => text(
                "Bewaartermijn: wij wissen dit gesprek uiterlijk op {date}, tenzij u opnieuw schrijft.",
                "Storage period: we delete this conversation on {date} at the latest, unless you write again.",
            )
            .replace("{date}", &after.format("%Y-%m-%d").to_string()),
            (Some(after), Some(ground)) => text(
                "Bewaartermijn: de wet verplicht ons dit gesprek te bewaren ({ground}); wij wissen het uiterlijk op {date}.",
                "Storage period: the law requires us to keep this conversation ({ground}); we delete it on {date} at the latest.",
            )
            .replace("{ground}", &escape(ground))
            .replace("{date}", &after.format("%Y-%m-%d").to_string()),
        };
        let originals = match retention.personal_data_deleted_after {
            Some(after) if !conversation.personal_data.is_empty() && Some(after) != retention.deleted_after => {
                format!(
                    " {}",
                    text(
                        "De oorspronkelijke waarden van uw persoonsgegevens (hieronder) wissen wij al eerder, uiterlijk op {date}.",
                        "The original values of your personal data (below) are deleted sooner, on {date} at the latest."
                    )
                    .replace("{date}", &after.format("%Y-%m-%d").to_string())
                )
            }
            _ => String::new(),
        };
        let _ = writeln!(html, "<p>{period}{originals}</p>");
        let _ = write!(
            html,
            "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            text("Berichten", "Messages"),
            text("Tijd", "Time"),
            text("Van", "From"),
            text("Tekst", "Text"),
        );
        for message in &conversation.messages {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                message.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                match &message.generated_by {
                    Some(model) => format!(
                        "{} ({} {})",
                        escape(&message.author_label),
                        text("geschreven door taalmodel", "written by language model"),
                        escape(model)
                    ),
                    None => escape(&message.author_label),
                },
                escape(&message.text).replace('\n', "<br>"),
            );
        }
        html.push_str("</tbody>\n</table>\n");
        if !conversation.personal_data.is_empty() {
            let _ = write!(
                html,
                "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
                text("Persoonsgegevens in de kluis", "Personal data in the vault"),
                text("Soort", "Type"),
                text("Waarde", "Value"),
            );
            for value in &conversation.personal_data {
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    escape(&value.kind),
                    escape(&value.value)
                );
            }
            html.push_str("</tbody>\n</table>\n");
        }
        for ticket in &conversation.tickets {
            let _ = writeln!(
                html,
                "<p>{} ({}): {} {} {} {}</p>",
                text("Terugbelverzoek", "Callback request"),
                escape(&ticket.status),
                escape(&ticket.name),
                escape(&ticket.phone),
                escape(&ticket.email),
                escape(&ticket.note),
            );
        }
        let _ = write!(
            html,
            "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            text("Gebeurtenissen", "Events"),
            text("Tijd", "Time"),
            text("Wat", "What"),
        );
        for event in &conversation.events {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td></tr>",
                event.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                escape(&event.kind)
            );
        }
        html.push_str("</tbody>\n</table>\n</section>\n");
    }
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

fn subject_context(id: &ConversationId) -> Vec<u8> {
    format!("{id}/subject").into_bytes()
}

fn unknown_subject() -> Error {
    Error::Invalid {
        code: "unknown_subject",
        message: "nothing is held about this subject: it never existed or was already erased".into(),
    }
}

fn require_admin(context: &StaffContext) -> Result<()> {
    if context.account.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The audit actor of a retention decision: `agent:<login>` for an admin (anyone else is
/// forbidden), `cli` without a staff session.
pub(crate) fn admin_or_cli(context: Option<&StaffContext>) -> Result<String> {
    match context {
        Some(context) => {
            require_admin(context)?;
            Ok(format!("agent:{}", context.account.id))
        }
        None => Ok("cli".to_string()),
    }
}

/// `text` with the original values in place of their placeholders.
pub(crate) fn restore(personal_data: &[ExportedValue], text: &str) -> String {
    personal_data.iter().fold(text.to_string(), |text, value| {
        text.replace(&value.placeholder, &value.value)
    })
}

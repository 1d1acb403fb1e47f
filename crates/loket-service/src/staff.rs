//! The console's use cases: staff accounts, sessions, the queue, and working a conversation.
//!
//! Sessions are random 256-bit cookie values stored as hashes, with an idle and an absolute
//! expiry; each has its own CSRF token that state-changing requests must echo. Passwords are
//! argon2id hashes. Roles decide what a session may do: agents and admins work conversations,
//! auditors read evidence and never message text.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::Duration;
use loket_core::audit::{AnswerRating, AuditEvent, AuditKind};
use loket_core::conversation::{AgentRef, Event};
use loket_core::staff::Role;
use loket_core::{AgentId, Conversation, ConversationId, Locale, StoredMessage};
use loket_store::{QueueEntry, StaffAccount, StaffSession, Ticket};
use tracing::info;

use crate::Loket;
use crate::customer::TurnOutcome;
use crate::error::{Error, Result};
use crate::secrets::{constant_time_eq, new_token, random_bytes, token_hash};
use crate::validate_text;

/// Minimum password length for staff accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Longest AI-literacy training reference (a certificate or course record id, GOV-03).
pub const MAX_TRAINING_REFERENCE_CHARS: usize = 120;

/// An authenticated staff request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffContext {
    /// The account.
    pub account: StaffAccount,
    /// The session.
    pub session: StaffSession,
}

/// A fresh login: the cookie value (shown once) and the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The session cookie value.
    pub cookie: String,
    /// The session and account.
    pub context: StaffContext,
}

/// What an agent's queue screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueView {
    /// Waiting conversations, longest waiting first.
    pub waiting: Vec<QueueEntry>,
    /// Conversations this agent holds.
    pub mine: Vec<Conversation>,
    /// Open tickets.
    pub tickets: Vec<Ticket>,
    /// Agents online.
    pub agents_online: usize,
}

/// A conversation as an agent sees it: pseudonymised text, placeholders revealable.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConversationView {
    /// The snapshot.
    pub conversation: Conversation,
    /// Messages, oldest first.
    pub messages: Vec<StoredMessage>,
    /// The customer's "Klopte dit antwoord?" ratings: answer seq → right (`true`) or not.
    pub ratings: std::collections::BTreeMap<i64, bool>,
}

/// The languages a staff member serves customers in, in [`Locale::ALL`] order; at least one.
fn served_languages(languages: &[Locale]) -> Result<Vec<Locale>> {
    let mut languages = languages.to_vec();
    languages.sort();
    languages.dedup();
    if languages.is_empty() {
        return Err(Error::Invalid {
            code: "invalid_languages",
            message: "a staff member serves customers in at least one language (nl, en)".into(),
        });
    }
    Ok(languages)
}

impl Loket {
    /// Creates a staff account (CLI `loket user add`). `ai_literacy` references the staff
    /// member's recorded AI-literacy training (AI Act art. 4, GOV-03); an agent or admin without
    /// one is created but counted as untrained in the compliance report. `languages` are those
    /// the person serves customers in (HUM-08): a customer is offered a handover only while
    /// someone who speaks the conversation's language is online.
    pub async fn create_staff(
        &self,
        id: &AgentId,
        display_name: &str,
        role: Role,
        password: &str,
        ai_literacy: Option<&str>,
        languages: &[Locale],
    ) -> Result<()> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Error::Invalid {
                code: "weak_password",
                message: format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
            });
        }
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 60 {
            return Err(Error::Invalid {
                code: "invalid_name",
                message: "a display name needs 1 to 60 characters".into(),
            });
        }
        let ai_literacy = ai_literacy.map(str::trim);
        if ai_literacy.is_some_and(|reference| {
            reference.is_empty()
                || reference.chars().count() > MAX_TRAINING_REFERENCE_CHARS
                || reference.chars().any(char::is_control)
        }) {
            return Err(Error::Invalid {
                code: "invalid_training_reference",
                message: format!(
                    "an AI-literacy training reference needs 1 to {MAX_TRAINING_REFERENCE_CHARS} characters on one line"
                ),
            });
        }
        let languages = served_languages(languages)?;
        let password_hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|_| Error::Unavailable("password hashing failed".into()))?
            .to_string();
        let now = self.now();
        let account = StaffAccount {
            id: id.clone(),
            display_name: display_name.to_string(),
            role,
            password_hash,
            created_at: now,
            ai_literacy: ai_literacy.map(str::to_owned),
            languages,
            second_factor: loket_store::SecondFactor::default(),
        };
        let audit = AuditEvent::new(AuditKind::StaffCreated, None, "cli")
            .attribute("role", role.as_str())
            .attribute("languages", loket_store::languages_column(&account.languages))
            .attribute("ai_literacy", if ai_literacy.is_some() { "recorded" } else { "none" });
        self.store
            .create_staff(&account, audit)
            .await
            .map_err(|error| match error {
                loket_store::Error::Conflict => Error::Conflict {
                    code: "staff_exists",
                    message: "this login name is taken",
                },
                other => other.into(),
            })
    }

    /// Sets the languages staff member `id` serves customers in (CLI `loket user languages`,
    /// HUM-08); their console counts with them from its next connection.
    pub async fn set_staff_languages(&self, id: &AgentId, languages: &[Locale], actor: &str) -> Result<Vec<Locale>> {
        let languages = served_languages(languages)?;
        let audit = AuditEvent::new(AuditKind::StaffLanguagesChanged, None, actor.to_owned())
            .attribute("staff", format!("agent:{id}"))
            .attribute("languages", loket_store::languages_column(&languages));
        self.store
            .set_staff_languages(id, &languages, audit, self.now())
            .await?;
        Ok(languages)
    }

    /// Logs a staff member in (rate-limited per client address).
    /// Logs a staff member in with password and, where one is in use, the second factor: a
    /// code from the authenticator app or an unused recovery code (SEC-09).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        second_factor: Option<&str>,
        client: &str,
    ) -> Result<Login> {
        let now = self.now();
        if !self.login_rate.allow(client, now).await? {
            return Err(Error::RateLimited);
        }
        let id = AgentId::parse(username).map_err(|_| Error::Unauthorized)?;
        let account = match self.store.staff(&id).await {
            Ok(account) => account,
            Err(loket_store::Error::NotFound) => {
                // Spend the same effort as a real check, so timing does not reveal login names.
                let _ = verify_password(
                    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0000000000000000000000000000000000000000000",
                    password,
                );
                self.store
                    .append_audit(vec![AuditEvent::new(AuditKind::StaffLoginFailed, None, "unknown")], now)
                    .await?;
                return Err(Error::Unauthorized);
            }
            Err(error) => return Err(error.into()),
        };
        if !verify_password(&account.password_hash, password) {
            let event = AuditEvent::new(AuditKind::StaffLoginFailed, None, format!("agent:{id}"));
            self.store.append_audit(vec![event], now).await?;
            return Err(Error::Unauthorized);
        }
        let Some(factor) = self.check_second_factor(&account, second_factor).await? else {
            let event = AuditEvent::new(AuditKind::StaffLoginFailed, None, format!("agent:{id}"))
                .attribute("second_factor", "wrong");
            self.store.append_audit(vec![event], now).await?;
            return Err(crate::second_factor::invalid_code());
        };
        let cookie = new_token()?;
        let session = StaffSession {
            token_hash: token_hash(&cookie),
            staff_id: id.clone(),
            csrf_token: hex::encode(random_bytes::<16>()?),
            created_at: now,
            last_seen_at: now,
        };
        let audit = AuditEvent::new(AuditKind::StaffLogin, None, format!("agent:{id}"))
            .attribute("role", account.role.as_str())
            .attribute("second_factor", factor.as_str());
        self.store.create_session(&session, audit).await?;
        info!(staff = %id, "staff login");
        Ok(Login {
            cookie,
            context: StaffContext { account, session },
        })
    }

    /// Resolves a session cookie; expired sessions are deleted and refused.
    pub async fn staff_session(&self, cookie: &str) -> Result<StaffContext> {
        let hash = token_hash(cookie);
        let session = self.store.session(&hash).await.map_err(|error| match error {
            loket_store::Error::NotFound => Error::Unauthorized,
            other => other.into(),
        })?;
        let now = self.now();
        let auth = &self.config.config.auth;
        let idle = now - session.last_seen_at > Duration::minutes(i64::from(auth.session_idle_minutes));
        let too_old = now - session.created_at > Duration::hours(i64::from(auth.session_max_hours));
        if idle || too_old {
            self.store.delete_session(&hash, None, now).await?;
            return Err(Error::Unauthorized);
        }
        if now - session.last_seen_at > Duration::seconds(30) {
            self.store.touch_session(&hash, now).await?;
        }
        let account = self.store.staff(&session.staff_id).await?;
        Ok(StaffContext { account, session })
    }

    /// Checks the CSRF token of a state-changing request.
    pub fn check_csrf(&self, context: &StaffContext, presented: Option<&str>) -> Result<()> {
        match presented {
            Some(token) if constant_time_eq(token, &context.session.csrf_token) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    /// Ends a session.
    pub async fn logout(&self, context: &StaffContext) -> Result<()> {
        let audit = AuditEvent::new(AuditKind::StaffLogout, None, format!("agent:{}", context.account.id));
        self.store
            .delete_session(&context.session.token_hash, Some(audit), self.now())
            .await?;
        Ok(())
    }

    /// An agent's console stream opened or closed: presence for availability (HUM-04).
    pub fn agent_connected(&self, context: &StaffContext) {
        if context.account.role.handles_conversations() {
            self.presence.connected(&context.account.id, &context.account.languages);
            self.hub.notify_staff(crate::StaffEvent::QueueChanged);
        }
    }

    /// See [`Loket::agent_connected`].
    pub fn agent_disconnected(&self, context: &StaffContext) {
        if context.account.role.handles_conversations() {
            self.presence.disconnected(&context.account.id, self.now());
        }
    }

    /// The queue screen.
    pub async fn queue_view(&self, context: &StaffContext) -> Result<QueueView> {
        require_conversation_role(context)?;
        Ok(QueueView {
            waiting: self.store.queue().await?,
            mine: self.store.held_by(&context.account.id).await?,
            tickets: self.store.open_tickets().await?,
            agents_online: self.agents_online(),
        })
    }

    /// Takes over a waiting conversation; a second agent gets `already_claimed` (409).
    pub async fn claim(&self, context: &StaffContext, id: &ConversationId) -> Result<AgentConversationView> {
        require_conversation_role(context)?;
        let agent = AgentRef {
            id: context.account.id.clone(),
            display_name: context.account.display_name.clone(),
        };
        self.apply_with_retry(id, |_, _| {
            let agent = agent.clone();
            async move { Ok(Event::AgentClaimed { agent }) }
        })
        .await?;
        self.agent_view(context, id).await
    }

    /// The full transcript for an agent (HUM-03): only for a conversation in the queue or held
    /// by this agent; admins may read any. Every view is an audit record: who, which
    /// conversation, when, and on what ground (SEC-09).
    pub async fn agent_view(&self, context: &StaffContext, id: &ConversationId) -> Result<AgentConversationView> {
        require_conversation_role(context)?;
        let conversation = self.store.conversation(id).await?.conversation;
        let held = conversation
            .assigned_agent
            .as_ref()
            .is_some_and(|agent| agent.id == context.account.id);
        let waiting = conversation.state == loket_core::ConversationState::WaitingForAgent;
        let ground = if held {
            "held"
        } else if waiting {
            "queue"
        } else if self.has_open_ticket(id).await? {
            "open_ticket"
        } else if context.account.role == Role::Admin {
            "admin"
        } else {
            return Err(Error::Forbidden);
        };
        let messages = self.store.messages(id, 0, u32::MAX).await?;
        let audit = AuditEvent::new(
            AuditKind::TranscriptViewed,
            Some(id),
            format!("agent:{}", context.account.id),
        )
        .attribute("role", context.account.role.as_str())
        .attribute("ground", ground)
        .count("messages", i64::try_from(messages.len()).unwrap_or(i64::MAX));
        self.store.append_audit(vec![audit], self.now()).await?;
        let ratings = self
            .store
            .conversation_audit(id)
            .await?
            .iter()
            .filter_map(|record| AnswerRating::read(&record.event))
            .map(|rating| (rating.seq, rating.helpful))
            .collect();
        Ok(AgentConversationView {
            conversation,
            messages,
            ratings,
        })
    }

    /// The holding agent writes to the customer. An agent's text is the company speaking: it
    /// is stored and shown as written (a customer must be able to read the name and details the
    /// agent gives them); only customer input is pseudonymised.
    pub async fn agent_message(&self, context: &StaffContext, id: &ConversationId, text: &str) -> Result<TurnOutcome> {
        require_conversation_role(context)?;
        let text = validate_text(text, self.config.config.limits.message_chars)?.to_string();
        let agent = context.account.id.clone();
        self.apply_with_retry(id, |_, _| {
            let agent = agent.clone();
            let text = text.clone();
            async move { Ok(Event::AgentMessage { agent, text }) }
        })
        .await
    }

    /// Gives the conversation back to the AI assistant; the customer is told and the
    /// disclosure repeated (HUM-11, DIS-05).
    pub async fn hand_back(&self, context: &StaffContext, id: &ConversationId) -> Result<TurnOutcome> {
        require_conversation_role(context)?;
        let agent = context.account.id.clone();
        self.apply_with_retry(id, |_, _| {
            let agent = agent.clone();
            async move { Ok(Event::HandBack { agent }) }
        })
        .await
    }

    /// Closes the conversation.
    pub async fn close(&self, context: &StaffContext, id: &ConversationId) -> Result<TurnOutcome> {
        require_conversation_role(context)?;
        let agent = context.account.id.clone();
        self.apply_with_retry(id, |_, _| {
            let agent = agent.clone();
            async move { Ok(Event::Close { agent }) }
        })
        .await
    }

    /// Reveals the original behind a placeholder to the holding agent or an admin; every
    /// reveal is audited (who, when, which conversation, which type). A BSN is never revealed
    /// in the chat console: it has no legal basis there (UAVG art. 46).
    pub async fn reveal(&self, context: &StaffContext, id: &ConversationId, placeholder: &str) -> Result<String> {
        require_conversation_role(context)?;
        let conversation = self.store.conversation(id).await?.conversation;
        let held = conversation
            .assigned_agent
            .as_ref()
            .is_some_and(|agent| agent.id == context.account.id);
        // A callback ticket is worked without taking over the chat: its contact details must be
        // revealable to the agent who calls back.
        if !held && context.account.role != Role::Admin && !self.has_open_ticket(id).await? {
            return Err(Error::Forbidden);
        }
        let entry = self
            .store
            .vault(id)
            .await?
            .into_iter()
            .find(|entry| entry.placeholder == placeholder)
            .ok_or(Error::NotFound)?;
        // A BSN is shown only where a statute allows it (UAVG art. 46), named in the
        // configuration; every such reveal records that the configured basis was relied on.
        let bsn_basis = self.config.config.privacy.bsn_legal_basis.is_some();
        if entry.kind == "BSN" && !bsn_basis {
            return Err(Error::Forbidden);
        }
        let key = self.data_key(id).await?;
        let value = key.open(&entry.sealed, &crate::vault_context(id, &entry.placeholder))?;
        let value = String::from_utf8(value).map_err(|_| Error::Unavailable("malformed vault value".into()))?;
        let mut audit = AuditEvent::new(
            AuditKind::VaultReveal,
            Some(id),
            format!("agent:{}", context.account.id),
        )
        .attribute("type", entry.kind.clone());
        if entry.kind == "BSN" {
            audit = audit.attribute("legal_basis", "privacy.bsn_legal_basis");
        }
        self.store.append_audit(vec![audit], self.now()).await?;
        metrics::counter!("loket_vault_reveals_total", "type" => entry.kind).increment(1);
        Ok(value)
    }
}

impl Loket {
    async fn has_open_ticket(&self, id: &ConversationId) -> Result<bool> {
        Ok(self
            .store
            .open_tickets()
            .await?
            .iter()
            .any(|ticket| &ticket.conversation_id == id))
    }
}

fn require_conversation_role(context: &StaffContext) -> Result<()> {
    if context.account.role.handles_conversations() {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// One recorded showing of the AI disclosure (DIS-12): evidence, no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureEvidence {
    /// Audit record seq.
    pub audit_seq: i64,
    /// When it was shown.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Locale of the text.
    pub locale: String,
    /// Version of the wording.
    pub template_version: String,
    /// Channel (`web`).
    pub channel: String,
}

impl Loket {
    /// Every disclosure shown in a conversation, for admins and auditors (DIS-12).
    pub async fn disclosure_evidence(
        &self,
        context: &StaffContext,
        id: &ConversationId,
    ) -> Result<Vec<DisclosureEvidence>> {
        if !matches!(context.account.role, Role::Admin | Role::Auditor) {
            return Err(Error::Forbidden);
        }
        self.store.conversation(id).await?;
        let records = self.store.conversation_audit(id).await?;
        Ok(records
            .into_iter()
            .filter(|record| record.event.kind == AuditKind::DisclosureShown)
            .map(|record| {
                let attribute = |name: &str| record.event.attributes.get(name).cloned().unwrap_or_default();
                DisclosureEvidence {
                    audit_seq: record.seq,
                    at: record.at,
                    locale: attribute("locale"),
                    template_version: attribute("template_version"),
                    channel: attribute("channel"),
                }
            })
            .collect())
    }
}

//! The compliance report (REQUIREMENTS GOV-07, GOV-01, GOV-02, §3): what the running
//! configuration and the stored evidence show about each requirement, said plainly, including
//! what is not met.
//!
//! The report is built in three steps, each usable on its own:
//! 1. [`collect_evidence`] reads the store only through the [`Store`] trait: it pages through
//!    the whole audit log once (verifying the hash chain from its anchor as it goes) and through
//!    every stored conversation once (checking that the AI disclosure came first, DIS-01).
//!    Evidence holds counts, ids, enumerated attributes and configuration values, never message
//!    text: the transcript check reads the kind and author of the first messages only.
//! 2. [`ComplianceReport::build`] turns configuration plus evidence plus the accessibility
//!    status of the browser test run into requirement rows (met / not met / requires human
//!    input / no evidence yet), a DPIA draft and an art. 30 record.
//! 3. [`ComplianceReport::render`] writes JSON, Markdown or a self-contained accessible HTML
//!    page (one `lang`, headings, tables with captions, every value escaped).
//!
//! # Layout
//! - [`Evidence`] and its parts: what the audit log and the transcripts show.
//! - [`AccessibilityStatus`]: the summary the browser tests write (`target/e2e-accessibility.json`).
//! - [`ComplianceReport`], [`RequirementRow`], [`Status`]: the report.
//! - [`RecordOfProcessing`]: the DPIA draft and the art. 30 record, as fields with their source.
//! - [`Loket::compliance_report`] and [`generate`]: role check, generation, the
//!   `report_generated` audit event.
//! - `requirements` (rows and their status rules), `coverage` (the rows of what is true by how
//!   Loket is built, so every requirement has one), `records` (DPIA draft, art. 30 records),
//!   `render` (Markdown and HTML): the parts of [`ComplianceReport::build`] and
//!   [`ComplianceReport::render`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use loket_core::audit::{AnswerRating, AuditEvent, AuditKind, AuditRecord, GENESIS_HASH, verify_chain_from};
use loket_core::config::ValidConfig;
use loket_core::staff::Role;
use loket_core::{Author, ConversationId, Locale, MessageKind};
use loket_store::Store;
use serde::{Deserialize, Serialize};

use crate::Loket;
use crate::error::{Error, Result};
use crate::evidence::CheckpointCheck;
use crate::staff::StaffContext;

mod coverage;
mod records;
mod render;
mod requirements;

pub use coverage::{FINANCIAL_REQUIREMENTS, REPORTED_REQUIREMENTS, REQUIREMENTS_BASELINE};

pub use records::{dpia, processing_record};
pub use render::{escape_html, escape_markdown};

/// Audit records read per page.
const AUDIT_PAGE: u32 = 1000;
/// Conversation ids read per page.
const CONVERSATION_PAGE: u32 = 500;
/// Messages read from the start of each conversation for the disclosure check: the disclosure
/// is message 1, so a short prefix is enough to find an AI message that came before it.
const FIRST_MESSAGES: u32 = 8;
/// Conversation ids listed per kind of violation; the total is always given.
const LISTED_VIOLATIONS: usize = 200;
/// The largest accessibility summary read, in bytes.
const MAX_ACCESSIBILITY_BYTES: u64 = 256 * 1024;
/// At most this many requirement ids are read from a browser run's summary (REQUIREMENTS.md has
/// about 120).
const MAX_BROWSER_REQUIREMENTS: usize = 300;

/// `DIS-01`, `A11Y-12`: two to four capitals and digits, a dash, two digits.
fn is_requirement_id(id: &str) -> bool {
    let Some((prefix, number)) = id.split_once('-') else {
        return false;
    };
    (2..=4).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
        && number.len() == 2
        && number.bytes().all(|byte| byte.is_ascii_digit())
}
/// A last retention run older than this breaks the "at least daily" rule of RET-02 (a day plus
/// slack for a restart).
const RETENTION_RUN_OVERDUE_HOURS: i64 = 36;
/// The marker for a field that needs a person's judgement (REQUIREMENTS §3).
pub const REQUIRES_HUMAN_INPUT: &str = "requires human input";

/// Everything the audit log and the stored conversations show. No message text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// The hash chain over the audit log.
    pub audit_chain: ChainEvidence,
    /// Signed checkpoints of the chain.
    pub checkpoints: CheckpointEvidence,
    /// Audit records per kind.
    pub events: BTreeMap<String, u64>,
    /// AI Act art. 50 disclosure evidence and the disclosure-first check (DIS-01, DIS-12).
    pub disclosure: DisclosureEvidence,
    /// Requests for a person and how they were handled (HUM-02, HUM-04, HUM-12).
    pub handoff: HandoffEvidence,
    /// Registered personal-data breaches, the newest state of each reference (SEC-10).
    pub breaches: BTreeMap<String, crate::breach::Breach>,
    /// Registered data subjects' requests, the newest state of each reference (PRIV-07, art.
    /// 12(3)).
    pub rights_requests: BTreeMap<String, crate::rights_request::RightsRequest>,
    /// Data subjects' requests typed in the chat (HUM-07): conversation, right and time, to find
    /// those the register does not list yet (PRIV-07). Not part of the report's JSON.
    #[serde(skip)]
    pub chat_rights_requests: Vec<crate::rights_request::TypedRequest>,
    /// What the content policy lint found in the served knowledge's customer-visible text
    /// (PRIV-11, ACC-06, ACC-07); set by [`generate`] from the knowledge base, not the store.
    pub content_policy: Vec<loket_kb::policy::PolicyFinding>,
    /// Answers and abstentions (ACC-01).
    pub answers: AnswerEvidence,
    /// Guard events (PII-*, PRIV-06, SEC-01, SEC-05).
    pub guards: GuardEvidence,
    /// Retention runs and legal holds (RET-02, RET-03).
    pub retention: RetentionEvidence,
    /// Data-subject requests (PRIV-07, PRIV-08, PRIV-10).
    pub subject_requests: SubjectRequestEvidence,
    /// Staff activity that concerns access to personal data (SEC-09).
    pub staff: StaffEvidence,
    /// Counters from the store.
    pub store: loket_store::Stats,
    /// Changes of the served knowledge (GOV-06, SEC-13).
    pub knowledge: KnowledgeEvidence,
}

/// Imports and rollbacks of the knowledge base, from their audit records.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KnowledgeEvidence {
    /// Imports (command line or admin API).
    pub imports: u64,
    /// Rollbacks to the generation before.
    pub rollbacks: u64,
    /// The generation the newest record made the served one.
    pub served_generation: Option<String>,
    /// When.
    pub changed_at: Option<DateTime<Utc>>,
}

/// The audit chain check.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChainEvidence {
    /// True when every record read follows its predecessor and matches its hash.
    pub intact: bool,
    /// Records read.
    pub records: u64,
    /// The seq of the last record removed by retention, when the chain was shortened.
    pub anchor_seq: Option<i64>,
    /// The seq of the newest record read.
    pub head_seq: Option<i64>,
    /// Where the chain breaks, if it does.
    pub broken_at_seq: Option<i64>,
    /// Why it breaks.
    pub broken_reason: Option<String>,
    /// The oldest record's time.
    pub oldest_at: Option<DateTime<Utc>>,
    /// The newest record's time.
    pub newest_at: Option<DateTime<Utc>>,
}

/// Signed checkpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckpointEvidence {
    /// How many exist.
    pub count: u64,
    /// Those whose signature is valid and whose hash matches the record at their seq (or whose
    /// record was removed by retention).
    pub confirmed: u64,
    /// The seqs of checkpoints that do not match.
    pub mismatched: Vec<i64>,
    /// The newest one's seq.
    pub newest_seq: Option<i64>,
    /// When the newest one was signed.
    pub newest_at: Option<DateTime<Utc>>,
}

/// Where the disclosure-first rule was found broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureProblem {
    /// The stored conversation has no messages at all.
    NoMessages,
    /// The first stored message is not the disclosure.
    FirstMessageNotDisclosure,
    /// An AI message is stored before the first disclosure.
    AiMessageBeforeDisclosure,
    /// The audit log records an AI event before any disclosure of that conversation.
    AiEventBeforeDisclosureEvent,
}

impl DisclosureProblem {
    /// A sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            DisclosureProblem::NoMessages => "the stored conversation has no messages",
            DisclosureProblem::FirstMessageNotDisclosure => "the first stored message is not the AI disclosure",
            DisclosureProblem::AiMessageBeforeDisclosure => "an AI message is stored before the AI disclosure",
            DisclosureProblem::AiEventBeforeDisclosureEvent => {
                "the audit log records an AI event before the disclosure event"
            }
        }
    }
}

/// One conversation that breaks DIS-01.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureViolation {
    /// The conversation.
    pub conversation_id: String,
    /// What is wrong.
    pub problem: DisclosureProblem,
}

/// AI Act art. 50 evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DisclosureEvidence {
    /// `disclosure_shown` records.
    pub shown: u64,
    /// Per locale.
    pub by_locale: BTreeMap<String, u64>,
    /// Per template version.
    pub by_template_version: BTreeMap<String, u64>,
    /// Per channel.
    pub by_channel: BTreeMap<String, u64>,
    /// Records without locale, template version or channel (DIS-12 needs all three).
    pub incomplete_records: u64,
    /// Stored conversations whose first messages were checked.
    pub conversations_checked: u64,
    /// Of those, the ones that start with the disclosure and have no AI message before it.
    pub conversations_disclosure_first: u64,
    /// Violations found (all of them are counted, the first `LISTED_VIOLATIONS` listed).
    pub violations_total: u64,
    /// The listed violations.
    pub violations: Vec<DisclosureViolation>,
}

/// Requests for a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HandoffEvidence {
    /// `handoff_requested`.
    pub requested: u64,
    /// Per trigger (`button`, `text`, `complaint`, `crisis`).
    pub requested_by_trigger: BTreeMap<String, u64>,
    /// `handoff_accepted`.
    pub accepted: u64,
    /// `handoff_unavailable`: nobody could take over; alternatives were given.
    pub unavailable: u64,
    /// Per reason.
    pub unavailable_by_reason: BTreeMap<String, u64>,
    /// The bot offered a person on its own (HUM-06).
    pub offered_by_bot: u64,
    /// Hand-backs to the AI assistant.
    pub hand_backs: u64,
    /// Callback and e-mail tickets.
    pub tickets: u64,
    /// Withdrawal or cancellation statements acknowledged in the chat (ACC-04).
    pub withdrawal_statements: u64,
    /// Requests for personal advice declined in the chat, per topic (ACC-10).
    pub advice_declined: BTreeMap<String, u64>,
    /// Data subjects' requests made in the chat and handed to a person, per right (HUM-07).
    pub rights_requests: BTreeMap<String, u64>,
    /// Request → acceptance pairs measured.
    pub measured: u64,
    /// Median seconds from `handoff_requested` to `handoff_accepted`.
    pub median_seconds_to_person: Option<i64>,
    /// 90th percentile of the same.
    pub p90_seconds_to_person: Option<i64>,
}

/// Answers and abstentions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnswerEvidence {
    /// `ai_answer`.
    pub answers: u64,
    /// `abstention`.
    pub abstentions: u64,
    /// Per reason.
    pub abstention_reasons: BTreeMap<String, u64>,
    /// answers / (answers + abstentions).
    pub answer_rate: Option<f64>,
    /// abstentions / (answers + abstentions).
    pub abstention_rate: Option<f64>,
    /// Distinct knowledge sources cited.
    pub distinct_sources: u64,
    /// Answers that cite no source (ACC-01 allows none).
    pub answers_without_source: u64,
    /// Truthful answers to "am I talking to a person?" (DIS-06).
    pub identity_answers: u64,
    /// Answers per wording: `approved`, `generated` (by the model, every sentence verified) or
    /// `fallback` (the model's text failed a check; the approved text was sent).
    pub phrasing: BTreeMap<String, u64>,
    /// Why the model's text was not used, per reason.
    pub fallback_reasons: BTreeMap<String, u64>,
    /// Answers the customer said were right ("Klopte dit antwoord?" yes; ACC-09).
    pub rated_right: u64,
    /// Answers the customer said were not right: each is a lead for the content owner.
    pub rated_wrong: u64,
    /// Knowledge entries cited by answers rated not right, with how often.
    pub rated_wrong_sources: BTreeMap<String, u64>,
    /// Wrong-answer incidents recorded (`loket incident record`).
    pub incidents: u64,
    /// Conversations those incidents linked.
    pub incident_conversations: u64,
}

/// Guard events.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GuardEvidence {
    /// Messages in which personal data was pseudonymised.
    pub pii_redacted_messages: u64,
    /// Values pseudonymised, per type.
    pub pii_by_type: BTreeMap<String, i64>,
    /// Special-category signals, per category.
    pub sensitive_by_category: BTreeMap<String, u64>,
    /// Just-in-time privacy warnings.
    pub privacy_warnings: u64,
    /// Messages flagged as prompt injection.
    pub injection_flagged: u64,
    /// Per detector reason.
    pub injection_reasons: BTreeMap<String, u64>,
    /// Outgoing AI messages blocked.
    pub output_blocked: u64,
    /// Per reason.
    pub output_blocked_by_reason: BTreeMap<String, u64>,
}

/// Retention.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RetentionEvidence {
    /// Complete retention runs (each writes a summary record, also when nothing expired).
    pub runs: u64,
    /// The newest complete run.
    pub last_run_at: Option<DateTime<Utc>>,
    /// Batches that removed something (one `retention_run` record each).
    pub batches: u64,
    /// Records removed per store, over the whole log.
    pub removed_by_store: BTreeMap<String, i64>,
    /// Legal holds placed or lifted.
    pub legal_hold_events: u64,
    /// Statutory-ground tags placed or removed (RET-03).
    pub statutory_events: u64,
}

/// Data-subject requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SubjectRequestEvidence {
    /// Exports (GDPR art. 15 and 20).
    pub exports: u64,
    /// The newest export.
    pub last_export_at: Option<DateTime<Utc>>,
    /// Erasures (GDPR art. 17).
    pub erasures: u64,
    /// The newest erasure.
    pub last_erasure_at: Option<DateTime<Utc>>,
    /// Conversations erased again from the erasure journal after a restore (`loket gdpr
    /// replay`, RET-08); not counted in `erasures`.
    pub replayed_erasures: u64,
}

/// Staff activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StaffEvidence {
    /// Logins.
    pub logins: u64,
    /// Failed logins.
    pub failed_logins: u64,
    /// Personal-data values revealed to staff (each one audited).
    pub vault_reveals: u64,
    /// Transcripts opened by staff (each one audited).
    pub transcript_views: u64,
    /// Compliance reports generated before this one.
    pub reports_generated: u64,
    /// Server starts with a configuration.
    pub configurations_loaded: u64,
    /// Second factors set up (SEC-09).
    pub second_factors_enabled: u64,
    /// Second factors reset by an admin.
    pub second_factor_resets: u64,
    /// Logins with a recovery code instead of an app's code.
    pub recovery_code_logins: u64,
}

/// Reads the evidence from `store` through the [`Store`] trait only.
pub async fn collect_evidence(store: &dyn Store) -> Result<Evidence> {
    let mut evidence = Evidence {
        store: store.stats().await?,
        ..Evidence::default()
    };
    let checkpoints = store.checkpoints().await?;
    let mut tally = AuditTally {
        checkpoint_seqs: checkpoints.iter().map(|checkpoint| checkpoint.seq).collect(),
        ..AuditTally::default()
    };
    let anchor = store.audit_anchor().await?;
    let (mut verified_seq, mut verified_hash) = match &anchor {
        Some(anchor) => (anchor.seq, anchor.hash.clone()),
        None => (0, GENESIS_HASH.to_string()),
    };
    evidence.audit_chain.anchor_seq = anchor.as_ref().map(|anchor| anchor.seq);
    evidence.audit_chain.intact = true;
    let mut after = verified_seq;
    loop {
        let page = store.audit_records(after, AUDIT_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        if evidence.audit_chain.intact {
            // Each page is verified from the last verified record, so the whole log is checked
            // without holding it in memory.
            match verify_chain_from(verified_seq, &verified_hash, page.iter().cloned()) {
                Ok(_) => {
                    verified_seq = last.seq;
                    verified_hash = last.hash.clone();
                }
                Err(broken) => {
                    evidence.audit_chain.intact = false;
                    evidence.audit_chain.broken_at_seq = Some(broken.seq);
                    evidence.audit_chain.broken_reason = Some(broken.reason.to_string());
                }
            }
        }
        for record in &page {
            evidence.audit_chain.records += 1;
            evidence.audit_chain.oldest_at.get_or_insert(record.at);
            evidence.audit_chain.newest_at = Some(record.at);
            evidence.audit_chain.head_seq = Some(record.seq);
            tally.add(record, &mut evidence);
        }
        if page.len() < AUDIT_PAGE as usize {
            break;
        }
    }
    let checkpoint_hashes = std::mem::take(&mut tally.checkpoint_hashes);
    tally.finish(&mut evidence);

    let first_kept = evidence.audit_chain.anchor_seq.unwrap_or(0);
    let head = evidence.audit_chain.head_seq.unwrap_or(first_kept);
    let mut confirmed = 0;
    let mut mismatched = Vec::new();
    for checkpoint in &checkpoints {
        let record_hash = checkpoint_hashes.get(&checkpoint.seq).map(String::as_str);
        match crate::evidence::check_checkpoint(checkpoint, first_kept, head, record_hash) {
            CheckpointCheck::Confirmed | CheckpointCheck::BeforeAnchor => confirmed += 1,
            CheckpointCheck::BadSignature | CheckpointCheck::BeyondHead | CheckpointCheck::HashDiffers => {
                mismatched.push(checkpoint.seq)
            }
        }
    }
    evidence.checkpoints = CheckpointEvidence {
        count: checkpoints.len() as u64,
        confirmed,
        mismatched,
        newest_seq: checkpoints.last().map(|checkpoint| checkpoint.seq),
        newest_at: checkpoints.last().map(|checkpoint| checkpoint.at),
    };

    check_transcripts(store, &mut evidence.disclosure).await?;
    Ok(evidence)
}

/// The per-conversation state the audit pass needs.
#[derive(Default)]
struct AuditTally {
    /// Conversations whose start is in the (possibly shortened) log.
    started: HashSet<String>,
    /// Conversations with at least one disclosure event.
    disclosed: HashSet<String>,
    /// Conversations already reported by the audit check.
    reported: HashSet<String>,
    /// Open requests for a person: conversation → when it was asked.
    pending_requests: HashMap<String, DateTime<Utc>>,
    /// Seconds from request to acceptance.
    waits: Vec<i64>,
    /// Knowledge sources cited.
    sources: HashSet<String>,
    /// The seqs signed checkpoints cover.
    checkpoint_seqs: HashSet<i64>,
    /// The hashes of the records at those seqs.
    checkpoint_hashes: HashMap<i64, String>,
}

impl AuditTally {
    fn add(&mut self, record: &AuditRecord, evidence: &mut Evidence) {
        let event = &record.event;
        if self.checkpoint_seqs.contains(&record.seq) {
            self.checkpoint_hashes.insert(record.seq, record.hash.clone());
        }
        *evidence.events.entry(event.kind.as_str().to_string()).or_default() += 1;
        let conversation = event.conversation.as_ref().map(|id| id.as_str().to_string());
        let attribute = |name: &str| event.attributes.get(name).cloned();
        let bump = |map: &mut BTreeMap<String, u64>, key: Option<String>| {
            *map.entry(key.unwrap_or_else(|| "unspecified".into())).or_default() += 1;
        };
        match event.kind {
            AuditKind::ConversationStarted => {
                if let Some(id) = conversation {
                    self.started.insert(id);
                }
            }
            AuditKind::DisclosureShown => {
                let disclosure = &mut evidence.disclosure;
                disclosure.shown += 1;
                let (locale, version, channel) =
                    (attribute("locale"), attribute("template_version"), attribute("channel"));
                if locale.is_none() || version.is_none() || channel.is_none() {
                    disclosure.incomplete_records += 1;
                }
                bump(&mut disclosure.by_locale, locale);
                bump(&mut disclosure.by_template_version, version);
                bump(&mut disclosure.by_channel, channel);
                if let Some(id) = conversation {
                    self.disclosed.insert(id);
                }
            }
            AuditKind::AiAnswer | AuditKind::Abstention | AuditKind::IdentityAnswered | AuditKind::HumanOffered => {
                if let Some(id) = &conversation
                    && self.started.contains(id)
                    && !self.disclosed.contains(id)
                    && self.reported.insert(id.clone())
                {
                    record_violation(
                        &mut evidence.disclosure,
                        id.clone(),
                        DisclosureProblem::AiEventBeforeDisclosureEvent,
                    );
                }
                match event.kind {
                    AuditKind::AiAnswer => {
                        evidence.answers.answers += 1;
                        if event.ids.is_empty() {
                            evidence.answers.answers_without_source += 1;
                        }
                        self.sources.extend(event.ids.iter().cloned());
                        if let Some(phrasing) = attribute("phrasing") {
                            bump(&mut evidence.answers.phrasing, Some(phrasing));
                        }
                        if let Some(reason) = attribute("fallback_reason") {
                            bump(&mut evidence.answers.fallback_reasons, Some(reason));
                        }
                    }
                    AuditKind::Abstention => {
                        evidence.answers.abstentions += 1;
                        bump(&mut evidence.answers.abstention_reasons, attribute("reason"));
                    }
                    AuditKind::IdentityAnswered => evidence.answers.identity_answers += 1,
                    _ => evidence.handoff.offered_by_bot += 1,
                }
            }
            AuditKind::HandoffRequested => {
                evidence.handoff.requested += 1;
                bump(&mut evidence.handoff.requested_by_trigger, attribute("trigger"));
                if let Some(id) = conversation {
                    self.pending_requests.entry(id).or_insert(record.at);
                }
            }
            AuditKind::HandoffAccepted => {
                evidence.handoff.accepted += 1;
                if let Some(id) = conversation
                    && let Some(asked) = self.pending_requests.remove(&id)
                {
                    self.waits.push((record.at - asked).num_seconds().max(0));
                }
            }
            AuditKind::HandoffUnavailable => {
                evidence.handoff.unavailable += 1;
                bump(&mut evidence.handoff.unavailable_by_reason, attribute("reason"));
                if let Some(id) = conversation {
                    self.pending_requests.remove(&id);
                }
            }
            AuditKind::HandBack => evidence.handoff.hand_backs += 1,
            AuditKind::TicketCreated => evidence.handoff.tickets += 1,
            AuditKind::WithdrawalStatement => evidence.handoff.withdrawal_statements += 1,
            AuditKind::AdviceDeclined => bump(&mut evidence.handoff.advice_declined, attribute("topic")),
            AuditKind::RightsRequestReceived => {
                bump(&mut evidence.handoff.rights_requests, attribute("right"));
                evidence
                    .chat_rights_requests
                    .extend(crate::rights_request::typed_request(record));
            }
            AuditKind::BreachRecorded => {
                if let Some(breach) = crate::breach::Breach::read(event) {
                    evidence.breaches.insert(breach.reference.clone(), breach);
                }
            }
            AuditKind::RightsRequestRecorded => {
                if let Some(request) = crate::rights_request::RightsRequest::read(event) {
                    evidence.rights_requests.insert(request.reference.clone(), request);
                }
            }
            AuditKind::PiiRedacted => {
                let guards = &mut evidence.guards;
                // A message with only special-category words carries the record without counts.
                if !event.counts.is_empty() {
                    guards.pii_redacted_messages += 1;
                }
                for (kind, count) in &event.counts {
                    *guards.pii_by_type.entry(kind.clone()).or_default() += count;
                }
                for (name, _) in event
                    .attributes
                    .iter()
                    .filter(|(name, _)| name.starts_with("sensitive_"))
                {
                    bump(
                        &mut guards.sensitive_by_category,
                        Some(name.trim_start_matches("sensitive_").to_string()),
                    );
                }
            }
            AuditKind::PrivacyWarning => evidence.guards.privacy_warnings += 1,
            AuditKind::InjectionFlagged => {
                evidence.guards.injection_flagged += 1;
                if let Some(reasons) = attribute("reasons") {
                    for reason in reasons.split(',').filter(|reason| !reason.is_empty()) {
                        bump(&mut evidence.guards.injection_reasons, Some(reason.to_string()));
                    }
                }
            }
            AuditKind::OutputBlocked => {
                evidence.guards.output_blocked += 1;
                bump(&mut evidence.guards.output_blocked_by_reason, attribute("reason"));
            }
            AuditKind::RetentionRun => {
                let retention = &mut evidence.retention;
                // A run writes one record per batch and a closing summary with the totals; only
                // the batches are summed so nothing is counted twice.
                if attribute("phase").as_deref() == Some("complete") {
                    retention.runs += 1;
                    retention.last_run_at = Some(record.at);
                } else {
                    retention.batches += 1;
                    for (store, count) in &event.counts {
                        *retention.removed_by_store.entry(store.clone()).or_default() += count;
                    }
                }
            }
            AuditKind::LegalHold => evidence.retention.legal_hold_events += 1,
            AuditKind::StatutoryRetention => evidence.retention.statutory_events += 1,
            AuditKind::SubjectExported => {
                evidence.subject_requests.exports += 1;
                evidence.subject_requests.last_export_at = Some(record.at);
            }
            AuditKind::SubjectErased if event.actor == crate::erasure_journal::REPLAY_ACTOR => {
                evidence.subject_requests.replayed_erasures += 1
            }
            AuditKind::SubjectErased => {
                evidence.subject_requests.erasures += 1;
                evidence.subject_requests.last_erasure_at = Some(record.at);
            }
            AuditKind::StaffLogin => {
                evidence.staff.logins += 1;
                if event.attributes.get("second_factor").map(String::as_str) == Some("recovery_code") {
                    evidence.staff.recovery_code_logins += 1;
                }
            }
            AuditKind::StaffSecondFactorEnabled => evidence.staff.second_factors_enabled += 1,
            AuditKind::StaffSecondFactorReset => evidence.staff.second_factor_resets += 1,
            AuditKind::StaffLoginFailed => evidence.staff.failed_logins += 1,
            AuditKind::VaultReveal => evidence.staff.vault_reveals += 1,
            AuditKind::TranscriptViewed => evidence.staff.transcript_views += 1,
            AuditKind::WrongAnswerIncident => {
                evidence.answers.incidents += 1;
                evidence.answers.incident_conversations +=
                    u64::try_from(event.counts.get("conversations").copied().unwrap_or(0)).unwrap_or(0);
            }
            AuditKind::AnswerFeedback => match AnswerRating::read(event) {
                Some(rating) if rating.helpful => evidence.answers.rated_right += 1,
                Some(rating) => {
                    evidence.answers.rated_wrong += 1;
                    for source in rating.sources {
                        *evidence.answers.rated_wrong_sources.entry(source.clone()).or_default() += 1;
                    }
                }
                None => {}
            },
            AuditKind::ReportGenerated => evidence.staff.reports_generated += 1,
            AuditKind::ConfigLoaded => evidence.staff.configurations_loaded += 1,
            AuditKind::AgentLeft
            | AuditKind::ConversationClosed
            | AuditKind::StaffLogout
            | AuditKind::StaffCreated
            | AuditKind::StaffLanguagesChanged => {}
            AuditKind::KnowledgeImported => {
                let knowledge = &mut evidence.knowledge;
                match event.attribute_text("action") {
                    Some("rollback") => knowledge.rollbacks += 1,
                    _ => knowledge.imports += 1,
                }
                knowledge.served_generation = event.attribute_text("generation").map(str::to_string);
                knowledge.changed_at = Some(record.at);
            }
        }
    }

    fn finish(self, evidence: &mut Evidence) {
        let answers = &mut evidence.answers;
        let total = answers.answers + answers.abstentions;
        answers.answer_rate = ratio(answers.answers, total);
        answers.abstention_rate = ratio(answers.abstentions, total);
        answers.distinct_sources = self.sources.len() as u64;
        let mut waits = self.waits;
        waits.sort_unstable();
        evidence.handoff.measured = waits.len() as u64;
        evidence.handoff.median_seconds_to_person = percentile(&waits, 50);
        evidence.handoff.p90_seconds_to_person = percentile(&waits, 90);
    }
}

/// Checks every stored conversation: the first message must be the disclosure and no AI message
/// may come before it (DIS-01). Reads kinds and authors only.
async fn check_transcripts(store: &dyn Store, disclosure: &mut DisclosureEvidence) -> Result<()> {
    let mut after: Option<ConversationId> = None;
    loop {
        let ids = store.conversation_ids(after.as_ref(), CONVERSATION_PAGE).await?;
        let Some(last) = ids.last().cloned() else { break };
        for id in &ids {
            let messages = match store.messages(id, 0, FIRST_MESSAGES).await {
                Ok(messages) => messages,
                // Erased or expired between the two reads: nothing stored, nothing to check.
                Err(loket_store::Error::NotFound) => continue,
                Err(error) => return Err(error.into()),
            };
            disclosure.conversations_checked += 1;
            let shape: Vec<(Author, MessageKind)> = messages
                .iter()
                .map(|message| (message.message.author, message.message.kind))
                .collect();
            match transcript_problem(&shape) {
                None => disclosure.conversations_disclosure_first += 1,
                Some(problem) => record_violation(disclosure, id.as_str().to_string(), problem),
            }
        }
        if ids.len() < CONVERSATION_PAGE as usize {
            break;
        }
        after = Some(last);
    }
    Ok(())
}

/// What is wrong with the start of a transcript, given the author and kind of its first
/// messages in order; `None` when the disclosure comes first.
pub fn transcript_problem(messages: &[(Author, MessageKind)]) -> Option<DisclosureProblem> {
    let Some((_, first_kind)) = messages.first() else {
        return Some(DisclosureProblem::NoMessages);
    };
    if *first_kind == MessageKind::Disclosure {
        return None;
    }
    let ai_before = messages
        .iter()
        .take_while(|(_, kind)| *kind != MessageKind::Disclosure)
        .any(|(author, _)| *author == Author::Ai);
    Some(if ai_before {
        DisclosureProblem::AiMessageBeforeDisclosure
    } else {
        DisclosureProblem::FirstMessageNotDisclosure
    })
}

fn record_violation(disclosure: &mut DisclosureEvidence, conversation_id: String, problem: DisclosureProblem) {
    disclosure.violations_total += 1;
    if disclosure.violations.len() < LISTED_VIOLATIONS {
        disclosure.violations.push(DisclosureViolation {
            conversation_id,
            problem,
        });
    }
}

fn ratio(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The summary the browser tests write after their axe-core runs (`tests-e2e/support`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessibilityRun {
    /// The checker, e.g. `axe-core 4.14.1`.
    pub tool: String,
    /// When the summary was written.
    pub generated_at: DateTime<Utc>,
    /// Browser test files that ran an accessibility scan.
    pub test_files: u32,
    /// Scans (page states) checked.
    pub scans: u32,
    /// The page states scanned, e.g. `widget open`.
    #[serde(default)]
    pub states: Vec<String>,
    /// Violated rules per impact: `critical`, `serious`, `moderate`, `minor`.
    pub violations: BTreeMap<String, u32>,
    /// Wall time of the scans, in milliseconds.
    pub duration_ms: u64,
    /// Per requirement id, the browser tests (and suites) whose title names it, and how they
    /// ended in this run; absent in summaries of runs before it was recorded.
    #[serde(default)]
    pub requirements: BTreeMap<String, BrowserTests>,
}

/// The browser tests of one run that name a requirement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserTests {
    /// Passed.
    pub passed: u32,
    /// Failed.
    pub failed: u32,
}

impl AccessibilityRun {
    /// Violations with impact serious or critical: A11Y-01 allows none.
    pub fn blocking_violations(&self) -> u32 {
        ["critical", "serious"]
            .iter()
            .map(|impact| self.violations.get(*impact).copied().unwrap_or(0))
            .sum()
    }
}

/// What is known about the last browser accessibility run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AccessibilityStatus {
    /// No summary is present: no browser run recorded.
    NotRecorded,
    /// A summary was read.
    Recorded(AccessibilityRun),
    /// A summary is present but could not be used.
    Unreadable {
        /// Why.
        reason: String,
    },
}

impl AccessibilityStatus {
    /// Parses the summary's JSON.
    pub fn parse(text: &str) -> Self {
        match serde_json::from_str::<AccessibilityRun>(text) {
            Ok(mut run) => {
                // The summary comes from a file; keep what ends up in the report bounded.
                run.tool = run.tool.chars().take(80).collect();
                run.states.truncate(200);
                for state in &mut run.states {
                    *state = state.chars().take(120).collect();
                }
                run.violations
                    .retain(|impact, _| matches!(impact.as_str(), "critical" | "serious" | "moderate" | "minor"));
                run.requirements.retain(|id, _| is_requirement_id(id));
                while run.requirements.len() > MAX_BROWSER_REQUIREMENTS {
                    run.requirements.pop_last();
                }
                AccessibilityStatus::Recorded(run)
            }
            Err(_) => AccessibilityStatus::Unreadable {
                reason: "the accessibility summary is not in the expected format".into(),
            },
        }
    }

    /// Reads the summary at `path`; a missing file means no run was recorded.
    pub fn load(path: &Path) -> Self {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(_) => return AccessibilityStatus::NotRecorded,
        };
        if metadata.len() > MAX_ACCESSIBILITY_BYTES {
            return AccessibilityStatus::Unreadable {
                reason: "the accessibility summary is larger than expected".into(),
            };
        }
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text),
            Err(_) => AccessibilityStatus::Unreadable {
                reason: "the accessibility summary could not be read".into(),
            },
        }
    }
}

/// How a requirement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The configuration and the evidence show it is met.
    Met,
    /// It is not met; the row says why.
    NotMet,
    /// A person must judge or complete it.
    RequiresHumanInput,
    /// Nothing has happened yet that could show it.
    NoEvidenceYet,
}

impl Status {
    /// The label shown in the report.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not met",
            Status::RequiresHumanInput => REQUIRES_HUMAN_INPUT,
            Status::NoEvidenceYet => "no evidence yet",
        }
    }
}

/// One requirement of REQUIREMENTS.md with its status and evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementRow {
    /// The stable id, e.g. `DIS-01`.
    pub id: String,
    /// What it asks, in short.
    pub title: String,
    /// How it stands.
    pub status: Status,
    /// Counts and configuration values that support the status.
    pub evidence: Vec<String>,
}

/// A group of requirements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementSection {
    /// Heading.
    pub title: String,
    /// Where the requirements come from.
    pub basis: String,
    /// The rows.
    pub rows: Vec<RequirementRow>,
}

/// The count of rows per status.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Met.
    pub met: u32,
    /// Not met.
    pub not_met: u32,
    /// Requires human input.
    pub requires_human_input: u32,
    /// No evidence yet.
    pub no_evidence_yet: u32,
    /// The ids of the requirements that are not met.
    pub not_met_ids: Vec<String>,
}

/// A configured disclosure text (configuration, not conversation content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosureTemplate {
    /// Locale.
    pub locale: String,
    /// The version recorded with every showing.
    pub version: String,
    /// The text as shown.
    pub text: String,
    /// `custom` when configured, `default` for REQUIREMENTS §2.1's wording.
    pub origin: String,
}

/// A field of the DPIA or the art. 30 record: a value from configuration, or the
/// [`REQUIRES_HUMAN_INPUT`] marker with a hint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordField {
    /// The field name of REQUIREMENTS §3.
    pub field: String,
    /// The value, or what a person must supply.
    pub value: String,
    /// Where the value comes from (a configuration key or platform fact).
    pub source: String,
    /// True when a person must judge or complete the field.
    pub requires_human_input: bool,
}

/// A group of record fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSection {
    /// Heading.
    pub title: String,
    /// The article it implements.
    pub basis: String,
    /// Fields.
    pub fields: Vec<RecordField>,
}

/// A generated record: the DPIA draft or the art. 30 record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordOfProcessing {
    /// Heading.
    pub title: String,
    /// Sections.
    pub sections: Vec<RecordSection>,
}

impl RecordOfProcessing {
    /// Fields that need a person's input.
    pub fn human_input_fields(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|section| &section.fields)
            .filter(|field| field.requires_human_input)
            .count()
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceReport {
    /// When it was generated.
    pub generated_at: DateTime<Utc>,
    /// The software that generated it.
    pub generator: String,
    /// The company the bot speaks for.
    pub company: String,
    /// Rows per status and the ids not met.
    pub summary: Summary,
    /// The requirement rows.
    pub sections: Vec<RequirementSection>,
    /// The configured disclosure texts.
    pub disclosure_templates: Vec<DisclosureTemplate>,
    /// The evidence behind the rows.
    pub evidence: Evidence,
    /// The last browser accessibility run.
    pub accessibility: AccessibilityStatus,
    /// The DPIA draft (REQUIREMENTS §3.1).
    pub dpia: RecordOfProcessing,
    /// The art. 30(1) record (REQUIREMENTS §3.2).
    pub processing_record: RecordOfProcessing,
}

/// How to write the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// Pretty-printed JSON.
    Json,
    /// Markdown.
    Md,
    /// A self-contained HTML page.
    Html,
}

impl ReportFormat {
    /// Parses `json`, `md` (or `markdown`) and `html`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "json" => Some(ReportFormat::Json),
            "md" | "markdown" => Some(ReportFormat::Md),
            "html" => Some(ReportFormat::Html),
            _ => None,
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Md => "md",
            ReportFormat::Html => "html",
        }
    }
}

impl ComplianceReport {
    /// Builds the report from the configuration, the evidence and the accessibility status.
    pub fn build(
        config: &ValidConfig,
        evidence: Evidence,
        accessibility: AccessibilityStatus,
        now: DateTime<Utc>,
    ) -> Self {
        let dpia = dpia(config);
        let processing_record = processing_record(config);
        let sections =
            requirements::requirement_sections(config, &evidence, &accessibility, now, &dpia, &processing_record);
        let mut summary = Summary::default();
        for row in sections.iter().flat_map(|section| &section.rows) {
            match row.status {
                Status::Met => summary.met += 1,
                Status::NotMet => {
                    summary.not_met += 1;
                    summary.not_met_ids.push(row.id.clone());
                }
                Status::RequiresHumanInput => summary.requires_human_input += 1,
                Status::NoEvidenceYet => summary.no_evidence_yet += 1,
            }
        }
        let disclosure_templates = Locale::ALL
            .iter()
            .map(|locale| DisclosureTemplate {
                locale: locale.as_str().to_string(),
                version: config.wording.disclosure_version().to_string(),
                text: config.wording.disclosure(*locale).to_string(),
                origin: if config.config.bot.disclosure.contains_key(locale) {
                    "custom".into()
                } else {
                    "default".into()
                },
            })
            .collect();
        Self {
            generated_at: now,
            generator: format!("Loket {}", env!("CARGO_PKG_VERSION")),
            company: config.wording.company().to_string(),
            summary,
            sections,
            disclosure_templates,
            evidence,
            accessibility,
            dpia,
            processing_record,
        }
    }

    /// Writes the report in `format`.
    pub fn render(&self, format: ReportFormat) -> Result<String> {
        match format {
            ReportFormat::Json => serde_json::to_string_pretty(self)
                .map_err(|_| Error::Unavailable("the report could not be encoded".into())),
            ReportFormat::Md => Ok(render::render_markdown(self)),
            ReportFormat::Html => Ok(render::render_html(self)),
        }
    }

    /// Every row, for lookups.
    pub fn row(&self, id: &str) -> Option<&RequirementRow> {
        self.sections
            .iter()
            .flat_map(|section| &section.rows)
            .find(|row| row.id == id)
    }
}

fn listing(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter()
        .map(|(key, count)| format!("{key}: {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn listing_signed(map: &BTreeMap<String, i64>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter()
        .map(|(key, count)| format!("{key}: {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|rate| format!("{:.1} %", rate * 100.0))
        .unwrap_or_else(|| "n/a".into())
}

fn seconds(value: Option<i64>) -> String {
    value
        .map(|seconds| format!("{seconds} s"))
        .unwrap_or_else(|| "n/a".into())
}

fn date(value: Option<DateTime<Utc>>) -> String {
    value
        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

fn week_hours(config: &ValidConfig) -> String {
    let hours = &config.config.hours;
    format!(
        "mon {}, tue {}, wed {}, thu {}, fri {}, sat {}, sun {} ({}); {} holidays",
        hours.monday,
        hours.tuesday,
        hours.wednesday,
        hours.thursday,
        hours.friday,
        hours.saturday,
        hours.sunday,
        hours.timezone,
        hours.holidays.len()
    )
}

fn retention_rules(config: &ValidConfig) -> Vec<(&'static str, &loket_core::config::RetentionRule)> {
    let retention = &config.config.retention;
    vec![
        ("transcripts", &retention.transcripts),
        ("sensitive_transcripts", &retention.sensitive_transcripts),
        ("vault", &retention.vault),
        ("tickets", &retention.tickets),
        ("audit", &retention.audit),
        ("delivery_log", &retention.delivery_log),
    ]
}

fn or_none(text: &str) -> &str {
    if text.trim().is_empty() { "none" } else { text }
}

/// Collects the evidence, builds the report and records a `report_generated` audit event by
/// `actor` (e.g. `cli`, `agent:<login>`). For callers without a staff session (the CLI); the
/// HTTP route goes through [`Loket::compliance_report`].
#[allow(clippy::too_many_arguments)]
pub async fn generate(
    store: &dyn Store,
    config: &ValidConfig,
    content_policy: Vec<loket_kb::policy::PolicyFinding>,
    accessibility: AccessibilityStatus,
    actor: &str,
    format: ReportFormat,
    now: DateTime<Utc>,
) -> Result<ComplianceReport> {
    let mut evidence = collect_evidence(store).await?;
    evidence.content_policy = content_policy;
    let report = ComplianceReport::build(config, evidence, accessibility, now);
    let event = AuditEvent::new(AuditKind::ReportGenerated, None, actor)
        .attribute("format", format.as_str())
        .count("not_met", i64::from(report.summary.not_met))
        .count("requires_human_input", i64::from(report.summary.requires_human_input));
    store.append_audit(vec![event], now).await?;
    Ok(report)
}

/// The roles that may read evidence: admins and auditors (never message text for either here).
pub(crate) fn require_evidence_role(context: &StaffContext) -> Result<()> {
    if matches!(context.account.role, Role::Admin | Role::Auditor) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

impl Loket {
    /// The compliance report for an admin or an auditor; the generation is audited.
    pub async fn compliance_report(
        &self,
        context: &StaffContext,
        accessibility: AccessibilityStatus,
        format: ReportFormat,
    ) -> Result<ComplianceReport> {
        require_evidence_role(context)?;
        generate(
            self.store.as_ref(),
            &self.config,
            self.knowledge.base().policy_findings(),
            accessibility,
            &format!("agent:{}", context.account.id),
            format,
            self.now(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_core::config::Config;

    fn config() -> ValidConfig {
        Config::default().validate().expect("default configuration is valid")
    }

    fn check_transcript(messages: &[(Author, MessageKind)], expected: Option<DisclosureProblem>) {
        assert_eq!(transcript_problem(messages), expected, "{messages:?}");
    }

    #[test]
    fn transcript_starts_are_classified_for_dis_01() {
        use Author::{Ai, Customer, System};
        use MessageKind::{Answer, Disclosure, Text};
        check_transcript(&[(System, Disclosure), (Customer, Text), (Ai, Answer)], None);
        check_transcript(&[(System, Disclosure)], None);
        check_transcript(&[], Some(DisclosureProblem::NoMessages));
        check_transcript(
            &[(Customer, Text), (System, Disclosure)],
            Some(DisclosureProblem::FirstMessageNotDisclosure),
        );
        check_transcript(
            &[(Customer, Text), (Ai, Answer), (System, Disclosure)],
            Some(DisclosureProblem::AiMessageBeforeDisclosure),
        );
        check_transcript(&[(Ai, Answer)], Some(DisclosureProblem::AiMessageBeforeDisclosure));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 90), Some(90));
        assert_eq!(percentile(&hundred, 50), Some(50));
    }

    #[test]
    fn html_and_markdown_escaping_neutralise_markup() {
        assert_eq!(escape_html("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(escape_markdown("a|b\n*c*"), "a\\|b \\*c\\*");
    }

    #[test]
    fn accessibility_summary_is_parsed_and_blocking_violations_counted() {
        let status = AccessibilityStatus::parse(
            r#"{"tool":"axe-core 4.14.1","generated_at":"2026-11-28T10:00:00Z","test_files":3,"scans":9,
               "states":["widget open"],"violations":{"critical":0,"serious":1,"minor":4,"bogus":9},"duration_ms":1200}"#,
        );
        let AccessibilityStatus::Recorded(run) = status else {
            panic!("expected a recorded run");
        };
        assert_eq!(run.blocking_violations(), 1);
        assert!(!run.violations.contains_key("bogus"), "unknown impacts are dropped");
        assert!(matches!(
            AccessibilityStatus::parse("not json"),
            AccessibilityStatus::Unreadable { .. }
        ));
        assert_eq!(
            AccessibilityStatus::load(Path::new("/nonexistent/loket/accessibility.json")),
            AccessibilityStatus::NotRecorded
        );
    }

    /// When the tests' reports are built.
    fn report_time() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn report_with(evidence: Evidence, accessibility: AccessibilityStatus) -> ComplianceReport {
        ComplianceReport::build(&config(), evidence, accessibility, report_time())
    }

    /// The report of `settings` (which must be valid) with `evidence` and no browser run.
    fn report_of(settings: Config, evidence: Evidence) -> ComplianceReport {
        let config = settings.validate().expect("valid");
        ComplianceReport::build(&config, evidence, AccessibilityStatus::NotRecorded, report_time())
    }

    #[test]
    fn an_empty_installation_has_no_evidence_yet_rather_than_a_pass() {
        let report = report_with(Evidence::default(), AccessibilityStatus::NotRecorded);
        for id in [
            "DIS-01", "DIS-10", "DIS-12", "HUM-12", "ACC-01", "ACC-04", "A11Y-01", "GOV-03",
        ] {
            assert_eq!(
                report.row(id).map(|row| row.status),
                Some(Status::NoEvidenceYet),
                "{id}"
            );
        }
    }

    #[test]
    fn a_disclosure_violation_makes_dis_01_not_met_and_names_the_conversation() {
        let mut evidence = Evidence::default();
        evidence.disclosure.conversations_checked = 3;
        record_violation(
            &mut evidence.disclosure,
            "c-123".into(),
            DisclosureProblem::FirstMessageNotDisclosure,
        );
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        let row = report.row("DIS-01").expect("DIS-01 row");
        assert_eq!(row.status, Status::NotMet);
        assert!(row.evidence.iter().any(|line| line.contains("c-123")));
        assert!(report.summary.not_met_ids.contains(&"DIS-01".to_string()));
    }

    #[test]
    fn an_operator_without_recorded_ai_literacy_makes_gov_03_not_met() {
        let mut evidence = Evidence::default();
        evidence.store.operators = 3;
        evidence.store.operators_without_ai_literacy = 1;
        let report = report_with(evidence.clone(), AccessibilityStatus::NotRecorded);
        let row = report.row("GOV-03").expect("GOV-03 row");
        assert_eq!(row.status, Status::NotMet);
        assert!(
            row.evidence[0].ends_with("without a recorded AI-literacy training: 1"),
            "{:?}",
            row.evidence
        );
        evidence.store.operators_without_ai_literacy = 0;
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        assert_eq!(report.row("GOV-03").map(|row| row.status), Some(Status::Met));
    }

    #[test]
    fn a_breach_not_notified_within_72_hours_makes_sec_10_not_met() {
        use crate::breach::{Breach, BreachKind, BreachRisk};
        let now = report_time();
        let breach = |reference: &str, hours_ago: i64, notified: bool| Breach {
            reference: reference.into(),
            kind: BreachKind::MisdirectedTranscript,
            risk: BreachRisk::Risk,
            detected_at: now - chrono::Duration::hours(hours_ago),
            ap_notified_at: notified.then_some(now - chrono::Duration::hours(1)),
            subjects_informed: false,
            conversations: Vec::new(),
        };
        let mut evidence = Evidence::default();
        evidence.breaches.insert("DL-1".into(), breach("DL-1", 10, false));
        let report = report_with(evidence.clone(), AccessibilityStatus::NotRecorded);
        let row = report.row("SEC-10").expect("SEC-10 row");
        assert_eq!(row.status, Status::RequiresHumanInput);
        assert!(
            row.evidence
                .iter()
                .any(|line| line.contains("DL-1") && line.contains("due")),
            "{:?}",
            row.evidence
        );
        evidence.breaches.insert("DL-2".into(), breach("DL-2", 80, false));
        let report = report_with(evidence.clone(), AccessibilityStatus::NotRecorded);
        assert_eq!(report.row("SEC-10").map(|row| row.status), Some(Status::NotMet));
        evidence.breaches.insert("DL-2".into(), breach("DL-2", 60, true));
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        assert_eq!(
            report.row("SEC-10").map(|row| row.status),
            Some(Status::RequiresHumanInput)
        );
    }

    #[test]
    fn a_request_open_past_its_month_makes_priv_07_not_met() {
        use crate::rights_request::{Outcome, Right, RightsRequest};
        let now = report_time();
        let request = |reference: &str, days_ago: i64, answered: bool| RightsRequest {
            reference: reference.into(),
            right: Right::Access,
            received_at: now - chrono::Duration::days(days_ago),
            extended_at: None,
            answered_at: answered.then_some(now - chrono::Duration::days(1)),
            outcome: answered.then_some(Outcome::Fulfilled),
            conversations: Vec::new(),
        };
        let mut evidence = Evidence::default();
        evidence.subject_requests.exports = 1;
        evidence
            .rights_requests
            .insert("AVG-1".into(), request("AVG-1", 10, false));
        let report = report_with(evidence.clone(), AccessibilityStatus::NotRecorded);
        let row = report.row("PRIV-07").expect("PRIV-07 row");
        assert_eq!(row.status, Status::Met);
        assert!(
            row.evidence
                .iter()
                .any(|line| line.contains("registered") && line.contains("open: 1")),
            "{:?}",
            row.evidence
        );
        evidence
            .rights_requests
            .insert("AVG-2".into(), request("AVG-2", 40, false));
        let report = report_with(evidence.clone(), AccessibilityStatus::NotRecorded);
        let row = report.row("PRIV-07").expect("PRIV-07 row");
        assert_eq!(row.status, Status::NotMet);
        assert!(
            row.evidence
                .iter()
                .any(|line| line.starts_with("AVG-2: access") && line.contains("past its deadline")),
            "{:?}",
            row.evidence
        );
        evidence
            .rights_requests
            .insert("AVG-2".into(), request("AVG-2", 20, true));
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        assert_eq!(report.row("PRIV-07").map(|row| row.status), Some(Status::Met));
    }

    #[test]
    fn an_external_model_is_listed_with_its_agreement_region_and_transfer_mechanism_priv_12() {
        let mut settings = Config::default();
        let generation = &mut settings.generation;
        generation.provider = loket_core::config::ModelProvider::Openai;
        generation.base_url = Some("https://models.example/v1".into());
        generation.model = "mistral-small".into();
        generation.processor = "Example Models B.V.".into();
        generation.region = "US (Virginia)".into();
        generation.retention = "30 days".into();
        generation.dpa_reference = Some("DPA-2026-014".into());
        generation.transfer_mechanism = Some("scc_tia".into());
        let report = report_of(settings, Evidence::default());
        let row = report.row("PRIV-12").expect("PRIV-12 row");
        assert_eq!(row.status, Status::Met);
        assert!(
            row.evidence[0].contains("DPA-2026-014") && row.evidence[0].contains("scc_tia"),
            "{:?}",
            row.evidence
        );
        let plain = report_with(Evidence::default(), AccessibilityStatus::NotRecorded);
        assert_eq!(
            plain.row("PRIV-12").map(|row| row.status),
            Some(Status::RequiresHumanInput)
        );
    }

    #[test]
    fn content_policy_findings_make_their_rows_not_met_and_name_the_entry() {
        let finding = |entry: &str, rule: &str| loket_kb::policy::PolicyFinding {
            source: "faq.jsonl:3".into(),
            entry_id: entry.into(),
            rule: rule.into(),
            requirement: String::new(),
            excerpt: "Alleen vandaag".into(),
        };
        let report = report_with(Evidence::default(), AccessibilityStatus::NotRecorded);
        for id in ["ACC-06", "ACC-07", "PRIV-11"] {
            assert_eq!(
                report.row(id).map(|row| row.status),
                Some(Status::RequiresHumanInput),
                "{id}"
            );
        }
        let evidence = Evidence {
            content_policy: vec![finding("nl-actie", "false_urgency")],
            ..Evidence::default()
        };
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        let row = report.row("ACC-06").expect("ACC-06 row");
        assert_eq!(row.status, Status::NotMet);
        assert!(
            row.evidence
                .iter()
                .any(|line| line.starts_with("nl-actie (faq.jsonl:3)")),
            "{:?}",
            row.evidence
        );
        assert_eq!(
            report.row("ACC-07").map(|row| row.status),
            Some(Status::RequiresHumanInput)
        );
        assert_eq!(
            report.row("PRIV-11").map(|row| row.status),
            Some(Status::RequiresHumanInput)
        );
    }

    #[test]
    fn withdrawal_statements_and_answers_are_evidence_for_acc_04_and_dis_10() {
        let mut evidence = Evidence::default();
        evidence.handoff.withdrawal_statements = 2;
        evidence.answers.answers = 5;
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        assert_eq!(report.row("ACC-04").map(|row| row.status), Some(Status::Met));
        assert_eq!(report.row("DIS-10").map(|row| row.status), Some(Status::Met));
    }

    #[test]
    fn declined_advice_is_counted_and_a_licensed_topic_needs_a_person_acc_10() {
        let mut evidence = Evidence::default();
        evidence.handoff.advice_declined = BTreeMap::from([("investment".to_string(), 3), ("medical".to_string(), 1)]);
        let report = report_with(evidence.clone(), AccessibilityStatus::NotRecorded);
        let row = report.row("ACC-10").expect("ACC-10 row");
        assert_eq!(row.status, Status::Met);
        assert!(
            row.evidence[0].ends_with("investment: 3, medical: 1"),
            "{:?}",
            row.evidence
        );
        assert!(row.evidence[1].contains("investment, insurance, credit, tax, legal, medical"));

        let mut settings = Config::default();
        settings.answer.licensed_advice = vec![loket_core::advice::AdviceTopic::Insurance];
        let report = report_of(settings, evidence);
        let row = report.row("ACC-10").expect("ACC-10 row");
        assert_eq!(row.status, Status::RequiresHumanInput);
        assert!(!row.evidence[1].contains("insurance"), "{:?}", row.evidence);
        assert!(
            row.evidence[2].contains("answer.licensed_advice: insurance"),
            "{:?}",
            row.evidence
        );
    }

    #[test]
    fn the_ai_act_record_needs_both_screenings_and_a_high_risk_use_a_person_gov_04() {
        let status = |adjust: &dyn Fn(&mut Config)| {
            let mut settings = Config::default();
            adjust(&mut settings);
            let report = report_of(settings, Evidence::default());
            report.row("GOV-04").map(|row| (row.status, row.evidence.clone()))
        };
        assert_eq!(status(&|_| {}).map(|(status, _)| status), Some(Status::NotMet));
        let screened = |config: &mut Config| {
            config.governance.prohibited_practices_screening = Some("AI-register 2026-01, art. 5".into());
            config.governance.high_risk_screening = Some("AI-register 2026-02, Annex III".into());
        };
        let (met, evidence) = status(&screened).expect("GOV-04 row");
        assert_eq!(met, Status::Met);
        assert!(evidence[0].starts_with("role: deployer"), "{evidence:?}");
        let (high_risk, evidence) = status(&|config: &mut Config| {
            screened(config);
            config.governance.high_risk_uses = vec![loket_core::config::HighRiskUse::InsurancePricing];
            config.governance.fria_reference = Some("FRIA-7".into());
        })
        .expect("GOV-04 row");
        assert_eq!(high_risk, Status::RequiresHumanInput);
        assert!(
            evidence[2].contains("insurance_pricing") && evidence[2].contains("FRIA-7"),
            "{evidence:?}"
        );
    }

    #[test]
    fn the_reading_ease_of_every_customer_text_is_measured_dis_11() {
        let report = report_with(Evidence::default(), AccessibilityStatus::NotRecorded);
        let row = report.row("DIS-11").expect("DIS-11 row");
        assert_eq!(row.status, Status::RequiresHumanInput);
        for (locale, scale) in [("nl", "Flesch-Douma"), ("en", "Flesch")] {
            assert!(
                row.evidence.iter().any(|line| line.starts_with(&format!(
                    "{locale} ({scale}): 24 texts the customer reads, reading ease"
                ))),
                "{:?}",
                row.evidence
            );
        }
    }

    #[test]
    fn the_chat_decides_nothing_and_a_person_is_always_reachable_hum_09_hum_10() {
        let report = report_with(Evidence::default(), AccessibilityStatus::NotRecorded);
        for id in ["HUM-09", "HUM-10"] {
            assert_eq!(report.row(id).map(|row| row.status), Some(Status::Met), "{id}");
        }
        let hum_10 = report.row("HUM-10").expect("HUM-10 row");
        assert!(
            hum_10.evidence[0].contains("phone: 020-123 4567"),
            "{:?}",
            hum_10.evidence
        );
        assert!(
            report.row("FIN-01").is_none(),
            "only a financial company gets the sector's rows"
        );

        let mut settings = Config::default();
        settings.governance.high_risk_uses = vec![loket_core::config::HighRiskUse::PublicBenefits];
        settings.governance.fria_reference = Some("FRIA-2026-2".into());
        let report = report_of(settings, Evidence::default());
        let hum_09 = report.row("HUM-09").expect("HUM-09 row");
        assert_eq!(hum_09.status, Status::RequiresHumanInput);
        assert!(hum_09.evidence[2].contains("public_benefits"), "{:?}", hum_09.evidence);
    }

    #[test]
    fn what_loket_never_does_is_stated_with_the_settings_around_it_dis_13_priv_05_a11y_09() {
        let mut settings = Config::default();
        settings.bot.disclosure_idle_minutes = 45;
        settings.handoff.wait_timeout_minutes = 12;
        settings.retention.transcripts.days = 60;
        let report = report_of(settings, Evidence::default());
        let section_of = |id: &str| {
            report
                .sections
                .iter()
                .find(|section| section.rows.iter().any(|row| row.id == id))
                .map(|section| section.title.clone())
        };
        assert_eq!(section_of("DIS-13").as_deref(), Some("AI Act art. 50: transparency"));
        assert_eq!(section_of("PRIV-05").as_deref(), Some("Privacy"));
        assert_eq!(section_of("A11Y-09").as_deref(), Some("Accessibility"));
        for id in ["DIS-13", "PRIV-05", "A11Y-09"] {
            assert_eq!(report.row(id).map(|row| row.status), Some(Status::Met), "{id}");
        }
        let a11y_09 = &report.row("A11Y-09").expect("A11Y-09 row").evidence;
        assert!(a11y_09[1].starts_with("after 45 minutes"), "{a11y_09:?}");
        assert!(a11y_09[2].contains("after 12 minutes"), "{a11y_09:?}");
        assert!(a11y_09[3].contains("kept 60 days"), "{a11y_09:?}");
        let priv_05 = &report.row("PRIV-05").expect("PRIV-05 row").evidence;
        assert_eq!(
            priv_05.last().map(String::as_str),
            Some("no setting turns any of these on")
        );
    }

    #[test]
    fn a_financial_company_gets_the_rows_of_its_sector_fin_01_to_fin_06() {
        use loket_core::config::Sector;
        let report_for = |adjust: &dyn Fn(&mut Config), evidence: Evidence| {
            let mut settings = Config::default();
            settings.company.sector = Sector::Financial;
            adjust(&mut settings);
            report_of(settings, evidence)
        };
        let status = |report: &ComplianceReport, id: &str| report.row(id).map(|row| row.status);

        let report = report_for(&|_| {}, Evidence::default());
        let section = report
            .sections
            .iter()
            .find(|section| section.title.starts_with("Financial services"))
            .expect("the financial section");
        let ids: Vec<&str> = section.rows.iter().map(|row| row.id.as_str()).collect();
        assert_eq!(ids, ["FIN-01", "FIN-02", "FIN-03", "FIN-04", "FIN-05", "FIN-06"]);
        assert_eq!(status(&report, "FIN-01"), Some(Status::NoEvidenceYet));
        assert_eq!(status(&report, "FIN-02"), status(&report, "ACC-06"));
        assert_eq!(status(&report, "FIN-03"), Some(Status::RequiresHumanInput));
        assert_eq!(status(&report, "FIN-04"), Some(Status::Met));
        assert_eq!(status(&report, "FIN-05"), Some(Status::Met));
        assert_eq!(status(&report, "FIN-06"), Some(Status::Met));

        let mut evidence = Evidence::default();
        evidence.handoff.requested = 3;
        evidence.handoff.accepted = 2;
        let report = report_for(&|_| {}, evidence);
        assert_eq!(status(&report, "FIN-01"), Some(Status::Met));

        // Investment services with the default 90 days of transcripts: not kept long enough.
        let report = report_for(&|config| config.company.investment_services = true, Evidence::default());
        let fin_06 = report.row("FIN-06").expect("FIN-06 row");
        assert_eq!(fin_06.status, Status::NotMet);
        assert!(
            fin_06.evidence[1].starts_with("transcripts are kept 90 days"),
            "{:?}",
            fin_06.evidence
        );
        let report = report_for(
            &|config| {
                config.company.investment_services = true;
                config.retention.transcripts.days = 1_827;
            },
            Evidence::default(),
        );
        assert_eq!(status(&report, "FIN-06"), Some(Status::Met));
        // Or only the tagged conversations, for a ground of five years (RET-03).
        let mut evidence = Evidence::default();
        evidence.retention.statutory_events = 2;
        evidence.store.statutory_kept = 3;
        let report = report_for(
            &|config| {
                config.company.investment_services = true;
                config.retention.statutory = vec![loket_core::config::StatutoryGround {
                    ground: "mifid_ii".into(),
                    days: 1_827,
                    justification: "MiFID II art. 16(7), five years.".into(),
                }];
            },
            evidence,
        );
        let fin_06 = report.row("FIN-06").expect("FIN-06 row");
        assert_eq!(fin_06.status, Status::Met);
        assert!(
            fin_06.evidence[1].contains("`mifid_ii`") && fin_06.evidence[1].ends_with("tags placed or removed: 2"),
            "{:?}",
            fin_06.evidence
        );
        let ret_03 = report.row("RET-03").expect("RET-03 row");
        assert_eq!(ret_03.status, Status::Met);
        assert!(
            ret_03
                .evidence
                .iter()
                .any(|line| line.starts_with("conversations kept for a statutory ground now: 3;")),
            "{:?}",
            ret_03.evidence
        );
        assert!(
            ret_03
                .evidence
                .iter()
                .any(|line| line.starts_with("ground `mifid_ii`: 1827 days")),
            "{:?}",
            ret_03.evidence
        );
        assert_eq!(
            report_for(&|_| {}, Evidence::default())
                .row("RET-03")
                .map(|row| row.status),
            Some(Status::RequiresHumanInput)
        );

        // An external model vendor is named with its register entry; credit scoring needs a person.
        let report = report_for(
            &|config| {
                let generation = &mut config.generation;
                generation.provider = loket_core::config::ModelProvider::Openai;
                generation.base_url = Some("https://models.example/v1".into());
                generation.model = "some-model".into();
                generation.dpa_reference = Some("DPA-2026-014".into());
                generation.transfer_mechanism = Some("eea".into());
                generation.processor = "Example Models B.V.".into();
                generation.region = "EU (Amsterdam)".into();
                generation.retention = "none".into();
                generation.dora_register_reference = Some("RoI row 17".into());
                config.governance.high_risk_uses = vec![loket_core::config::HighRiskUse::CreditScoring];
                config.governance.fria_reference = Some("FRIA-2026-9".into());
            },
            Evidence::default(),
        );
        let fin_05 = report.row("FIN-05").expect("FIN-05 row");
        assert!(
            fin_05.evidence[0].contains("register entry RoI row 17"),
            "{:?}",
            fin_05.evidence
        );
        assert!(
            report
                .dpia
                .sections
                .iter()
                .flat_map(|section| &section.fields)
                .any(|field| field.value.contains("DORA register of information: RoI row 17")),
            "the DPIA's description of the model names the register entry"
        );
        let fin_04 = report.row("FIN-04").expect("FIN-04 row");
        assert_eq!(fin_04.status, Status::RequiresHumanInput);
        assert!(fin_04.evidence[0].contains("FRIA-2026-9"), "{:?}", fin_04.evidence);
    }

    #[test]
    fn children_as_likely_customers_are_recorded_priv_15() {
        let report = report_with(Evidence::default(), AccessibilityStatus::NotRecorded);
        assert_eq!(
            report.row("PRIV-15").map(|row| row.status),
            Some(Status::RequiresHumanInput)
        );
        let mut settings = Config::default();
        settings.privacy.minors_likely = true;
        let report = report_of(settings, Evidence::default());
        let row = report.row("PRIV-15").expect("PRIV-15 row");
        assert_eq!(row.status, Status::Met);
        assert!(
            row.evidence[1].ends_with("no purpose rests on consent"),
            "{:?}",
            row.evidence
        );
    }

    #[test]
    fn a_broken_chain_makes_gov_07_not_met() {
        let mut evidence = Evidence::default();
        evidence.audit_chain.intact = false;
        evidence.audit_chain.broken_at_seq = Some(7);
        let report = report_with(evidence, AccessibilityStatus::NotRecorded);
        assert_eq!(report.row("GOV-07").map(|row| row.status), Some(Status::NotMet));
    }

    #[test]
    fn serious_axe_violations_make_a11y_01_not_met() {
        let run = AccessibilityRun {
            tool: "axe-core".into(),
            generated_at: DateTime::from_timestamp(1_799_000_000, 0).unwrap_or_default(),
            test_files: 1,
            scans: 2,
            states: Vec::new(),
            violations: BTreeMap::from([("serious".to_string(), 1)]),
            duration_ms: 10,
            requirements: BTreeMap::new(),
        };
        let report = report_with(Evidence::default(), AccessibilityStatus::Recorded(run.clone()));
        assert_eq!(report.row("A11Y-01").map(|row| row.status), Some(Status::NotMet));
        let clean = AccessibilityRun {
            violations: BTreeMap::from([("minor".to_string(), 3)]),
            ..run
        };
        let report = report_with(Evidence::default(), AccessibilityStatus::Recorded(clean));
        assert_eq!(report.row("A11Y-01").map(|row| row.status), Some(Status::Met));
    }

    #[test]
    fn dpia_and_art_30_record_mark_judgement_fields_gov_01_gov_02() {
        let config = config();
        let dpia = dpia(&config);
        assert!(dpia.human_input_fields() >= 5);
        let risks = dpia
            .sections
            .iter()
            .find(|section| section.title.starts_with("E."))
            .expect("risk section");
        assert_eq!(risks.fields.len(), 16, "every risk of REQUIREMENTS §3.1 E");
        assert!(
            risks
                .fields
                .iter()
                .all(|item| item.value.contains(REQUIRES_HUMAN_INPUT))
        );
        let record = processing_record(&config);
        let fields: Vec<&str> = record.sections[0]
            .fields
            .iter()
            .map(|item| item.field.as_str())
            .collect();
        for letter in ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)"] {
            assert!(fields.iter().any(|name| name.starts_with(letter)), "{letter} missing");
        }
        let retention = record.sections[0]
            .fields
            .iter()
            .find(|item| item.field.starts_with("(f)"))
            .expect("(f) field");
        assert!(retention.value.contains(&config.config.retention.audit.justification));
    }

    #[test]
    fn rendered_html_is_escaped_and_has_lang_and_captions() {
        let mut config = Config::default();
        config.company.name = "<script>alert(1)</script> & Co".into();
        let report = report_of(config, Evidence::default());
        let html = report.render(ReportFormat::Html).expect("html");
        assert!(html.contains("<html lang=\"en\">"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert_eq!(html.matches("<table>").count(), html.matches("<caption>").count());
        let markdown = report.render(ReportFormat::Md).expect("markdown");
        assert!(markdown.contains("## AI Act art. 50"));
        assert!(markdown.contains("requires human input"));
        let json = report.render(ReportFormat::Json).expect("json");
        let value: serde_json::Value = serde_json::from_str(&json).expect("valid json");
        assert_eq!(value["accessibility"]["status"], "not_recorded");
    }

    #[test]
    fn report_formats_parse_by_name() {
        assert_eq!(ReportFormat::parse("md"), Some(ReportFormat::Md));
        assert_eq!(ReportFormat::parse("html"), Some(ReportFormat::Html));
        assert_eq!(ReportFormat::parse("pdf"), None);
    }
}

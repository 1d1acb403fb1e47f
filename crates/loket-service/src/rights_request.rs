//! The register of data subjects' requests (REQUIREMENTS PRIV-07, PRIV-08, PRIV-09, PRIV-10; GDPR
//! art. 12(3)): each request to exercise a right is answered without undue delay and at the latest
//! one month after it was received. The controller may extend that by two further months when
//! the requests are complex or numerous, but only if it tells the data subject so, with the
//! reasons, within the first month.
//!
//! A request is an audit record (`rights_request_recorded`) per state: the company's reference,
//! which right, when it was received, when the person was told of an extension, when it was
//! answered and how, with the conversations concerned as ids. No text, no personal data: who
//! asked is in the company's own case file under the same reference. The register is the newest
//! state of each reference, read from the tamper-evident audit log; the compliance report and the
//! privacy officer's panel read it the same way.
//!
//! Deadlines are calendar months from the moment of receipt: received 31 January, due by the end
//! of 28 (or 29) February, the last day of a shorter month. A deadline does not move to the next
//! working day here; answering by the date shown is always in time.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Months, Utc};
use loket_core::ConversationId;
use loket_core::audit::{AuditEvent, AuditKind, AuditRecord};
pub use loket_core::rights::{RequestedRight, Right};
use loket_store::Store;
use serde::Serialize;

use crate::staff::StaffContext;
use crate::{Error, Loket, Result};

/// Months after receipt within which a request is answered (GDPR art. 12(3)).
pub const ANSWER_MONTHS: u32 = 1;
/// Months the deadline may be extended by, when the person is told within the first month.
pub const EXTENSION_MONTHS: u32 = 2;
/// An open request this close to its deadline is shown as due soon.
pub const DUE_SOON_DAYS: i64 = 7;
/// Most conversations one request lists.
pub const MAX_CONVERSATIONS: usize = 1_000;
/// Audit records read per page when the register is read.
const AUDIT_PAGE: u32 = 1000;

/// Parses the stable name of a right given by a person (surrounding spaces ignored);
/// `invalid_right` names the choices.
pub fn right_named(text: &str) -> Result<Right> {
    Right::parse(text.trim()).ok_or_else(|| Error::Invalid {
        code: "invalid_right",
        message: format!("right must be one of {}", Right::ALL.map(Right::as_str).join(", ")),
    })
}

/// How a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done as asked.
    Fulfilled,
    /// Partly done; the person was told why not the rest (for example a statutory retention
    /// duty that keeps some data, RET-03).
    PartlyFulfilled,
    /// Refused with the reasons and the right to complain to the AP (art. 12(4)): for example
    /// manifestly unfounded or excessive (art. 12(5)), or the identity could not be verified.
    Refused,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 3] = [Outcome::Fulfilled, Outcome::PartlyFulfilled, Outcome::Refused];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fulfilled => "fulfilled",
            Outcome::PartlyFulfilled => "partly_fulfilled",
            Outcome::Refused => "refused",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.as_str() == text)
    }

    /// Parses the stable name given by a person (surrounding spaces ignored); `invalid_outcome`
    /// names the choices.
    pub fn named(text: &str) -> Result<Self> {
        Self::parse(text.trim()).ok_or_else(|| Error::Invalid {
            code: "invalid_outcome",
            message: format!("outcome must be one of {}", Self::ALL.map(Self::as_str).join(", ")),
        })
    }
}

/// One state of a registered request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightsRequest {
    /// The company's reference (letters, digits, `-`, `_`, `.`).
    pub reference: String,
    /// The right exercised.
    pub right: Right,
    /// When the request reached the company.
    pub received_at: DateTime<Utc>,
    /// When the person was told that the deadline is extended, with the reasons.
    pub extended_at: Option<DateTime<Utc>>,
    /// When the request was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// How it was answered; set with `answered_at`.
    pub outcome: Option<Outcome>,
    /// Conversations concerned.
    pub conversations: Vec<ConversationId>,
}

/// Where a request stands against its deadline at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Open, with more than [`DUE_SOON_DAYS`] left.
    Open,
    /// Open, the deadline within [`DUE_SOON_DAYS`].
    DueSoon,
    /// Open past its deadline.
    Overdue,
    /// Answered by the deadline.
    AnsweredInTime,
    /// Answered after the deadline.
    AnsweredLate,
}

impl Standing {
    /// The stable name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Open => "open",
            Standing::DueSoon => "due_soon",
            Standing::Overdue => "overdue",
            Standing::AnsweredInTime => "answered_in_time",
            Standing::AnsweredLate => "answered_late",
        }
    }

    /// What it means, as the report and the panel say it.
    pub fn describe(self) -> &'static str {
        match self {
            Standing::Open => "open",
            Standing::DueSoon => "open, due within a week",
            Standing::Overdue => "open past its deadline",
            Standing::AnsweredInTime => "answered in time",
            Standing::AnsweredLate => "answered after the deadline",
        }
    }

    /// True for the two standings that break art. 12(3).
    pub fn late(self) -> bool {
        matches!(self, Standing::Overdue | Standing::AnsweredLate)
    }
}

fn add_months(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    // `checked_add_months` keeps the day of the month or takes the last day of a shorter month;
    // it fails only beyond chrono's range, which a receipt time checked against the clock is not.
    at.checked_add_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl RightsRequest {
    /// The first-month deadline.
    pub fn first_deadline(&self) -> DateTime<Utc> {
        add_months(self.received_at, ANSWER_MONTHS)
    }

    /// The deadline: one month after receipt, three when the person was told of an extension
    /// within the first month. An extension told later does not count.
    pub fn deadline(&self) -> DateTime<Utc> {
        match self.extended_at {
            Some(told) if told <= self.first_deadline() => {
                add_months(self.received_at, ANSWER_MONTHS + EXTENSION_MONTHS)
            }
            _ => self.first_deadline(),
        }
    }

    /// Where the request stands at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        let deadline = self.deadline();
        match self.answered_at {
            Some(at) if at <= deadline => Standing::AnsweredInTime,
            Some(_) => Standing::AnsweredLate,
            None if now > deadline => Standing::Overdue,
            None if deadline - now <= Duration::days(DUE_SOON_DAYS) => Standing::DueSoon,
            None => Standing::Open,
        }
    }

    /// The audit record of this state.
    pub fn event(&self, actor: &str) -> AuditEvent {
        let mut event = AuditEvent::new(AuditKind::RightsRequestRecorded, None, actor)
            .attribute("reference", self.reference.as_str())
            .attribute("right", self.right.as_str())
            .attribute("received_at", self.received_at.to_rfc3339());
        if let Some(told) = self.extended_at {
            event = event.attribute("extended_at", told.to_rfc3339());
        }
        if let (Some(at), Some(outcome)) = (self.answered_at, self.outcome) {
            event = event
                .attribute("answered_at", at.to_rfc3339())
                .attribute("outcome", outcome.as_str());
        }
        for id in &self.conversations {
            event = event.id(id.as_str());
        }
        event
    }

    /// Reads the request back from its audit record; `None` for any other record.
    pub fn read(event: &AuditEvent) -> Option<RightsRequest> {
        if event.kind != AuditKind::RightsRequestRecorded {
            return None;
        }
        let outcome = event.attribute_text("outcome").and_then(Outcome::parse);
        let answered_at = event.attribute_time("answered_at").filter(|_| outcome.is_some());
        Some(RightsRequest {
            reference: event.attribute_text("reference")?.to_owned(),
            right: Right::parse(event.attribute_text("right")?)?,
            received_at: event.attribute_time("received_at")?,
            extended_at: event.attribute_time("extended_at"),
            answered_at,
            outcome: outcome.filter(|_| answered_at.is_some()),
            conversations: event.conversation_ids(),
        })
    }
}

/// A request of the register as the panel shows it: its newest state, the deadline that applies
/// and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredRequest {
    /// The newest state.
    #[serde(flatten)]
    pub request: RightsRequest,
    /// The deadline that applies.
    pub deadline: DateTime<Utc>,
    /// Until when an extension can still be told (the first-month deadline); `None` once
    /// extended or answered.
    pub extension_possible_until: Option<DateTime<Utc>>,
    /// Where it stands now.
    pub standing: Standing,
}

impl RegisteredRequest {
    fn new(request: RightsRequest, now: DateTime<Utc>) -> Self {
        let open = request.answered_at.is_none() && request.extended_at.is_none();
        let first = request.first_deadline();
        RegisteredRequest {
            deadline: request.deadline(),
            extension_possible_until: (open && now <= first).then_some(first),
            standing: request.standing(now),
            request,
        }
    }
}

/// A data subject's request typed in the chat (HUM-07) that no registered request lists yet: the
/// month runs from the message, so the privacy officer registers it under a reference with its
/// conversation. The first request of a conversation counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatRequest {
    /// The conversation it was typed in.
    pub conversation_id: ConversationId,
    /// The right the customer named, or `unspecified`.
    pub right: &'static str,
    /// When the message arrived.
    pub received_at: DateTime<Utc>,
    /// One month later, as for a registered request.
    pub deadline: DateTime<Utc>,
    /// The deadline has passed.
    pub overdue: bool,
}

/// The register: open requests first, the nearest deadline first; answered ones after, the most
/// recently received first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Register {
    /// When it was read.
    pub generated_at: DateTime<Utc>,
    /// Open requests.
    pub open: u64,
    /// Open past their deadline, or answered after it.
    pub late: u64,
    /// The requests.
    pub requests: Vec<RegisteredRequest>,
    /// Requests typed in the chat that no registered request lists, oldest first.
    pub from_chat: Vec<ChatRequest>,
}

impl Register {
    /// The register of `requests` (the newest state of each reference) at `now`.
    pub fn new(requests: impl IntoIterator<Item = RightsRequest>, now: DateTime<Utc>) -> Self {
        let mut requests: Vec<RegisteredRequest> = requests
            .into_iter()
            .map(|request| RegisteredRequest::new(request, now))
            .collect();
        requests.sort_by(|a, b| {
            let answered = |entry: &RegisteredRequest| entry.request.answered_at.is_some();
            answered(a)
                .cmp(&answered(b))
                .then_with(|| {
                    if answered(a) {
                        b.request.received_at.cmp(&a.request.received_at)
                    } else {
                        a.deadline.cmp(&b.deadline)
                    }
                })
                .then_with(|| a.request.reference.cmp(&b.request.reference))
        });
        Register {
            generated_at: now,
            open: requests
                .iter()
                .filter(|entry| entry.request.answered_at.is_none())
                .count() as u64,
            late: requests.iter().filter(|entry| entry.standing.late()).count() as u64,
            requests,
            from_chat: Vec::new(),
        }
    }

    /// Adds the requests typed in the chat (`conversation`, right, time of the message) that no
    /// registered request lists; of several in one conversation, the first.
    pub fn with_chat_requests(mut self, typed: impl IntoIterator<Item = TypedRequest>) -> Self {
        let registered: std::collections::BTreeSet<&ConversationId> = self
            .requests
            .iter()
            .flat_map(|entry| entry.request.conversations.iter())
            .collect();
        let mut first: BTreeMap<ConversationId, (RequestedRight, DateTime<Utc>)> = BTreeMap::new();
        for (conversation, right, at) in typed {
            if registered.contains(&conversation) {
                continue;
            }
            let entry = first.entry(conversation).or_insert((right, at));
            if at < entry.1 {
                *entry = (right, at);
            }
        }
        let mut from_chat: Vec<ChatRequest> = first
            .into_iter()
            .map(|(conversation_id, (right, received_at))| {
                let deadline = add_months(received_at, ANSWER_MONTHS);
                ChatRequest {
                    conversation_id,
                    right: right.as_str(),
                    received_at,
                    deadline,
                    overdue: self.generated_at > deadline,
                }
            })
            .collect();
        from_chat.sort_by_key(|typed| typed.received_at);
        self.from_chat = from_chat;
        self
    }
}

/// A data subject's request typed in the chat, as its audit record holds it: the conversation,
/// the right and the time.
pub type TypedRequest = (ConversationId, RequestedRight, DateTime<Utc>);

/// The request of a `rights_request_received` record; `None` for a record without a
/// conversation or with an unknown right.
pub fn typed_request(record: &AuditRecord) -> Option<TypedRequest> {
    let right = RequestedRight::parse(record.event.attribute_text("right")?)?;
    Some((record.event.conversation.clone()?, right, record.at))
}

/// The requests typed in the chat, from the audit log (their records only, through their index).
pub async fn collect_chat_requests(store: &dyn Store) -> Result<Vec<TypedRequest>> {
    Ok(records_of_kind(store, AuditKind::RightsRequestReceived)
        .await?
        .iter()
        .filter_map(typed_request)
        .collect())
}

/// The newest state of every registered request, from the audit log (its requests' records
/// only, through their index).
pub async fn collect_requests(store: &dyn Store) -> Result<BTreeMap<String, RightsRequest>> {
    let mut requests = BTreeMap::new();
    for request in records_of_kind(store, AuditKind::RightsRequestRecorded)
        .await?
        .iter()
        .filter_map(|record| RightsRequest::read(&record.event))
    {
        requests.insert(request.reference.clone(), request);
    }
    Ok(requests)
}

/// Every record of `kind` after the retention anchor, oldest first, read page by page through
/// the kind's index.
async fn records_of_kind(store: &dyn Store, kind: AuditKind) -> Result<Vec<AuditRecord>> {
    let mut records = Vec::new();
    let mut after = store.audit_anchor().await?.map(|anchor| anchor.seq).unwrap_or(0);
    loop {
        let page = store.audit_records_of_kind(kind, after, AUDIT_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let full = page.len() == AUDIT_PAGE as usize;
        records.extend(page);
        if !full {
            break;
        }
    }
    Ok(records)
}

/// What the panel or the command records: a new request, the extension told, or the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A request received at `received_at` (now when `None`), concerning `conversations`.
    Register {
        /// The right exercised.
        right: Right,
        /// When it reached the company.
        received_at: Option<DateTime<Utc>>,
        /// Conversations concerned.
        conversations: Vec<ConversationId>,
    },
    /// The person was told now that the deadline is extended by two months, with the reasons.
    Extend,
    /// The request was answered now.
    Answer(Outcome),
}

fn refused(code: &'static str, message: &'static str) -> Error {
    Error::Conflict { code, message }
}

impl Loket {
    /// The register of requests, for admins and auditors.
    pub async fn rights_requests(&self, context: &StaffContext) -> Result<Register> {
        crate::compliance::require_evidence_role(context)?;
        self.rights_register().await
    }

    /// The register of requests, for the command line (which runs with the data directory's
    /// rights, like the breach register's command).
    pub async fn rights_register(&self) -> Result<Register> {
        let requests = collect_requests(self.store.as_ref()).await?;
        let typed = collect_chat_requests(self.store.as_ref()).await?;
        Ok(Register::new(requests.into_values(), self.now()).with_chat_requests(typed))
    }

    /// How many requests are open, per standing (`open`, `due_soon`, `overdue`), for the metrics:
    /// counts only.
    pub async fn open_rights_requests(&self) -> Result<[(Standing, u64); 3]> {
        let now = self.now();
        let mut counts = [(Standing::Open, 0), (Standing::DueSoon, 0), (Standing::Overdue, 0)];
        for request in collect_requests(self.store.as_ref()).await?.values() {
            let standing = request.standing(now);
            if let Some((_, count)) = counts.iter_mut().find(|(kind, _)| *kind == standing) {
                *count += 1;
            }
        }
        Ok(counts)
    }

    /// Records `change` to the request `reference`, for an admin or the CLI (`context` `None`),
    /// and returns its new state. A reference is registered once (`reference_taken`); an
    /// extension must be told within the first month (`extension_too_late`), once, before the
    /// answer; a request is answered once (`already_answered`).
    pub async fn record_rights_request(
        &self,
        context: Option<&StaffContext>,
        reference: &str,
        change: Change,
    ) -> Result<RegisteredRequest> {
        let actor = crate::subject::admin_or_cli(context)?;
        let reference = reference.trim();
        crate::incident::check_reference(reference)?;
        let now = self.now();
        let existing = collect_requests(self.store.as_ref()).await?.remove(reference);
        let request = match (change, existing) {
            (
                Change::Register {
                    right,
                    received_at,
                    conversations,
                },
                None,
            ) => {
                let received_at = received_at.unwrap_or(now);
                if received_at > now {
                    return Err(Error::Invalid {
                        code: "invalid_time",
                        message: "a request cannot be received in the future".into(),
                    });
                }
                if conversations.len() > MAX_CONVERSATIONS {
                    return Err(Error::Invalid {
                        code: "too_many_conversations",
                        message: format!("a request lists at most {MAX_CONVERSATIONS} conversations"),
                    });
                }
                RightsRequest {
                    reference: reference.to_owned(),
                    right,
                    received_at,
                    extended_at: None,
                    answered_at: None,
                    outcome: None,
                    conversations,
                }
            }
            (Change::Register { .. }, Some(_)) => {
                return Err(refused(
                    "reference_taken",
                    "a request with this reference is already registered",
                ));
            }
            (_, None) => return Err(Error::NotFound),
            (_, Some(request)) if request.answered_at.is_some() => {
                return Err(refused("already_answered", "this request has been answered"));
            }
            (Change::Extend, Some(request)) => {
                if request.extended_at.is_some() {
                    return Err(refused(
                        "already_extended",
                        "this request's deadline was already extended",
                    ));
                }
                if now > request.first_deadline() {
                    return Err(refused(
                        "extension_too_late",
                        "an extension must be told within one month of receipt (GDPR art. 12(3))",
                    ));
                }
                RightsRequest {
                    extended_at: Some(now),
                    ..request
                }
            }
            (Change::Answer(outcome), Some(request)) => RightsRequest {
                answered_at: Some(now),
                outcome: Some(outcome),
                ..request
            },
        };
        self.store.append_audit(vec![request.event(&actor)], now).await?;
        Ok(RegisteredRequest::new(request, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn request(received: &str, extended: Option<&str>, answered: Option<&str>) -> RightsRequest {
        RightsRequest {
            reference: "AVG-2026-17".into(),
            right: Right::Access,
            received_at: at(received),
            extended_at: extended.map(at),
            answered_at: answered.map(at),
            outcome: answered.map(|_| Outcome::Fulfilled),
            conversations: vec![ConversationId::parse("01900000-0000-7000-8000-000000000001").unwrap()],
        }
    }

    #[test]
    fn the_deadline_is_one_calendar_month_and_the_last_day_of_a_shorter_month_priv_07() {
        let deadline = |received: &str| request(received, None, None).deadline();
        assert_eq!(deadline("2026-03-03T10:00:00Z"), at("2026-04-03T10:00:00Z"));
        assert_eq!(deadline("2027-01-31T10:00:00Z"), at("2027-02-28T10:00:00Z"));
        assert_eq!(deadline("2028-01-31T10:00:00Z"), at("2028-02-29T10:00:00Z"));
        assert_eq!(deadline("2026-12-15T10:00:00Z"), at("2027-01-15T10:00:00Z"));
    }

    /// HUM-07, PRIV-07: requests typed in the chat that no registered request lists, the first
    /// of each conversation, oldest first, with the month from the message.
    #[test]
    fn requests_typed_in_the_chat_are_listed_until_a_registered_request_names_their_conversation_priv_07() {
        let id = |n: u8| ConversationId::parse(&format!("01900000-0000-7000-8000-00000000000{n}")).unwrap();
        let registered = request("2026-03-03T10:00:00Z", None, None);
        let typed = vec![
            (id(1), RequestedRight::Named(Right::Erasure), at("2026-03-01T09:00:00Z")),
            (
                id(2),
                RequestedRight::Named(Right::Objection),
                at("2026-03-05T09:00:00Z"),
            ),
            (id(2), RequestedRight::Unnamed, at("2026-03-02T09:00:00Z")),
            (id(3), RequestedRight::Named(Right::Access), at("2026-02-01T09:00:00Z")),
        ];
        let register = Register::new([registered], at("2026-03-10T00:00:00Z")).with_chat_requests(typed);
        let listed: Vec<(&str, &str, bool)> = register
            .from_chat
            .iter()
            .map(|typed| (typed.conversation_id.as_str(), typed.right, typed.overdue))
            .collect();
        assert_eq!(
            listed,
            [
                ("01900000-0000-7000-8000-000000000003", "access", true),
                ("01900000-0000-7000-8000-000000000002", "unspecified", false),
            ]
        );
        assert_eq!(register.from_chat[1].deadline, at("2026-04-02T09:00:00Z"));
    }

    #[test]
    fn an_extension_counts_only_when_told_within_the_first_month_priv_07() {
        let on_time = request("2026-03-03T10:00:00Z", Some("2026-03-20T09:00:00Z"), None);
        assert_eq!(on_time.deadline(), at("2026-06-03T10:00:00Z"));
        let too_late = request("2026-03-03T10:00:00Z", Some("2026-04-04T09:00:00Z"), None);
        assert_eq!(too_late.deadline(), at("2026-04-03T10:00:00Z"));
    }

    #[test]
    fn a_request_is_due_soon_then_overdue_and_an_answer_is_judged_against_its_deadline() {
        let open = request("2026-03-03T10:00:00Z", None, None);
        assert_eq!(open.standing(at("2026-03-20T10:00:00Z")), Standing::Open);
        assert_eq!(open.standing(at("2026-03-28T10:00:00Z")), Standing::DueSoon);
        assert_eq!(open.standing(at("2026-04-03T10:00:00Z")), Standing::DueSoon);
        assert_eq!(open.standing(at("2026-04-03T10:00:01Z")), Standing::Overdue);
        let in_time = request("2026-03-03T10:00:00Z", None, Some("2026-04-03T10:00:00Z"));
        assert_eq!(in_time.standing(at("2027-01-01T00:00:00Z")), Standing::AnsweredInTime);
        let late = request("2026-03-03T10:00:00Z", None, Some("2026-04-05T10:00:00Z"));
        assert_eq!(late.standing(at("2026-04-05T10:00:00Z")), Standing::AnsweredLate);
        let extended = request(
            "2026-03-03T10:00:00Z",
            Some("2026-03-10T10:00:00Z"),
            Some("2026-05-05T10:00:00Z"),
        );
        assert_eq!(extended.standing(at("2026-05-05T10:00:00Z")), Standing::AnsweredInTime);
        assert!(Standing::Overdue.late() && Standing::AnsweredLate.late());
        assert!(!Standing::DueSoon.late() && !Standing::AnsweredInTime.late());
    }

    #[test]
    fn a_request_reads_back_from_its_audit_record_without_text() {
        for original in [
            request("2026-03-03T10:00:00Z", None, None),
            request(
                "2026-03-03T10:00:00Z",
                Some("2026-03-10T10:00:00Z"),
                Some("2026-05-05T10:00:00Z"),
            ),
        ] {
            let event = original.event("cli");
            assert_eq!(RightsRequest::read(&event), Some(original));
            assert!(event.conversation.is_none());
        }
        assert_eq!(
            RightsRequest::read(&AuditEvent::new(AuditKind::ConfigLoaded, None, "system")),
            None
        );
    }

    #[test]
    fn the_register_lists_open_requests_by_deadline_before_answered_ones() {
        let named = |reference: &str, received: &str, answered: Option<&str>| RightsRequest {
            reference: reference.into(),
            ..request(received, None, answered)
        };
        let register = Register::new(
            [
                named("c", "2026-03-01T00:00:00Z", Some("2026-03-05T00:00:00Z")),
                named("b", "2026-03-10T00:00:00Z", None),
                named("a", "2026-02-01T00:00:00Z", None),
                named("d", "2026-01-01T00:00:00Z", Some("2026-03-01T00:00:00Z")),
            ],
            at("2026-03-15T00:00:00Z"),
        );
        let order: Vec<&str> = register
            .requests
            .iter()
            .map(|entry| entry.request.reference.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        assert_eq!((register.open, register.late), (2, 2));
        assert_eq!(register.requests[0].standing, Standing::Overdue);
        assert_eq!(register.requests[0].extension_possible_until, None);
        assert_eq!(
            register.requests[1].extension_possible_until,
            Some(at("2026-04-10T00:00:00Z"))
        );
    }
}

//! The admin dashboard's figures (REQUIREMENTS HUM-12, GOV-07): daily series over the last N
//! days, computed from the audit log alone, so they hold ids, kinds and times and never message
//! text. Admins and auditors may read them.
//!
//! Days are calendar days in the configured business-hours time zone, the newest being today.
//! A conversation counts on the day it started; it counts as "handed to a person" when an agent
//! took it over at any time since, otherwise as "handled by the bot". Time to a person is
//! measured from `handoff_requested` to the next `handoff_accepted` of the same conversation
//! and counts on the day of the acceptance, for requests made at most [`LOOKBACK_HOURS`] before
//! the first day.
//!
//! # Layout
//! - [`Dashboard`], [`DayFigures`]: the serialisable result.
//! - [`DashboardBuilder`]: the pure fold over audit records (unit-tested without a store).
//! - [`collect_dashboard`], [`Loket::dashboard`]: paging through the store from the window's start
//!   (found by [`last_seq_before`], so the cost follows the window, not the log), the role check.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use loket_core::audit::{AnswerRating, AuditKind, AuditRecord};
use loket_core::availability::EuTimeZone;
use loket_core::config::ValidConfig;
use loket_store::Store;
use serde::Serialize;

use crate::Loket;
use crate::compliance::{percentile, require_evidence_role};
use crate::error::{Error, Result};
use crate::staff::StaffContext;

/// The most days one dashboard request may cover.
pub const MAX_DASHBOARD_DAYS: u32 = 366;
/// The days shown when none are asked for.
pub const DEFAULT_DASHBOARD_DAYS: u32 = 30;
/// Audit records read per page.
const AUDIT_PAGE: u32 = 1000;
/// Reading starts this long before the window (which begins at most `days` days ago), so a
/// takeover on its first day is measured from a request made up to then.
pub const LOOKBACK_HOURS: i64 = 48;

/// The figures of one day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DayFigures {
    /// The local calendar date.
    pub date: NaiveDate,
    /// Conversations started.
    pub conversations_started: u64,
    /// Of those, the ones an agent took over.
    pub handed_to_people: u64,
    /// Of those, the ones no agent took over.
    pub handled_by_bot: u64,
    /// Requests for a person.
    pub handoff_requests: u64,
    /// Requests when nobody could take over (alternatives given).
    pub handoff_unavailable: u64,
    /// AI answers.
    pub answers: u64,
    /// Abstentions.
    pub abstentions: u64,
    /// abstentions / (answers + abstentions).
    pub abstention_rate: Option<f64>,
    /// Takeovers measured for the time to a person.
    pub handoffs_measured: u64,
    /// Median seconds from request to takeover.
    pub median_seconds_to_person: Option<i64>,
    /// Messages with personal data pseudonymised.
    pub pii_redacted: u64,
    /// Just-in-time privacy warnings.
    pub privacy_warnings: u64,
    /// Messages flagged as prompt injection.
    pub injection_flagged: u64,
    /// Outgoing AI messages blocked.
    pub output_blocked: u64,
    /// Answers the customer rated right ("Klopte dit antwoord?" yes).
    pub rated_right: u64,
    /// Answers the customer rated not right.
    pub rated_wrong: u64,
    /// Requests for personal advice declined with a person offered (ACC-10).
    pub advice_declined: u64,
}

/// The dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    /// Days covered.
    pub days: u32,
    /// The first day.
    pub from: NaiveDate,
    /// The last day (today).
    pub to: NaiveDate,
    /// The time zone of the days.
    pub timezone: String,
    /// When the figures were computed.
    pub generated_at: DateTime<Utc>,
    /// One entry per day, oldest first, without gaps.
    pub series: Vec<DayFigures>,
    /// The whole period.
    pub totals: DayFigures,
}

/// Checks a requested number of days: 1 to [`MAX_DASHBOARD_DAYS`].
pub fn validate_days(days: u32) -> Result<u32> {
    if (1..=MAX_DASHBOARD_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(Error::Invalid {
            code: "invalid_days",
            message: format!("days must be between 1 and {MAX_DASHBOARD_DAYS}"),
        })
    }
}

/// Folds audit records, in seq order, into daily figures.
pub struct DashboardBuilder {
    zone: EuTimeZone,
    from: NaiveDate,
    series: Vec<DayFigures>,
    /// Conversation → index of the day it started, for conversations started in the window.
    started_on: HashMap<String, usize>,
    /// Conversations an agent took over.
    handed: HashSet<String>,
    /// Open requests: conversation → when it was asked (also from before the window).
    pending: HashMap<String, DateTime<Utc>>,
    /// Seconds to a person per day.
    waits: Vec<Vec<i64>>,
    now: DateTime<Utc>,
    days: u32,
}

impl DashboardBuilder {
    /// A builder for the `days` days ending today in `zone`; `days` must be valid.
    pub fn new(zone: EuTimeZone, days: u32, now: DateTime<Utc>) -> Self {
        let today = zone.local(now).date();
        let from = today - Duration::days(i64::from(days.max(1)) - 1);
        let series = (0..days.max(1))
            .map(|offset| DayFigures {
                date: from + Duration::days(i64::from(offset)),
                ..DayFigures::default()
            })
            .collect::<Vec<_>>();
        let waits = vec![Vec::new(); series.len()];
        Self {
            zone,
            from,
            series,
            started_on: HashMap::new(),
            handed: HashSet::new(),
            pending: HashMap::new(),
            waits,
            now,
            days: days.max(1),
        }
    }

    fn day_index(&self, at: DateTime<Utc>) -> Option<usize> {
        let offset = (self.zone.local(at).date() - self.from).num_days();
        usize::try_from(offset).ok().filter(|index| *index < self.series.len())
    }

    /// Adds one record.
    pub fn add(&mut self, record: &AuditRecord) {
        let conversation = record.event.conversation.as_ref().map(|id| id.as_str().to_string());
        let day = self.day_index(record.at);
        match record.event.kind {
            AuditKind::HandoffRequested => {
                if let Some(id) = &conversation {
                    self.pending.entry(id.clone()).or_insert(record.at);
                }
            }
            AuditKind::HandoffAccepted => {
                if let Some(id) = &conversation {
                    self.handed.insert(id.clone());
                    if let Some(asked) = self.pending.remove(id)
                        && let Some(index) = day
                    {
                        self.waits[index].push((record.at - asked).num_seconds().max(0));
                    }
                }
            }
            AuditKind::HandoffUnavailable => {
                if let Some(id) = &conversation {
                    self.pending.remove(id);
                }
            }
            _ => {}
        }
        let Some(index) = day else { return };
        let figures = &mut self.series[index];
        match record.event.kind {
            AuditKind::ConversationStarted => {
                figures.conversations_started += 1;
                if let Some(id) = conversation {
                    self.started_on.insert(id, index);
                }
            }
            AuditKind::HandoffRequested => figures.handoff_requests += 1,
            AuditKind::HandoffUnavailable => figures.handoff_unavailable += 1,
            AuditKind::AiAnswer => figures.answers += 1,
            AuditKind::Abstention => figures.abstentions += 1,
            // A message with only special-category words carries the record without counts.
            AuditKind::PiiRedacted if !record.event.counts.is_empty() => figures.pii_redacted += 1,
            AuditKind::PrivacyWarning => figures.privacy_warnings += 1,
            AuditKind::InjectionFlagged => figures.injection_flagged += 1,
            AuditKind::OutputBlocked => figures.output_blocked += 1,
            AuditKind::AdviceDeclined => figures.advice_declined += 1,
            AuditKind::AnswerFeedback => match AnswerRating::read(&record.event) {
                Some(rating) if rating.helpful => figures.rated_right += 1,
                Some(_) => figures.rated_wrong += 1,
                None => {}
            },
            _ => {}
        }
    }

    /// The figures.
    pub fn finish(mut self) -> Dashboard {
        for (id, index) in &self.started_on {
            if self.handed.contains(id) {
                self.series[*index].handed_to_people += 1;
            }
        }
        let mut all_waits = Vec::new();
        let mut totals = DayFigures {
            date: self.from,
            ..DayFigures::default()
        };
        for (figures, waits) in self.series.iter_mut().zip(self.waits.iter_mut()) {
            figures.handled_by_bot = figures.conversations_started.saturating_sub(figures.handed_to_people);
            figures.abstention_rate = rate(figures.abstentions, figures.answers + figures.abstentions);
            waits.sort_unstable();
            figures.handoffs_measured = waits.len() as u64;
            figures.median_seconds_to_person = percentile(waits, 50);
            all_waits.extend(waits.iter().copied());
            totals.conversations_started += figures.conversations_started;
            totals.handed_to_people += figures.handed_to_people;
            totals.handled_by_bot += figures.handled_by_bot;
            totals.handoff_requests += figures.handoff_requests;
            totals.handoff_unavailable += figures.handoff_unavailable;
            totals.answers += figures.answers;
            totals.abstentions += figures.abstentions;
            totals.pii_redacted += figures.pii_redacted;
            totals.privacy_warnings += figures.privacy_warnings;
            totals.injection_flagged += figures.injection_flagged;
            totals.output_blocked += figures.output_blocked;
            totals.rated_right += figures.rated_right;
            totals.rated_wrong += figures.rated_wrong;
            totals.advice_declined += figures.advice_declined;
        }
        all_waits.sort_unstable();
        totals.abstention_rate = rate(totals.abstentions, totals.answers + totals.abstentions);
        totals.handoffs_measured = all_waits.len() as u64;
        totals.median_seconds_to_person = percentile(&all_waits, 50);
        let to = self.series.last().map(|figures| figures.date).unwrap_or(self.from);
        Dashboard {
            days: self.days,
            from: self.from,
            to,
            timezone: String::new(),
            generated_at: self.now,
            series: self.series,
            totals,
        }
    }
}

fn rate(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

/// Computes the dashboard from the store's audit log.
pub async fn collect_dashboard(
    store: &dyn Store,
    config: &ValidConfig,
    days: u32,
    now: DateTime<Utc>,
) -> Result<Dashboard> {
    let days = validate_days(days)?;
    let mut builder = DashboardBuilder::new(config.hours.zone, days, now);
    let earliest = now - Duration::days(i64::from(days)) - Duration::hours(LOOKBACK_HOURS);
    let mut after = last_seq_before(store, earliest).await?;
    loop {
        let page = store.audit_records(after, AUDIT_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for record in &page {
            builder.add(record);
        }
        if page.len() < AUDIT_PAGE as usize {
            break;
        }
    }
    let mut dashboard = builder.finish();
    dashboard.timezone = config.config.hours.timezone.clone();
    Ok(dashboard)
}

/// The seq of the last record before `time`, from which reading the log gives every record at or
/// after `time`: a binary search of point reads over the log, which is appended in time order
/// (concurrent commits may be out of order by milliseconds; [`LOOKBACK_HOURS`] covers that many
/// times over). Seqs may have gaps. The anchor's seq when every record is at or after `time`.
pub async fn last_seq_before(store: &dyn Store, time: DateTime<Utc>) -> Result<i64> {
    let mut low = store.audit_anchor().await?.map(|anchor| anchor.seq).unwrap_or(0);
    let Some(head) = store.audit_head().await? else {
        return Ok(low);
    };
    if head.at < time {
        return Ok(head.seq);
    }
    // Every record up to `low` is before `time`; `high` is a record at or after it; no record
    // lies in `end..high`. The search ends when no seq lies between `low` and `end`.
    let (mut high, mut end) = (head.seq, head.seq);
    while end - low > 1 {
        let middle = low + (end - low) / 2;
        match store.audit_records(middle - 1, 1).await?.first() {
            Some(record) if record.seq < end => {
                if record.at < time {
                    low = record.seq;
                } else {
                    high = record.seq;
                    end = record.seq;
                }
            }
            _ => end = middle,
        }
    }
    debug_assert!(low < high);
    Ok(low)
}

impl Loket {
    /// The dashboard over the last `days` days, for admins and auditors.
    pub async fn dashboard(&self, context: &StaffContext, days: u32) -> Result<Dashboard> {
        require_evidence_role(context)?;
        collect_dashboard(self.store.as_ref(), &self.config, days, self.now()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_core::ConversationId;
    use loket_core::audit::{AuditEvent, GENESIS_HASH};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_default()
    }

    fn record(seq: i64, when: &str, kind: AuditKind, conversation: &str) -> AuditRecord {
        let id = ConversationId::parse(conversation).ok();
        let event = AuditEvent::new(kind, id.as_ref(), "system");
        AuditRecord::chained(seq, at(when), event, GENESIS_HASH)
    }

    fn utc() -> EuTimeZone {
        EuTimeZone::parse("UTC").expect("UTC is supported")
    }

    fn conversation() -> String {
        ConversationId::from_uuid(uuid::Uuid::now_v7()).to_string()
    }

    #[test]
    fn days_outside_one_to_the_maximum_are_refused() {
        assert!(validate_days(0).is_err());
        assert!(validate_days(MAX_DASHBOARD_DAYS + 1).is_err());
        assert_eq!(validate_days(7).ok(), Some(7));
    }

    #[test]
    fn conversations_are_split_into_handed_and_bot_handled_and_waits_measured_hum_12() {
        let first = conversation();
        let second = conversation();
        let now = at("2026-11-30T18:00:00Z");
        let mut builder = DashboardBuilder::new(utc(), 2, now);
        let records = [
            record(1, "2026-11-29T10:00:00Z", AuditKind::ConversationStarted, &first),
            record(2, "2026-11-29T10:01:00Z", AuditKind::HandoffRequested, &first),
            record(3, "2026-11-30T09:00:00Z", AuditKind::ConversationStarted, &second),
            record(4, "2026-11-30T09:00:10Z", AuditKind::AiAnswer, &second),
            record(5, "2026-11-30T09:00:20Z", AuditKind::Abstention, &second),
            record(6, "2026-11-30T09:01:00Z", AuditKind::InjectionFlagged, &second),
            record(8, "2026-11-30T09:01:30Z", AuditKind::AdviceDeclined, &second),
            // Accepted the next day: counts on the day of acceptance, 23 hours later.
            record(7, "2026-11-30T09:01:00Z", AuditKind::HandoffAccepted, &first),
        ];
        for item in &records {
            builder.add(item);
        }
        let dashboard = builder.finish();
        assert_eq!(dashboard.series.len(), 2);
        let (monday_before, monday) = (&dashboard.series[0], &dashboard.series[1]);
        assert_eq!(monday_before.conversations_started, 1);
        assert_eq!(monday_before.handed_to_people, 1);
        assert_eq!(monday.handled_by_bot, 1);
        assert_eq!(monday.abstention_rate, Some(0.5));
        assert_eq!(monday.injection_flagged, 1);
        assert_eq!(monday.advice_declined, 1);
        assert_eq!(monday.median_seconds_to_person, Some(23 * 3600));
        assert_eq!(dashboard.totals.conversations_started, 2);
        assert_eq!(dashboard.totals.handed_to_people, 1);
    }

    #[test]
    fn records_before_the_window_are_not_counted() {
        let now = at("2026-11-30T18:00:00Z");
        let mut builder = DashboardBuilder::new(utc(), 1, now);
        builder.add(&record(
            1,
            "2026-11-20T10:00:00Z",
            AuditKind::ConversationStarted,
            &conversation(),
        ));
        let dashboard = builder.finish();
        assert_eq!(dashboard.totals.conversations_started, 0);
        assert_eq!(dashboard.from, dashboard.to);
    }
}

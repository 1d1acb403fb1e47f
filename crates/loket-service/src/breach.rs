//! The register of personal-data breaches (REQUIREMENTS SEC-10; GDPR art. 33(5)): every breach
//! is documented, the AP is told within 72 hours of its discovery unless it is unlikely to harm
//! anyone, and the people concerned are told when the risk to them is high.
//!
//! A breach is an audit record (`breach_recorded`): the company's reference, what kind of breach,
//! the risk it assessed, when it was discovered, when the AP was notified and whether the people
//! concerned were told, with the conversations involved as ids. Recording the same reference
//! again records a later state (the notification made, the people told); the compliance report
//! reads the newest record of each reference. No text, no personal data.

use chrono::{DateTime, Duration, Utc};
use loket_core::ConversationId;
use loket_core::audit::{AuditEvent, AuditKind};
use serde::Serialize;

use crate::{Error, Loket, Result};

/// Hours after discovery within which the AP must be notified (GDPR art. 33(1)).
pub const NOTIFICATION_HOURS: i64 = 72;

/// Most conversations one breach record lists.
pub const MAX_CONVERSATIONS: usize = 1_000;

/// What kind of breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// Confidential or personal data reached a customer through prompt injection.
    InjectionLeak,
    /// A transcript or export went to the wrong person.
    MisdirectedTranscript,
    /// A processor (model provider, hosting) leaked data.
    VendorLeak,
    /// Someone without the right read personal data (for example a staff account misused).
    UnauthorisedAccess,
    /// Personal data was lost or destroyed.
    Loss,
    /// Anything else.
    Other,
}

impl BreachKind {
    /// Every kind, in the order of the command's help.
    pub const ALL: [BreachKind; 6] = [
        BreachKind::InjectionLeak,
        BreachKind::MisdirectedTranscript,
        BreachKind::VendorLeak,
        BreachKind::UnauthorisedAccess,
        BreachKind::Loss,
        BreachKind::Other,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            BreachKind::InjectionLeak => "injection_leak",
            BreachKind::MisdirectedTranscript => "misdirected_transcript",
            BreachKind::VendorLeak => "vendor_leak",
            BreachKind::UnauthorisedAccess => "unauthorised_access",
            BreachKind::Loss => "loss",
            BreachKind::Other => "other",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The company's assessment of the risk to the people concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachRisk {
    /// Unlikely to result in a risk: documented, no notification (art. 33(1)).
    Unlikely,
    /// A risk: the AP is notified within 72 hours.
    Risk,
    /// A high risk: the AP is notified and the people concerned are told (art. 34).
    High,
}

impl BreachRisk {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            BreachRisk::Unlikely => "unlikely",
            BreachRisk::Risk => "risk",
            BreachRisk::High => "high",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        [BreachRisk::Unlikely, BreachRisk::Risk, BreachRisk::High]
            .into_iter()
            .find(|risk| risk.as_str() == text)
    }
}

/// One state of a registered breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// The company's reference (letters, digits, `-`, `_`, `.`).
    pub reference: String,
    /// What happened.
    pub kind: BreachKind,
    /// The assessed risk.
    pub risk: BreachRisk,
    /// When the company became aware of it.
    pub detected_at: DateTime<Utc>,
    /// When the AP was notified, if it was.
    pub ap_notified_at: Option<DateTime<Utc>>,
    /// The people concerned were told.
    pub subjects_informed: bool,
    /// Conversations involved.
    pub conversations: Vec<ConversationId>,
}

/// Where a registered breach stands against the deadlines, at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachStanding {
    /// Nothing is due: documented (unlikely risk), or notified in time (and the people told
    /// when the risk is high).
    InOrder,
    /// The AP must still be notified; the deadline has not passed.
    NotificationDue,
    /// The AP was not notified within 72 hours of discovery.
    NotificationLate,
    /// The risk is high and the people concerned were not told.
    SubjectsNotInformed,
}

impl BreachStanding {
    /// What it means for the company, as the report and the command say it.
    pub fn describe(self) -> &'static str {
        match self {
            BreachStanding::InOrder => "in order",
            BreachStanding::NotificationDue => "AP notification due within 72 hours of discovery",
            BreachStanding::NotificationLate => "AP not notified within 72 hours",
            BreachStanding::SubjectsNotInformed => "high risk: the people concerned must be told",
        }
    }
}

impl Breach {
    /// The audit record of this state.
    pub fn event(&self, actor: &str) -> AuditEvent {
        let mut event = AuditEvent::new(AuditKind::BreachRecorded, None, actor)
            .attribute("reference", self.reference.as_str())
            .attribute("kind", self.kind.as_str())
            .attribute("risk", self.risk.as_str())
            .attribute("detected_at", self.detected_at.to_rfc3339())
            .attribute("subjects_informed", if self.subjects_informed { "yes" } else { "no" });
        if let Some(notified) = self.ap_notified_at {
            event = event.attribute("ap_notified_at", notified.to_rfc3339());
        }
        for id in &self.conversations {
            event = event.id(id.as_str());
        }
        event
    }

    /// Reads the breach back from its audit record; `None` for any other record.
    pub fn read(event: &AuditEvent) -> Option<Breach> {
        if event.kind != AuditKind::BreachRecorded {
            return None;
        }
        let attribute = |name: &str| event.attribute_text(name);
        Some(Breach {
            reference: attribute("reference")?.to_owned(),
            kind: BreachKind::parse(attribute("kind")?)?,
            risk: BreachRisk::parse(attribute("risk")?)?,
            detected_at: event.attribute_time("detected_at")?,
            ap_notified_at: event.attribute_time("ap_notified_at"),
            subjects_informed: attribute("subjects_informed") == Some("yes"),
            conversations: event.conversation_ids(),
        })
    }

    /// Where this breach stands at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> BreachStanding {
        if self.risk == BreachRisk::Unlikely {
            return BreachStanding::InOrder;
        }
        let deadline = self.detected_at + Duration::hours(NOTIFICATION_HOURS);
        match self.ap_notified_at {
            Some(notified) if notified > deadline => BreachStanding::NotificationLate,
            None if now > deadline => BreachStanding::NotificationLate,
            None => BreachStanding::NotificationDue,
            Some(_) if self.risk == BreachRisk::High && !self.subjects_informed => BreachStanding::SubjectsNotInformed,
            Some(_) => BreachStanding::InOrder,
        }
    }
}

impl Loket {
    /// Registers `breach` (or a later state of it) as an audit record by `actor`.
    pub async fn record_breach(&self, breach: &Breach, actor: &str) -> Result<()> {
        crate::incident::check_reference(&breach.reference)?;
        let now = self.now();
        let invalid_time = |message: &str| Error::Invalid {
            code: "invalid_time",
            message: message.into(),
        };
        if breach.detected_at > now {
            return Err(invalid_time("the breach cannot be discovered in the future"));
        }
        if let Some(notified) = breach.ap_notified_at
            && (notified < breach.detected_at || notified > now)
        {
            return Err(invalid_time(
                "the AP cannot be notified before the breach was discovered or in the future",
            ));
        }
        if breach.conversations.len() > MAX_CONVERSATIONS {
            return Err(Error::Invalid {
                code: "too_many_conversations",
                message: format!("a breach record lists at most {MAX_CONVERSATIONS} conversations"),
            });
        }
        self.store.append_audit(vec![breach.event(actor)], now).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000 + hours * 3600, 0).unwrap()
    }

    fn breach(risk: BreachRisk, notified: Option<i64>, informed: bool) -> Breach {
        Breach {
            reference: "DL-2026-03".into(),
            kind: BreachKind::InjectionLeak,
            risk,
            detected_at: at(0),
            ap_notified_at: notified.map(at),
            subjects_informed: informed,
            conversations: vec![ConversationId::parse("01900000-0000-7000-8000-000000000001").unwrap()],
        }
    }

    #[test]
    fn the_72_hours_run_from_discovery_and_a_high_risk_needs_the_people_told_sec_10() {
        use BreachRisk::{High, Risk, Unlikely};
        use BreachStanding::*;
        assert_eq!(breach(Unlikely, None, false).standing(at(500)), InOrder);
        assert_eq!(breach(Risk, None, false).standing(at(71)), NotificationDue);
        assert_eq!(breach(Risk, None, false).standing(at(73)), NotificationLate);
        assert_eq!(breach(Risk, Some(72), false).standing(at(500)), InOrder);
        assert_eq!(breach(Risk, Some(73), false).standing(at(500)), NotificationLate);
        assert_eq!(breach(High, Some(10), false).standing(at(20)), SubjectsNotInformed);
        assert_eq!(breach(High, Some(10), true).standing(at(20)), InOrder);
    }

    #[test]
    fn a_breach_reads_back_from_its_audit_record_without_text() {
        let original = breach(BreachRisk::High, Some(5), true);
        let event = original.event("cli");
        assert_eq!(Breach::read(&event), Some(original));
        assert_eq!(
            Breach::read(&AuditEvent::new(AuditKind::ConfigLoaded, None, "system")),
            None
        );
    }
}

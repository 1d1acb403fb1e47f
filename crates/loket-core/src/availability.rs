//! Business hours and whether a person can take over now (REQUIREMENTS HUM-04).
//!
//! Time zones: Loket needs the local wall-clock time of the customer-service team. Instead of a
//! time-zone database it knows the European zones by their standard offset and applies the EU
//! summer-time rule (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC), which is
//! exact for every zone a Dutch or European service desk runs in.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// A European time zone: standard offset from UTC plus the EU summer-time rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EuTimeZone {
    /// Offset from UTC outside summer time.
    standard_offset_minutes: i32,
    /// Whether the EU summer-time rule applies (false for `UTC`).
    summer_time: bool,
}

impl EuTimeZone {
    /// Parses an IANA name of a zone that follows the EU rule, or `UTC`.
    pub fn parse(name: &str) -> Option<Self> {
        const WESTERN: &[&str] = &["Europe/London", "Europe/Dublin", "Europe/Lisbon", "Atlantic/Canary"];
        const CENTRAL: &[&str] = &[
            "Europe/Amsterdam",
            "Europe/Brussels",
            "Europe/Luxembourg",
            "Europe/Berlin",
            "Europe/Paris",
            "Europe/Madrid",
            "Europe/Rome",
            "Europe/Vienna",
            "Europe/Zurich",
            "Europe/Copenhagen",
            "Europe/Stockholm",
            "Europe/Oslo",
            "Europe/Prague",
            "Europe/Warsaw",
            "Europe/Budapest",
        ];
        const EASTERN: &[&str] = &[
            "Europe/Helsinki",
            "Europe/Athens",
            "Europe/Riga",
            "Europe/Tallinn",
            "Europe/Vilnius",
            "Europe/Sofia",
            "Europe/Bucharest",
        ];
        if name == "UTC" {
            return Some(Self {
                standard_offset_minutes: 0,
                summer_time: false,
            });
        }
        let offset_hours = if WESTERN.contains(&name) {
            0
        } else if CENTRAL.contains(&name) {
            1
        } else if EASTERN.contains(&name) {
            2
        } else {
            return None;
        };
        Some(Self {
            standard_offset_minutes: offset_hours * 60,
            summer_time: true,
        })
    }

    /// The local wall-clock time at `instant`.
    pub fn local(self, instant: DateTime<Utc>) -> NaiveDateTime {
        let summer = self.summer_time && is_eu_summer_time(instant);
        let offset = self.standard_offset_minutes + if summer { 60 } else { 0 };
        instant.naive_utc() + Duration::minutes(i64::from(offset))
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let mut day = first_of_next
        .map(|date| date - Duration::days(1))
        .unwrap_or(NaiveDate::MIN);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

fn is_eu_summer_time(instant: DateTime<Utc>) -> bool {
    let year = instant.year();
    let one_am = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let start = Utc.from_utc_datetime(&last_sunday(year, 3).and_time(one_am));
    let end = Utc.from_utc_datetime(&last_sunday(year, 10).and_time(one_am));
    instant >= start && instant < end
}

/// Opening hours on one day: from and until, local time. `None` means closed all day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    /// Opening time.
    pub open: NaiveTime,
    /// Closing time, after `open`. `24:00` (open until midnight, as round-the-clock service
    /// needs) is kept as the day's last instant.
    pub close: NaiveTime,
}

/// `24:00` as a closing time: the last representable instant of the day.
fn end_of_day() -> NaiveTime {
    NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap_or(NaiveTime::MIN)
}

impl DayHours {
    /// Parses `"09:00-17:00"` (`"00:00-24:00"`: the whole day); `"closed"` or `"gesloten"` gives
    /// `Ok(None)`.
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("closed") || trimmed.eq_ignore_ascii_case("gesloten") {
            return Ok(None);
        }
        let (open, close) = trimmed
            .split_once('-')
            .ok_or_else(|| format!("opening hours `{trimmed}` are not of the form 09:00-17:00"))?;
        let parse_time = |part: &str| {
            NaiveTime::parse_from_str(part.trim(), "%H:%M")
                .map_err(|_| format!("`{}` is not a time of the form 09:00", part.trim()))
        };
        let close = if close.trim() == "24:00" {
            end_of_day()
        } else {
            parse_time(close)?
        };
        let open = parse_time(open)?;
        if close <= open {
            return Err(format!("closing time {close} is not after opening time {open}"));
        }
        Ok(Some(Self { open, close }))
    }
}

/// A weekly schedule plus holidays, in one time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    /// The team's time zone.
    pub zone: EuTimeZone,
    /// Hours per weekday, Monday first.
    pub week: [Option<DayHours>; 7],
    /// Local dates on which nobody works.
    pub holidays: Vec<NaiveDate>,
}

/// When people are back: a local date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextOpen {
    /// Local date and time of the next opening.
    pub at: NaiveDateTime,
}

impl BusinessHours {
    /// True when `now` falls within opening hours on a day that is not a holiday.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = self.zone.local(now);
        if self.holidays.contains(&local.date()) {
            return false;
        }
        match self.week[local.weekday().num_days_from_monday() as usize] {
            Some(hours) => local.time() >= hours.open && local.time() < hours.close,
            None => false,
        }
    }

    /// The next opening after `now` within the coming 60 days; `None` when the schedule has no
    /// opening at all in that period (a configuration the validator refuses).
    pub fn next_open(&self, now: DateTime<Utc>) -> Option<NextOpen> {
        let local = self.zone.local(now);
        for day_offset in 0..60 {
            let date = local.date() + Duration::days(day_offset);
            if self.holidays.contains(&date) {
                continue;
            }
            if let Some(hours) = self.week[date.weekday().num_days_from_monday() as usize] {
                let opening = date.and_time(hours.open);
                if opening > local {
                    return Some(NextOpen { at: opening });
                }
            }
        }
        None
    }
}

/// Whether a person can take over a conversation right now, computed by the caller from the
/// business hours and the agents that are online.
#[derive(Debug, Clone, PartialEq)]
pub enum Availability {
    /// Within hours and at least one agent online.
    Open {
        /// The customer's position in the queue once they join it (1 = next).
        position: u32,
        /// A rough estimate from recent waiting times, when known.
        estimated_wait_minutes: Option<u32>,
    },
    /// Nobody can take over now.
    Closed {
        /// When people are back, if known.
        next_open: Option<NextOpen>,
        /// Why: outside hours, or within hours but nobody online, or the wait timed out.
        reason: ClosedReason,
    },
}

/// Why nobody can take over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedReason {
    /// Outside business hours or on a holiday.
    OutsideHours,
    /// Within hours, but no agent is online.
    NoAgentOnline,
    /// Agents are online, but none serves customers in the conversation's language (HUM-08).
    NoAgentInLanguage,
    /// The customer waited longer than the configured waiting timeout.
    WaitTimedOut,
}

impl ClosedReason {
    /// The stable name used in audit records and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedReason::OutsideHours => "outside_hours",
            ClosedReason::NoAgentOnline => "no_agent_online",
            ClosedReason::NoAgentInLanguage => "no_agent_in_language",
            ClosedReason::WaitTimedOut => "wait_timed_out",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> BusinessHours {
        let weekday = DayHours::parse("09:00-17:00").unwrap();
        BusinessHours {
            zone: EuTimeZone::parse("Europe/Amsterdam").unwrap(),
            week: [
                weekday,
                weekday,
                weekday,
                weekday,
                weekday,
                DayHours::parse("10:00-16:00").unwrap(),
                None,
            ],
            holidays: vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()],
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn amsterdam_is_utc_plus_one_in_winter_and_plus_two_in_summer() {
        let zone = EuTimeZone::parse("Europe/Amsterdam").unwrap();
        assert_eq!(zone.local(utc("2026-01-15T08:30:00Z")).time().to_string(), "09:30:00");
        assert_eq!(zone.local(utc("2026-07-15T08:30:00Z")).time().to_string(), "10:30:00");
        // Summer time starts 2026-03-29 01:00 UTC.
        assert_eq!(zone.local(utc("2026-03-29T00:59:00Z")).time().to_string(), "01:59:00");
        assert_eq!(zone.local(utc("2026-03-29T01:00:00Z")).time().to_string(), "03:00:00");
    }

    #[test]
    fn open_on_a_weekday_inside_hours_and_closed_outside_hum_04() {
        let hours = office();
        assert!(hours.is_open(utc("2026-11-27T10:00:00Z"))); // Friday 11:00 local
        assert!(!hours.is_open(utc("2026-11-27T16:30:00Z"))); // Friday 17:30 local
        assert!(!hours.is_open(utc("2026-11-29T12:00:00Z"))); // Sunday
        assert!(!hours.is_open(utc("2026-12-25T10:00:00Z"))); // holiday
    }

    #[test]
    fn next_open_skips_sunday_and_holidays() {
        let hours = office();
        let next = hours.next_open(utc("2026-11-28T18:00:00Z")).unwrap(); // Saturday evening
        assert_eq!(next.at.to_string(), "2026-11-30 09:00:00");
        let next = hours.next_open(utc("2026-12-24T17:00:00Z")).unwrap(); // Thursday evening before Christmas
        assert_eq!(next.at.to_string(), "2026-12-26 10:00:00");
    }

    #[test]
    fn day_hours_reject_malformed_and_inverted_ranges() {
        assert!(DayHours::parse("9-17").is_err());
        assert!(DayHours::parse("17:00-09:00").is_err());
        assert!(DayHours::parse("24:00-24:00").is_err(), "24:00 only closes a day");
        assert_eq!(DayHours::parse("gesloten"), Ok(None));
    }

    /// Round-the-clock service: `00:00-24:00` every day is open at every instant, the last
    /// minute before midnight included (with `00:00-23:59` that minute was closed).
    #[test]
    fn open_until_24_00_leaves_no_gap_at_midnight() {
        let all_day = DayHours::parse("00:00-24:00").unwrap();
        let hours = BusinessHours {
            zone: EuTimeZone::parse("UTC").unwrap(),
            week: [all_day; 7],
            holidays: Vec::new(),
        };
        for instant in [
            "2026-12-07T23:59:30Z",
            "2026-12-07T23:59:59.999Z",
            "2026-12-08T00:00:00Z",
            "2026-12-08T12:00:00Z",
        ] {
            assert!(hours.is_open(utc(instant)), "{instant}");
        }
        let shorter = DayHours::parse("00:00-23:59").unwrap();
        let gap = BusinessHours {
            week: [shorter; 7],
            ..hours
        };
        assert!(!gap.is_open(utc("2026-12-07T23:59:30Z")));
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        assert!(EuTimeZone::parse("America/New_York").is_none());
        assert!(EuTimeZone::parse("UTC").is_some());
    }
}

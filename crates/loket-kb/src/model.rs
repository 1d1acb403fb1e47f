//! The content model: what an entry is, who may see it, and the validated values it carries.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Who may see an entry. Only `Public` and `Customer` are ever stored where the customer chat can
/// search; `Internal` and `Confidential` go to the restricted partition (PRIV-16, SEC-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Anyone, including anonymous visitors.
    Public,
    /// Authenticated customers (all of them, or one owner when the entry names a customer id).
    Customer,
    /// Staff only.
    Internal,
    /// A restricted group of staff.
    Confidential,
}

impl Audience {
    /// Parses the front-matter / JSONL spelling (`public`, `customer`, `internal`, `confidential`).
    pub fn parse(text: &str) -> Option<Audience> {
        match text.trim().to_ascii_lowercase().as_str() {
            "public" => Some(Audience::Public),
            "customer" => Some(Audience::Customer),
            "internal" => Some(Audience::Internal),
            "confidential" => Some(Audience::Confidential),
            _ => None,
        }
    }

    /// True for the audiences the customer chat must never be able to reach.
    pub fn is_restricted(self) -> bool {
        matches!(self, Audience::Internal | Audience::Confidential)
    }
}

/// A calendar date (`YYYY-MM-DD`), used for `valid_until`. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` with a real day of that month (leap years included).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let digits_in_place = bytes.len() == 10
            && bytes
                .iter()
                .enumerate()
                .all(|(index, b)| matches!(index, 4 | 7) == (*b == b'-') && (*b == b'-' || b.is_ascii_digit()));
        if !digits_in_place {
            return None;
        }
        let year: u16 = text.get(0..4)?.parse().ok()?;
        let month: u8 = text.get(5..7)?.parse().ok()?;
        let day: u8 = text.get(8..10)?.parse().ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Today's date in UTC from the system clock.
    pub fn today() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|duration| duration.as_secs())
            .unwrap_or(0);
        Date::from_days_since_epoch((seconds / 86_400) as i64)
    }

    /// Converts days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    fn from_days_since_epoch(days: i64) -> Date {
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u8;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        } as u8;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An entry id: 1..=128 characters of ASCII letters, digits, `-`, `_`, `.` and `/`, so ids are
/// safe to print in reports and to use as citation keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryId(String);

impl EntryId {
    /// Validates an id.
    pub fn parse(text: &str) -> Option<EntryId> {
        let valid = !text.is_empty()
            && text.len() <= 128
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
        valid.then(|| EntryId(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One knowledge-base entry: an approved FAQ answer or a document split into passages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique across the whole import, all audiences included.
    pub id: EntryId,
    /// Content language.
    pub lang: Lang,
    /// Who may see it.
    pub audience: Audience,
    /// For `Customer` entries: the one customer it belongs to; `None` means every customer.
    pub customer_id: Option<String>,
    /// Canonical link shown with the citation.
    pub url: Option<String>,
    /// After this date the entry is not served.
    pub valid_until: Option<Date>,
    /// The FAQ or document specifics.
    pub kind: EntryKind,
}

/// The two kinds of entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EntryKind {
    /// A question with its approved answer, given verbatim.
    Faq {
        /// The canonical question (the citation title).
        question: String,
        /// Other ways customers ask the same thing; each is indexed on its own.
        alt_questions: Vec<String>,
        /// The approved answer text.
        answer: String,
        /// Whether the answer is indexed too, as one more text that points to this entry:
        /// customers often ask in the answer's own words ("when do the 14 days start?" for the
        /// cooling-off question). Set at import ([`mark_indexed_answers`]): false for a fragment
        /// and when another entry of the same import has the same answer, since a shared text
        /// cannot tell entries apart; absent (false) in generations imported before answers were
        /// indexed, whose indexes do not hold them.
        #[serde(default)]
        answer_indexed: bool,
    },
    /// A page split into passages; the best passage answers, with the page's link.
    Document {
        /// The page title.
        title: String,
        /// Responsible person or team (from front matter).
        owner: Option<String>,
        /// Content version label (from front matter).
        version: Option<String>,
        /// Passages in page order.
        passages: Vec<Passage>,
    },
}

/// A piece of a document: one paragraph or list under its nearest heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// The nearest heading above it, if any.
    pub heading: Option<String>,
    /// Plain text (markup removed).
    pub text: String,
}

impl Entry {
    /// The citation title: the FAQ question or the document title.
    pub fn title(&self) -> &str {
        match &self.kind {
            EntryKind::Faq { question, .. } => question,
            EntryKind::Document { title, .. } => title,
        }
    }

    /// True when `valid_until` lies before `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.valid_until.is_some_and(|until| until < today)
    }

    /// The texts that are indexed separately and point back to this entry: every FAQ phrasing
    /// followed by the answer when it is indexed, or every passage prefixed with the title and
    /// heading so that the page's topic counts.
    pub fn phrasings(&self) -> Vec<String> {
        match &self.kind {
            EntryKind::Faq {
                question,
                alt_questions,
                answer,
                answer_indexed,
            } => std::iter::once(question.clone())
                .chain(alt_questions.iter().cloned())
                .chain(answer_indexed.then(|| answer.clone()))
                .collect(),
            EntryKind::Document { title, passages, .. } => passages
                .iter()
                .map(|passage| match &passage.heading {
                    Some(heading) => format!("{title}. {heading}. {}", passage.text),
                    None => format!("{title}. {}", passage.text),
                })
                .collect(),
        }
    }

    /// The answer text for phrasing number `index`: the FAQ answer verbatim, or that passage.
    pub fn answer_text(&self, index: usize) -> &str {
        match &self.kind {
            EntryKind::Faq { answer, .. } => answer,
            EntryKind::Document { passages, .. } => {
                passages.get(index).map(|passage| passage.text.as_str()).unwrap_or("")
            }
        }
    }

    /// All text of the entry, for fingerprinting by the output guard.
    pub fn full_text(&self) -> String {
        match &self.kind {
            EntryKind::Faq {
                question,
                alt_questions,
                answer,
                ..
            } => {
                let mut text = question.clone();
                for alt in alt_questions {
                    text.push('\n');
                    text.push_str(alt);
                }
                text.push('\n');
                text.push_str(answer);
                text
            }
            EntryKind::Document { title, passages, .. } => {
                let mut text = title.clone();
                for passage in passages {
                    if let Some(heading) = &passage.heading {
                        text.push('\n');
                        text.push_str(heading);
                    }
                    text.push('\n');
                    text.push_str(&passage.text);
                }
                text
            }
        }
    }
}

/// FAQ answers shorter than this many words are not indexed: a fragment ("Yes.", "See the returns
/// page.", a placeholder) has no vocabulary of its own, and BM25 scores a short text that shares
/// one common word with a question as highly as a close match.
pub(crate) const MIN_INDEXED_ANSWER_WORDS: usize = 6;

/// Marks the FAQ answers of `entries` that are indexed: those of at least
/// [`MIN_INDEXED_ANSWER_WORDS`] words that no other FAQ entry among `entries` shares (compared
/// after trimming). An answer given for several questions tells them apart no better than chance,
/// and an identical placeholder answer on every entry would add one text per entry that every
/// question matches equally.
pub(crate) fn mark_indexed_answers(entries: &mut [Entry]) {
    let mut uses: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for entry in entries.iter() {
        if let EntryKind::Faq { answer, .. } = &entry.kind {
            *uses.entry(answer.trim().to_owned()).or_default() += 1;
        }
    }
    for entry in entries.iter_mut() {
        if let EntryKind::Faq {
            answer, answer_indexed, ..
        } = &mut entry.kind
        {
            *answer_indexed =
                uses.get(answer.trim()) == Some(&1) && answer.split_whitespace().count() >= MIN_INDEXED_ANSWER_WORDS;
        }
    }
}

/// A public FAQ entry for the crate's unit tests: `questions[0]` is its question, the rest its
/// alternative phrasings; its answer is not indexed until [`mark_indexed_answers`] says so.
#[cfg(test)]
pub(crate) fn test_faq(id: &str, lang: Lang, questions: &[&str], answer: &str) -> Entry {
    let (question, alternatives) = questions.split_first().unwrap_or((&"", &[]));
    Entry {
        id: EntryId::parse(id).unwrap_or_else(|| panic!("test id {id}")),
        lang,
        audience: Audience::Public,
        customer_id: None,
        url: None,
        valid_until: None,
        kind: EntryKind::Faq {
            question: (*question).to_owned(),
            alt_questions: alternatives.iter().map(|text| (*text).to_owned()).collect(),
            answer: answer.to_owned(),
            answer_indexed: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq(id: &str, answer: &str) -> Entry {
        test_faq(
            id,
            Lang::En,
            &[&format!("question {id}"), &format!("other {id}")],
            answer,
        )
    }

    /// ACC-01: an FAQ answer is searchable as one more text of its entry, unless another entry has
    /// the same answer or it is a fragment; a generation written before answers were indexed
    /// reads as not indexed.
    #[test]
    fn distinct_faq_answers_are_indexed_and_shared_or_short_ones_are_not() {
        let mut entries = vec![
            faq("a", "The cooling-off period is 14 days."),
            faq("b", "Please contact us by phone or e-mail."),
            faq("c", " Please contact us by phone or e-mail.\n"),
            faq("d", "Placeholder answer for card_arrival."),
        ];
        mark_indexed_answers(&mut entries);
        assert_eq!(
            entries[0].phrasings(),
            ["question a", "other a", "The cooling-off period is 14 days."]
        );
        assert_eq!(entries[1].phrasings(), ["question b", "other b"]);
        assert_eq!(entries[2].phrasings(), ["question c", "other c"]);
        assert_eq!(entries[3].phrasings(), ["question d", "other d"]);
        let written = serde_json::to_string(&entries[0])
            .unwrap()
            .replace(",\"answer_indexed\":true", "");
        assert!(!written.contains("answer_indexed"), "{written}");
        let read: Entry = serde_json::from_str(&written).unwrap();
        assert_eq!(read.phrasings(), ["question a", "other a"]);
    }

    #[test]
    fn dates_parse_only_real_calendar_days() {
        let check = |text: &str, valid: bool| assert_eq!(Date::parse(text).is_some(), valid, "{text}");
        check("2026-02-28", true);
        check("2024-02-29", true);
        check("2026-02-29", false);
        check("2026-13-01", false);
        check("2026-1-01", false);
        check("+026-01-01", false);
        check("2026-04-31", false);
        check("２０26-01-01", false);
    }

    #[test]
    fn days_since_epoch_convert_to_civil_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(19_782).to_string(), "2024-02-29");
        assert!(Date::today() > Date::parse("2020-01-01").unwrap());
    }

    #[test]
    fn ids_reject_spaces_and_control_characters() {
        assert!(EntryId::parse("faq-nl-retour_01").is_some());
        assert!(EntryId::parse("docs/privacy.nl").is_some());
        assert!(EntryId::parse("").is_none());
        assert!(EntryId::parse("a b").is_none());
        assert!(EntryId::parse("a\u{0}").is_none());
        assert!(EntryId::parse(&"x".repeat(129)).is_none());
    }

    #[test]
    fn audiences_parse_and_restricted_ones_are_flagged() {
        assert_eq!(Audience::parse("Internal"), Some(Audience::Internal));
        assert!(Audience::parse("secret").is_none());
        assert!(Audience::Confidential.is_restricted());
        assert!(!Audience::Customer.is_restricted());
    }
}

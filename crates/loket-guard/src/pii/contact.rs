//! Contact data: e-mail addresses, phone numbers (Dutch first, then international) and IP
//! addresses (PII-02, REQUIREMENTS.md §4.1 "Dutch phone numbers").
//!
//! Dutch numbers follow the national numbering plan closely enough to be reported on format
//! alone. Foreign numbers come in every grouping, so a generic digit run is reported only when
//! it is written internationally (`+44…`, `0044…`), has the North American shape, or a phone
//! word ("tel", "bel", "mobile", "fax", "call me") stands next to it.

use std::net::{Ipv4Addr, Ipv6Addr};

use regex::Regex;

use super::checksum::elfproef;
use super::context::{WordList, after, before, char_after, char_before};
use super::identifiers::{candidate, compile, isolated_number};
use super::{Candidate, EntityKind, Input};

const PHONE_WORDS_BEFORE: &[&str] = &[
    "phone",
    "tel",
    "call",
    "mobile",
    "mobiel",
    "mob",
    "cell",
    "fax",
    "desk",
    "office",
    "bel",
    "gebeld",
    "telefo",
    "whatsapp",
    "sms",
    "text me",
    "texts to",
    "messages to",
    "berichten",
    "answering at",
    "reach me",
    "reached at",
    "registered",
    "bereikbaar",
    "gsm",
    "contact",
    "op nummer",
];

/// Words that say a digit run is another number (SSN, licence, house number).
const NOT_PHONE_WORDS: &[&str] = &[
    "social security",
    "ssn",
    "licen",
    "rijbewijs",
    "passport",
    "paspoort",
    "located at",
    "bsn",
    "burgerservice",
    "order",
    "bestel",
    "factuur",
    "invoice",
    "account",
    "rekening",
    "kvk",
    "iban",
];

const PHONE_WORDS_AFTER: &[&str] = &[
    "office", "fax", "mobile", "mobiel", "home", "work", "cell", "thuis", "werk",
];

/// Compiled patterns of this module.
pub(super) struct Contact {
    email: Option<Regex>,
    dutch_phone: Option<Regex>,
    dutch_area_in_brackets: Option<Regex>,
    dutch_area_with_dash: Option<Regex>,
    service_number: Option<Regex>,
    generic_phone: Option<Regex>,
    north_american: Option<Regex>,
    ipv4: Option<Regex>,
    ipv6: Option<Regex>,
    phone_words_before: WordList,
    phone_words_after: WordList,
    not_phone_words: WordList,
}

impl Contact {
    pub(super) fn new() -> Contact {
        Contact {
            email: compile(
                r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b",
            ),
            dutch_phone: compile(
                r"(?:(?:\+|\b00)31[ .-]?(?:\(0\)[ .-]?)?|\b0)[1-9](?: - |[ .-])?[0-9](?:[ .-]?[0-9]){7}\b",
            ),
            dutch_area_in_brackets: compile(r"\(0[1-9][0-9]{0,2}\)[ -]?[0-9](?:[ .-]?[0-9]){5,7}\b"),
            dutch_area_with_dash: compile(r"\b0[1-9][0-9]{1,2} - [0-9](?:[ .-]?[0-9]){5,6}\b"),
            service_number: compile(r"\b0(?:800|900|906|909)[ -]?[0-9]{4}(?:[0-9]{3})?\b"),
            generic_phone: compile(
                r"(?i)(?:\+[ ]?)?(?:\([0-9]{1,4}\)[ .-]?)?[0-9](?:[ .-]?(?:\(0\)[ .-]?)?[0-9]){5,15}(?:[ ]?(?:x|ext\.?)[ ]?[0-9]{1,5})?",
            ),
            north_american: compile(r"^(?:\+?1[ .-]?|001[ .-]?)?\(?[2-9][0-9]{2}\)?[ .-]?[0-9]{3}[ .-][0-9]{4}"),
            ipv4: compile(r"(?-u:\b)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?-u:\b)"),
            phone_words_before: WordList::new(PHONE_WORDS_BEFORE),
            phone_words_after: WordList::new(PHONE_WORDS_AFTER),
            not_phone_words: WordList::new(NOT_PHONE_WORDS),
            ipv6: compile(r"(?i)[0-9a-f:]*:[0-9a-f]*:[0-9a-f:]*"),
        }
    }

    pub(super) fn find(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        if let Some(pattern) = &self.email {
            for matched in pattern.find_iter(input.text) {
                found.push(candidate(EntityKind::Email, matched.start(), matched.end(), 1.0));
            }
        }
        if input.has_digits {
            self.find_phones(input, found);
            self.find_ip_addresses(input, found);
        }
    }

    fn find_phones(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        // (pattern, score, whether the number must have exactly ten digits)
        for (pattern, score, ten_digits) in [
            (&self.dutch_phone, 0.95, false),
            (&self.dutch_area_in_brackets, 0.95, true),
            (&self.dutch_area_with_dash, 0.95, true),
            (&self.service_number, 0.9, false),
        ] {
            let Some(pattern) = pattern else { continue };
            for matched in pattern.find_iter(input.text) {
                let starts_with_plus = matched.as_str().starts_with('+');
                if (starts_with_plus || isolated_number(input.text, matched.start(), matched.end()))
                    && char_before(input.text, matched.start()).is_none_or(|c| c != '+' && !c.is_alphanumeric())
                {
                    let digits = matched.as_str().chars().filter(char::is_ascii_digit).count();
                    if ten_digits && digits != 10 {
                        continue;
                    }
                    found.push(candidate(EntityKind::Phone, matched.start(), matched.end(), score));
                }
            }
        }
        let Some(pattern) = &self.generic_phone else { return };
        for matched in pattern.find_iter(input.text) {
            let text = matched.as_str().trim_end();
            let end = matched.start() + text.len();
            if let Some(previous) = char_before(input.text, matched.start())
                && (previous.is_alphanumeric() || previous == '.' || previous == '-' || previous == '/')
            {
                continue;
            }
            if char_after(input.text, end)
                .is_some_and(|next| next.is_alphanumeric() && !text.ends_with(|c: char| c.is_ascii_digit()))
            {
                continue;
            }
            let main_part = text.split(['x', 'X']).next().unwrap_or(text);
            let digits = main_part.chars().filter(char::is_ascii_digit).count();
            // A Dutch mobile number has exactly ten digits; "0612345" is an incomplete one.
            let short_dutch_mobile = main_part.starts_with("06") && digits < 10;
            if !(7..=15).contains(&digits) || short_dutch_mobile || looks_like_date_or_time(main_part) {
                continue;
            }
            // A plus set apart by a space ("+ 130022007", also what NFKC makes of a stray "﬩")
            // is too weak a sign of a country code to outweigh the BSN reading below.
            let international = (text.starts_with('+') && !text.starts_with("+ "))
                || (text.starts_with("00") && !text.starts_with("000"));
            let north_american = self.north_american.as_ref().is_some_and(|shape| shape.is_match(text));
            let lead = before(input, matched.start(), 40);
            // A phone word right before the number wins over other words further back.
            let phone_word_adjacent = self.phone_words_before.in_window(before(input, matched.start(), 16));
            if (!phone_word_adjacent && self.not_phone_words.in_window(lead)) || us_social_security_shape(main_part) {
                continue;
            }
            let has_context =
                self.phone_words_before.in_window(lead) || self.phone_words_after.in_window(after(input, end, 12));
            // Nine digits without a leading 0 are no Dutch phone number but may be a BSN:
            // when they pass the elfproef the BSN reading must win, so that the BSN policy
            // (never kept, PII-01) applies rather than the phone policy. Found by fuzzing.
            let compact: String = main_part.chars().filter(char::is_ascii_digit).collect();
            let bsn_shaped = !international && compact.len() == 9 && !compact.starts_with('0') && elfproef(&compact);
            let score: f32 = if international && digits >= 8 {
                0.85
            } else if has_context {
                0.8
            } else if north_american {
                0.75
            } else {
                continue;
            };
            let score = if bsn_shaped { score.min(0.5) } else { score };
            found.push(candidate(EntityKind::Phone, matched.start(), end, score));
        }
    }

    fn find_ip_addresses(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        if let Some(pattern) = &self.ipv4 {
            for matched in pattern.find_iter(input.text) {
                let glued_before =
                    char_before(input.text, matched.start()).is_some_and(|c| c == '.' || c.is_ascii_digit());
                let glued_after = char_after(input.text, matched.end()) == Some('.')
                    && char_after(input.text, matched.end() + 1).is_some_and(|c| c.is_ascii_digit());
                if !glued_before && !glued_after && matched.as_str().parse::<Ipv4Addr>().is_ok() {
                    found.push(candidate(EntityKind::IpAddress, matched.start(), matched.end(), 0.95));
                }
            }
        }
        if let Some(pattern) = &self.ipv6 {
            for matched in pattern.find_iter(input.text) {
                let text = matched.as_str();
                let enough_groups = text.contains("::") || text.matches(':').count() == 7;
                let glued = char_before(input.text, matched.start()).is_some_and(char::is_alphanumeric)
                    || char_after(input.text, matched.end()).is_some_and(char::is_alphanumeric);
                if enough_groups && !glued && text.len() > 2 && text.parse::<Ipv6Addr>().is_ok() {
                    found.push(candidate(EntityKind::IpAddress, matched.start(), matched.end(), 0.95));
                }
            }
        }
    }
}

/// The US social security number shape "123-45-6789".
fn us_social_security_shape(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    matches!(groups.as_slice(), [a, b, c] if a.len() == 3 && b.len() == 2 && c.len() == 4)
}

/// Dates ("2015-12-22", "20-06-2020", "12.03.1985") and times share the digit-and-separator
/// shape of phone numbers; three groups with a four-digit year at either end are dates.
fn looks_like_date_or_time(text: &str) -> bool {
    if text.contains(':') {
        return true;
    }
    let groups: Vec<&str> = text
        .split([' ', '-', '.', '/'])
        .filter(|group| !group.is_empty())
        .collect();
    let year = |group: &str| group.len() == 4 && (group.starts_with("19") || group.starts_with("20"));
    let small = |group: &str| group.len() <= 2;
    match groups.as_slice() {
        [first, second, third] => {
            (year(first) && small(second) && small(third)) || (small(first) && small(second) && year(third))
        }
        [first, second, third, _time] => {
            (year(first) && small(second) && small(third)) || (small(first) && small(second) && year(third))
        }
        _ => false,
    }
}

//! Street addresses (Dutch and English forms) and dates of birth.
//!
//! A Dutch street name nearly always ends in one of a few dozen suffixes ("-straat", "-laan",
//! "-gracht"), so "Kerkstraat 12a" is recognised on its own. Other forms ("123 Main Street",
//! "Via Franscini 71") are recognised by English street types, or by a preceding address word
//! ("adres", "address", "woon", "lives at"). A date is personal only as a date of birth, so
//! dates are reported only next to a birth word ("geboren", "born", "DOB").

use regex::Regex;

use super::context::{WordList, before, find_in_regions};
use super::identifiers::{candidate, compile};
use super::{Candidate, EntityKind, Input};

const DUTCH_STREET_SUFFIXES: &str = "straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|pad|dreef|hof|park|plantsoen|markt|kanaal|baan|allee|wal|dam|ring|veld|haven|burgwal|erf|hoven|zijde|boulevard|kwartier|poort|brug|polder|wetering|vaart|straatweg|dijkje|akker|weide|hoek|berg";

const ENGLISH_STREET_TYPES: &str = "Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|Crescent|Close|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|Ridge|Row|Walk|Gardens|Hill|Park|Mews|Plaza|Alley|Crossing|Point|View|Heights|Meadows|Grove|Green|Forges|Squares|Streets|Estates|Loop|Pass|Port|Mill|Mills|Valley|Village";

const ADDRESS_WORDS: &[&str] = &[
    "adres",
    "address",
    "woon",
    "wonen",
    "verhuisd naar",
    "lives at",
    "lives on",
    "live at",
    "living at",
    "moved to",
    "ship to",
    "send it to",
    "bezorg",
    "deliver",
];

const BIRTH_WORDS: &[&str] = &[
    "geboren",
    "geboorte",
    "geb.",
    "born",
    "birth",
    "dob",
    "d.o.b",
    "verjaardag",
    "birthday",
    "jarig",
];

/// Compiled patterns of this module.
pub(super) struct Addresses {
    dutch_street: Option<Regex>,
    dutch_street_first: Option<Regex>,
    english_street: Option<Regex>,
    after_address_word: Option<Regex>,
    dates: Vec<Regex>,
    address_words: WordList,
    birth_words: WordList,
}

impl Addresses {
    pub(super) fn new() -> Addresses {
        let house_number = r"[0-9]{1,5}(?:[ ]?-?[ ]?[a-zA-Z]\b|[ ]?-[ ]?[0-9]{1,4}\b| (?:hs|bis|huis|I{1,3})\b)?";
        let months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|january|february|march|may|june|july|august|october|jan|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec";
        let dates = [
            r"\b[0-3]?[0-9][-/.][01]?[0-9][-/.](?:19|20)?[0-9]{2}\b".to_string(),
            r"\b(?:19|20)[0-9]{2}[-/.][01][0-9][-/.][0-3][0-9]\b".to_string(),
            format!(r"(?i)\b[0-3]?[0-9](?:st|nd|rd|th|e)? (?:of )?(?:{months})\.? (?:19|20)[0-9]{{2}}\b"),
            format!(r"(?i)\b(?:{months})\.? [0-3]?[0-9](?:st|nd|rd|th)?,? (?:19|20)[0-9]{{2}}\b"),
        ];
        Addresses {
            dutch_street: compile(&format!(
                r"\b(?:\p{{Lu}}[\p{{Ll}}'.]* (?:(?:van|de|der|den|het|ter|ten|op|in|aan|'t) )*){{0,3}}\p{{L}}{{2,}}(?:{DUTCH_STREET_SUFFIXES}) {house_number}"
            )),
            dutch_street_first: compile(&format!(
                r"\b(?:Laan|Weg|Plein|Kade|Singel|Dijk|Burgemeester|Dokter|Professor|Prof\.|Dr\.|Generaal|Koningin|Prins|Prinses|Sint|St\.) (?:(?:van|de|der|den|het|ter|ten|op) )*\p{{Lu}}[\p{{L}}.'-]+(?: \p{{Lu}}[\p{{L}}.'-]+)? {house_number}"
            )),
            english_street: compile(&format!(
                r"\b[0-9]{{1,5}}[A-Za-z]? (?:\p{{Lu}}[\p{{L}}'-]+ ){{1,3}}(?:{ENGLISH_STREET_TYPES})\b\.?(?:,? (?:Apt\.?|Suite|Unit) [0-9]+)?"
            )),
            after_address_word: compile(
                r"(?:[0-9]{1,5}[A-Za-z]? \p{Lu}[\p{L}'-]+(?: \p{Lu}[\p{L}'-]+){0,3})|(?:\p{Lu}[\p{L}'-]+(?: (?:\p{Lu}[\p{L}'-]+|de|do|da|dos|das|van|der|di|la|le|del|von|am|an))*,? [0-9]{1,5}[A-Za-z]?\b)",
            ),
            dates: dates.iter().filter_map(|source| compile(source)).collect(),
            address_words: WordList::new(ADDRESS_WORDS),
            birth_words: WordList::new(BIRTH_WORDS),
        }
    }

    pub(super) fn find(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        for pattern in [&self.dutch_street, &self.dutch_street_first].into_iter().flatten() {
            for matched in pattern.find_iter(input.text) {
                let text = matched.as_str().trim_end();
                found.push(candidate(
                    EntityKind::Address,
                    matched.start(),
                    matched.start() + text.len(),
                    0.9,
                ));
            }
        }
        if let Some(pattern) = &self.english_street {
            for matched in pattern.find_iter(input.text) {
                found.push(candidate(EntityKind::Address, matched.start(), matched.end(), 0.85));
            }
        }
        if let Some(pattern) = &self.after_address_word {
            let regions = self.address_words.regions_after(input, 90);
            for (start, end) in find_in_regions(pattern, input.text, &regions) {
                if self.address_words.in_window(before(input, start, 25)) {
                    found.push(candidate(EntityKind::Address, start, end, 0.7));
                }
            }
        }
        let regions = self.birth_words.regions_after(input, 70);
        for pattern in &self.dates {
            for (start, end) in find_in_regions(pattern, input.text, &regions) {
                if self.birth_words.in_window(before(input, start, 40)) && plausible_date(&input.text[start..end]) {
                    found.push(candidate(EntityKind::DateOfBirth, start, end, 0.9));
                }
            }
        }
    }
}

/// Rejects numeric dates whose day or month is out of range ("45-13-2020"); textual dates
/// pass, their month is a word.
fn plausible_date(text: &str) -> bool {
    let numbers: Vec<u32> = text
        .split(['-', '/', '.'])
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    match numbers.as_slice() {
        [year, month, day] if *year > 31 => (1..=12).contains(month) && (1..=31).contains(day),
        [day, month, _year] => (1..=31).contains(day) && (1..=12).contains(month),
        _ => true,
    }
}

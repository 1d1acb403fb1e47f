//! Number-like identifiers: IBAN, BSN, payment cards, VAT ids, KvK numbers, ID documents,
//! licence plates and postcodes (REQUIREMENTS.md §4.1, PII-01, PII-02, PII-03, PII-08).
//!
//! Each recognizer is a pattern plus a validator. Checksummed identifiers (IBAN, BSN, card,
//! VAT) are reported only when the checksum holds. Identifiers without a checksum (KvK, ID
//! documents, plates without dashes, driving licences) need a context word nearby, because
//! their bare format is shared with order numbers and product codes.

use regex::Regex;

use super::checksum::{elfproef, iban_checksum, iban_length, luhn, mod97};
use super::context::{WordList, before, char_after, char_before, find_in_regions};
use super::{Candidate, EntityKind, Input};

const BSN_WORDS: &[&str] = &[
    "bsn",
    "burgerservice",
    "burger service",
    "sofi",
    "persoonsnummer",
    "citizen service",
    "social security",
];

/// Words that say a nine-digit number is some other reference. Order numbers pass the
/// elfproef one time in eleven, so without this list every eleventh order would be masked.
const NOT_BSN_WORDS: &[&str] = &[
    "bestel",
    "order",
    "factuur",
    "invoice",
    "track",
    "klantnummer",
    "klant",
    "customer",
    "referentie",
    "reference",
    "ref",
    "kenmerk",
    "pakket",
    "zending",
    "parcel",
    "artikel",
    "transactie",
    "transaction",
    "ticket",
    "dossier",
    "polis",
    "policy",
    "contract",
    "abonnement",
    "kvk",
    "rsin",
    "bon",
    "receipt",
];

const CARD_WORDS: &[&str] = &[
    "card",
    "kaart",
    "visa",
    "mastercard",
    "amex",
    "american express",
    "maestro",
    "cc",
    "pan",
];

const KVK_WORDS: &[&str] = &[
    "kvk",
    "kamer van koophandel",
    "handelsregister",
    "chamber of commerce",
    "coc",
];

const DOCUMENT_WORDS: &[&str] = &[
    "paspoort",
    "passport",
    "identiteitskaart",
    "identiteitsbewijs",
    "id-kaart",
    "id kaart",
    "idkaart",
    "id-bewijs",
    "id",
    "identity card",
    "identity document",
    "documentnummer",
    "document number",
    "document",
];

const POSTCODE_WORDS: &[&str] = &["postcode", "post code", "zip", "adres", "address", "woon"];

const LICENCE_WORDS: &[&str] = &[
    "rijbewijs",
    "driving licen",
    "driver's licen",
    "drivers licen",
    "driver licen",
];

const PLATE_WORDS: &[&str] = &[
    "kenteken",
    "nummerplaat",
    "plate",
    "registration",
    "auto",
    "wagen",
    "car",
    "voertuig",
    "vehicle",
];

/// Compiled patterns of this module.
pub(super) struct Identifiers {
    iban: Option<Regex>,
    bsn: Option<Regex>,
    card: Option<Regex>,
    vat: Option<Regex>,
    eight_digits: Option<Regex>,
    ten_digits: Option<Regex>,
    document: Option<Regex>,
    plate: Option<Regex>,
    strict_plate: Option<Regex>,
    postcode: Option<Regex>,
    bsn_words: WordList,
    not_bsn_words: WordList,
    card_words: WordList,
    kvk_words: WordList,
    document_words: WordList,
    licence_words: WordList,
    plate_words: WordList,
    postcode_words: WordList,
}

impl Identifiers {
    pub(super) fn new() -> Identifiers {
        // Letter classes of the plate sidecodes: 1-6 use any letter, 7-14 only consonants
        // without C and Q, as issued by the RDW.
        let any = "[A-Z]";
        let consonant = "[BDFGHJKLMNPRSTVXZ]";
        let sidecodes = [
            format!("{any}{{2}}-?[0-9]{{2}}-?[0-9]{{2}}"),
            format!("[0-9]{{2}}-?[0-9]{{2}}-?{any}{{2}}"),
            format!("[0-9]{{2}}-?{any}{{2}}-?[0-9]{{2}}"),
            format!("{any}{{2}}-?[0-9]{{2}}-?{any}{{2}}"),
            format!("{any}{{2}}-?{any}{{2}}-?[0-9]{{2}}"),
            format!("[0-9]{{2}}-?{any}{{2}}-?{any}{{2}}"),
            format!("[0-9]{{2}}-?{consonant}{{3}}-?[0-9]"),
            format!("[0-9]-?{consonant}{{3}}-?[0-9]{{2}}"),
            format!("{consonant}{{2}}-?[0-9]{{3}}-?{consonant}"),
            format!("{consonant}-?[0-9]{{3}}-?{consonant}{{2}}"),
            format!("{consonant}{{3}}-?[0-9]{{2}}-?{consonant}"),
            format!("{consonant}-?[0-9]{{2}}-?{consonant}{{3}}"),
            format!("[0-9]-?{consonant}{{2}}-?[0-9]{{3}}"),
            format!("[0-9]{{3}}-?{consonant}{{2}}-?[0-9]"),
        ];
        let strict_plate = format!(r"^(?:{})$", sidecodes.join("|"));
        // With a context word any letter is accepted: older plates and the examples people
        // type ("AB-123-C") do not follow the consonant-only series.
        let loose_plate = format!(r"(?-u:\b)(?:{})(?-u:\b)", sidecodes.join("|")).replace(consonant, any);
        Identifiers {
            iban: compile(r"(?i)(?-u:\b)[a-z]{2}[0-9]{2}(?:[ ]?[a-z0-9]){11,30}"),
            bsn: compile(r"(?-u:\b)(?:[0-9]{4}[. ][0-9]{2}[. ][0-9]{3}|[0-9]{8,9})(?-u:\b)"),
            card: compile(r"(?-u:\b)[0-9](?:[ -]?[0-9]){11,18}(?-u:\b)"),
            vat: compile(r"(?i)(?-u:\b)NL[ .]?([0-9]{4}[ .]?[0-9]{2}[ .]?[0-9]{3})[ .]?B[ .]?([0-9]{2})(?-u:\b)"),
            eight_digits: compile(r"(?-u:\b)[0-9]{8}(?-u:\b)"),
            ten_digits: compile(r"(?-u:\b)[0-9]{10}(?-u:\b)"),
            document: compile(r"(?-u:\b)[A-NP-Za-np-z]{2}[A-NP-Za-np-z0-9]{6}[0-9](?-u:\b)"),
            plate: compile(&loose_plate),
            strict_plate: compile(&strict_plate),
            postcode: compile(r"(?-u:\b)([1-9][0-9]{3}) ?([A-Za-z]{2})(?-u:\b)"),
            bsn_words: WordList::new(BSN_WORDS),
            not_bsn_words: WordList::new(NOT_BSN_WORDS),
            card_words: WordList::new(CARD_WORDS),
            kvk_words: WordList::new(KVK_WORDS),
            document_words: WordList::new(DOCUMENT_WORDS),
            licence_words: WordList::new(LICENCE_WORDS),
            plate_words: WordList::new(PLATE_WORDS),
            postcode_words: WordList::new(POSTCODE_WORDS),
        }
    }

    pub(super) fn find(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        self.find_ibans(input, found);
        self.find_bsns(input, found);
        self.find_cards(input, found);
        self.find_vat_ids(input, found);
        self.find_kvk_numbers(input, found);
        self.find_documents(input, found);
        self.find_plates(input, found);
        self.find_postcodes(input, found);
    }

    fn find_ibans(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.iban else { return };
        // The greedy match may swallow the start of a second IBAN ("NL91... mijn iban is
        // NL91..."), so the search resumes right after each cut candidate, not after the
        // match. Found by the planted-value fuzz test.
        let mut position = 0;
        while let Some(matched) = pattern.find_at(input.text, position) {
            position = next_char_boundary(input.text, matched.start());
            let Some(expected) = iban_length(&matched.as_str()[..2]) else {
                continue;
            };
            // The pattern is greedy and may run into the next word ("...00 en"); cut the
            // candidate at the country's length and check the checksum on exactly that.
            let mut compact = String::with_capacity(expected);
            let mut end = matched.start();
            for (offset, character) in matched.as_str().char_indices() {
                if compact.len() == expected {
                    break;
                }
                if character != ' ' {
                    compact.push(character.to_ascii_uppercase());
                }
                end = matched.start() + offset + character.len_utf8();
            }
            let ends_cleanly = char_after(input.text, end).is_none_or(|next| !next.is_alphanumeric());
            if compact.len() == expected && ends_cleanly && iban_checksum(&compact) {
                found.push(candidate(EntityKind::Iban, matched.start(), end, 1.0));
                position = end;
            }
        }
    }

    fn find_bsns(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.bsn else { return };
        for matched in pattern.find_iter(input.text) {
            if !isolated_number(input.text, matched.start(), matched.end()) {
                continue;
            }
            let digits: String = matched.as_str().chars().filter(char::is_ascii_digit).collect();
            if !elfproef(&digits) {
                continue;
            }
            let window = before(input, matched.start(), 40);
            let score = if self.bsn_words.in_window(window) {
                1.0
            } else if self.not_bsn_words.in_window(window) || digits.len() == 8 {
                continue;
            } else if matched.as_str().len() > 9 {
                // Written in the official grouping "1234.56.782": more likely a BSN.
                0.8
            } else {
                0.6
            };
            found.push(candidate(EntityKind::Bsn, matched.start(), matched.end(), score));
        }
    }

    fn find_cards(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.card else { return };
        for matched in pattern.find_iter(input.text) {
            if !isolated_number(input.text, matched.start(), matched.end()) {
                continue;
            }
            // The pattern may have run on into a following number ("4111 1111 1111 1111
            // 06 ..."): try the longest prefix of whole digit groups that validates.
            let groups: Vec<(usize, usize)> = digit_groups(matched.as_str());
            for group_count in (1..=groups.len()).rev() {
                let end = matched.start() + groups[group_count - 1].1;
                let digits: String = input.text[matched.start()..end]
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                if (12..=19).contains(&digits.len()) && issuer_known(&digits) && luhn(&digits) {
                    let window = before(input, matched.start(), 40);
                    let score = if self.card_words.in_window(window) { 1.0 } else { 0.9 };
                    found.push(candidate(EntityKind::CreditCard, matched.start(), end, score));
                    break;
                }
            }
        }
    }

    fn find_vat_ids(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.vat else { return };
        for captures in pattern.captures_iter(input.text) {
            let (Some(whole), Some(number), Some(suffix)) = (captures.get(0), captures.get(1), captures.get(2)) else {
                continue;
            };
            let digits: String = number.as_str().chars().filter(char::is_ascii_digit).collect();
            let compact = format!("NL{digits}B{}", suffix.as_str());
            // PII-03: an old sole-trader VAT id is "NL" + BSN + "B01": it gets the BSN policy.
            if elfproef(&digits) {
                found.push(candidate(EntityKind::Bsn, whole.start(), whole.end(), 1.0));
            } else if mod97(&compact) {
                found.push(candidate(EntityKind::VatId, whole.start(), whole.end(), 1.0));
            }
        }
    }

    fn find_kvk_numbers(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.eight_digits else { return };
        let regions = self.kvk_words.regions_after(input, 40);
        for (start, end) in find_in_regions(pattern, input.text, &regions) {
            if isolated_number(input.text, start, end) && self.kvk_words.in_window(before(input, start, 30)) {
                found.push(candidate(EntityKind::Kvk, start, end, 0.95));
            }
        }
    }

    fn find_documents(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        if let Some(pattern) = &self.document {
            let regions = self.document_words.regions_after(input, 50);
            for (start, end) in find_in_regions(pattern, input.text, &regions) {
                let code = &input.text[start..end];
                let digits_inside = code.chars().skip(2).filter(char::is_ascii_digit).count();
                if digits_inside >= 2 && self.document_words.in_window(before(input, start, 40)) {
                    found.push(candidate(EntityKind::IdDocument, start, end, 0.9));
                }
            }
        }
        if let Some(pattern) = &self.ten_digits {
            let regions = self.licence_words.regions_after(input, 50);
            for (start, end) in find_in_regions(pattern, input.text, &regions) {
                if isolated_number(input.text, start, end) && self.licence_words.in_window(before(input, start, 40)) {
                    found.push(candidate(EntityKind::IdDocument, start, end, 0.9));
                }
            }
        }
    }

    fn find_plates(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.plate else { return };
        for matched in pattern.find_iter(input.text) {
            let plate = matched.as_str();
            let dashes = plate.matches('-').count();
            let has_context = self.plate_words.in_window(before(input, matched.start(), 40));
            let score = if has_context {
                0.95
            } else if dashes == 2 && self.strict_plate.as_ref().is_some_and(|strict| strict.is_match(plate)) {
                0.8
            } else {
                continue;
            };
            found.push(candidate(
                EntityKind::LicensePlate,
                matched.start(),
                matched.end(),
                score,
            ));
        }
    }

    fn find_postcodes(&self, input: &Input<'_>, found: &mut Vec<Candidate>) {
        let Some(pattern) = &self.postcode else { return };
        for captures in pattern.captures_iter(input.text) {
            let (Some(whole), Some(letters)) = (captures.get(0), captures.get(2)) else {
                continue;
            };
            let letters = letters.as_str();
            if matches!(letters.to_ascii_uppercase().as_str(), "SA" | "SD" | "SS") {
                continue;
            }
            if matches!(
                char_before(input.text, whole.start()),
                Some(':' | '.' | ',' | '-' | '/' | '€' | '$')
            ) {
                continue;
            }
            let has_context = self.postcode_words.in_window(before(input, whole.start(), 30));
            let uppercase = letters.chars().all(|c| c.is_ascii_uppercase());
            let score = if has_context {
                1.0
            } else if uppercase {
                0.85
            } else {
                continue;
            };
            found.push(candidate(EntityKind::Postcode, whole.start(), whole.end(), score));
        }
    }
}

/// Compiles a constant pattern. Every pattern of the crate is covered by a test that asserts
/// it compiles, so `None` never happens in a released build; a recognizer skips a `None`.
pub(super) fn compile(source: &str) -> Option<Regex> {
    Regex::new(source).ok()
}

/// The byte offset of the character after the one at `offset` (the text's length at its end).
fn next_char_boundary(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(text.len(), |character| offset + character.len_utf8())
}

pub(super) fn candidate(kind: EntityKind, start: usize, end: usize, score: f32) -> Candidate {
    Candidate {
        kind,
        start,
        end,
        score,
    }
}

/// True when the number at `start..end` is not glued to other digits ("12.345678901" or
/// "06 123456789" are parts of something longer, not identifiers on their own).
pub(super) fn isolated_number(text: &str, start: usize, end: usize) -> bool {
    let glued_before = match char_before(text, start) {
        Some(previous) if previous.is_ascii_digit() => true,
        // "+447700 208 815" is an international phone number, never a bare identifier.
        Some('+') => true,
        Some('.' | ',' | '-' | '/' | ' ') => {
            let before_separator = char_before(text, start.saturating_sub(1));
            before_separator.is_some_and(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    let glued_after = match char_after(text, end) {
        Some(next) if next.is_ascii_digit() => true,
        Some('.' | ',' | '-' | '/') => char_after(text, end + 1).is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    !glued_before && !glued_after
}

/// Byte ranges of the digit groups in a string of digits separated by spaces or dashes.
fn digit_groups(text: &str) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut group_start = None;
    for (offset, character) in text.char_indices() {
        match (character.is_ascii_digit(), group_start) {
            (true, None) => group_start = Some(offset),
            (false, Some(start)) => {
                groups.push((start, offset));
                group_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = group_start {
        groups.push((start, text.len()));
    }
    groups
}

/// Issuer identification prefixes of the card schemes seen in Europe (Visa, Mastercard, Amex,
/// Discover, Diners, JCB, Maestro, UnionPay, Mir). A Luhn-valid number outside them is more
/// likely an account or parcel number.
fn issuer_known(digits: &str) -> bool {
    let prefix = |length: usize| digits.get(..length).and_then(|p| p.parse::<u32>().ok());
    let (Some(one), Some(two), Some(three), Some(four)) = (prefix(1), prefix(2), prefix(3), prefix(4)) else {
        return false;
    };
    one == 4
        || (51..=55).contains(&two)
        || (2221..=2720).contains(&four)
        || (2200..=2204).contains(&four)
        || two == 34
        || two == 37
        || four == 6011
        || (644..=649).contains(&three)
        || two == 65
        || (300..=305).contains(&three)
        || two == 36
        || two == 38
        || two == 39
        || two == 35
        || four == 1800
        || four == 2131
        || two == 50
        || (56..=69).contains(&two)
}

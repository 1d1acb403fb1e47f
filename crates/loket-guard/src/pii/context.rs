//! Context words around a candidate: the text just before or after it, in lowercase.
//!
//! Recognizers whose pattern alone is ambiguous (nine digits, eight digits, a date, a code of
//! letters and digits) ask whether words such as "bsn", "kvk" or "geboren" stand nearby.
//! Windows are measured in bytes of the ASCII-lowercased copy and always cut on character
//! boundaries, so non-ASCII text around a candidate never causes a panic.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::Input;

/// A compiled list of lowercase context words, searched in one pass.
pub(super) struct WordList {
    automaton: Option<AhoCorasick>,
}

impl WordList {
    /// Compiles `words` (lowercase). Building from constant lists cannot fail in practice; a
    /// failed build yields a list that never matches, which the recognizer tables would catch.
    pub(super) fn new(words: &[&str]) -> WordList {
        WordList {
            automaton: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(words)
                .ok(),
        }
    }

    /// True when `window` (lowercase) contains one of the words starting at a word boundary
    /// ("tel" matches "tel:" and "telefoon" but not "hotel") and standing in the prose, not
    /// inside an e-mail address or a link ("ref" in "ref.jansen@example.nl" says nothing
    /// about the number after it).
    pub(super) fn in_window(&self, window: &str) -> bool {
        let Some(automaton) = &self.automaton else {
            return false;
        };
        automaton
            .find_iter(window)
            .any(|found| at_word_start(window, found.start()) && !inside_address(window, found.start(), found.end()))
    }

    /// Byte ranges of `input` that start right after a mention of one of the words and reach
    /// `reach` bytes further, merged and cut on character boundaries. Recognizers that need a
    /// context word run their pattern only inside these ranges.
    pub(super) fn regions_after(&self, input: &Input<'_>, reach: usize) -> Vec<(usize, usize)> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut regions: Vec<(usize, usize)> = Vec::new();
        for found in automaton.find_iter(&input.lower) {
            if !at_word_start(&input.lower, found.start()) || inside_address(&input.lower, found.start(), found.end()) {
                continue;
            }
            let start = floor_boundary(&input.lower, found.end());
            let end = floor_boundary(&input.lower, found.end().saturating_add(reach));
            match regions.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => regions.push((start, end)),
            }
        }
        regions
    }
}

/// Matches of `pattern` inside `regions` of `text`, as absolute byte ranges.
pub(super) fn find_in_regions(pattern: &Regex, text: &str, regions: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for &(start, end) in regions {
        let Some(slice) = text.get(start..end) else {
            continue;
        };
        for matched in pattern.find_iter(slice) {
            found.push((start + matched.start(), start + matched.end()));
        }
    }
    found
}

/// True when the whitespace-delimited tokens holding `text[start..end]` are an e-mail address
/// or a link (see [`is_address`]).
fn inside_address(text: &str, start: usize, end: usize) -> bool {
    let (token_start, _) = token_around(text, start);
    let (_, token_end) = token_around(text, end);
    text.get(token_start..token_end).is_some_and(is_address)
}

/// True when `token` (no whitespace) is an e-mail address or a link: it holds an "@" or "://",
/// or starts with "www.".
fn is_address(token: &str) -> bool {
    token.contains('@') || token.contains("://") || token.starts_with("www.")
}

/// The byte range of the whitespace-delimited token around byte offset `position`: when
/// `position` is whitespace, the token ending there (empty between two whitespace characters).
fn token_around(text: &str, position: usize) -> (usize, usize) {
    let position = floor_boundary(text, position);
    let start = text[..position].rfind(char::is_whitespace).map_or(0, |found| {
        found + text[found..].chars().next().map_or(1, char::len_utf8)
    });
    let end = text[position..]
        .find(char::is_whitespace)
        .map_or(text.len(), |found| position + found);
    (start, end)
}

fn at_word_start(text: &str, position: usize) -> bool {
    text.get(..position)
        .and_then(|head| head.chars().next_back())
        .is_none_or(|previous| !previous.is_alphanumeric())
}

/// The lowercase text of up to `bytes` bytes before byte offset `start`.
/// When the window's cut falls inside an e-mail address or a link, the rest of that address is
/// left out too, so that a word inside it cannot pass for context.
pub(super) fn before<'a>(input: &'a Input<'_>, start: usize, bytes: usize) -> &'a str {
    let end = floor_boundary(&input.lower, start);
    let mut begin = floor_boundary(&input.lower, end.saturating_sub(bytes));
    let (token_start, token_end) = token_around(&input.lower, begin);
    if token_start < begin && input.lower.get(token_start..token_end).is_some_and(is_address) {
        begin = token_end.min(end);
    }
    input.lower.get(begin..end).unwrap_or("")
}

/// The lowercase text of up to `bytes` bytes after byte offset `end`.
/// As with [`before`], an address cut by the window's end is left out.
pub(super) fn after<'a>(input: &'a Input<'_>, end: usize, bytes: usize) -> &'a str {
    let begin = floor_boundary(&input.lower, end);
    let mut stop = floor_boundary(&input.lower, begin.saturating_add(bytes));
    let (token_start, token_end) = token_around(&input.lower, stop);
    if stop < token_end && input.lower.get(token_start..token_end).is_some_and(is_address) {
        stop = token_start.max(begin);
    }
    input.lower.get(begin..stop).unwrap_or("")
}

/// The largest char boundary of `text` at or below `offset`.
pub(super) fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut position = offset.min(text.len());
    while position > 0 && !text.is_char_boundary(position) {
        position -= 1;
    }
    position
}

/// The character just before byte offset `start`, if any.
pub(super) fn char_before(text: &str, start: usize) -> Option<char> {
    text.get(..floor_boundary(text, start))?.chars().next_back()
}

/// The character starting at byte offset `end`, if any.
pub(super) fn char_after(text: &str, end: usize) -> Option<char> {
    text.get(floor_boundary(text, end)..)?.chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::Lang;

    fn input(text: &str) -> Input<'_> {
        Input {
            text,
            lower: text.to_ascii_lowercase(),
            lang: Lang::Auto,
            has_digits: true,
        }
    }

    #[test]
    fn windows_cut_on_character_boundaries_inside_multibyte_text() {
        let text = "ééé BSN ééé 123";
        let input = input(text);
        for offset in 0..=text.len() + 3 {
            for width in 0..12 {
                let _ = before(&input, offset, width);
                let _ = after(&input, offset, width);
            }
        }
        assert!(before(&input, text.len() - 3, 12).contains("ééé"));
    }

    #[test]
    fn word_lists_require_a_word_start() {
        let words = WordList::new(&["tel", "telefoon"]);
        assert!(words.in_window("bel mijn tel: "));
        assert!(words.in_window("mijn telefoonnummer"));
        assert!(!words.in_window("in het hotel"));
    }

    #[test]
    fn words_inside_addresses_and_links_are_not_context() {
        let words = WordList::new(&["ref", "bsn"]);
        assert!(words.in_window("mijn ref is"));
        assert!(words.in_window("ref: "));
        assert!(!words.in_window(" ref.aa@example-aa.nl  "));
        assert!(!words.in_window("mail info@ref.nl "));
        assert!(!words.in_window("zie https://example.nl/ref/3 "));
        assert!(!words.in_window("zie www.ref.nl "));
        assert!(words.in_window("info@example.nl bsn "));
        let text = "kvk@example.nl 12345678 kvk 87654321";
        let regions = WordList::new(&["kvk"]).regions_after(&input(text), 10);
        assert_eq!(regions, vec![(27, text.len())]);
        // A window whose cut falls inside an address leaves the whole address out.
        let text = "aa.kvka@example-ref.nl iban: 100020021 ref.x@example.nl";
        let input = input(text);
        let number = text.find("100020021").unwrap_or_default();
        assert_eq!(before(&input, number, 20), " iban: ");
        assert_eq!(before(&input, number, 200), "aa.kvka@example-ref.nl iban: ");
        assert_eq!(after(&input, number + 9, 8), " ");
        assert!(!words.in_window(before(&input, number, 20)));
    }

    #[test]
    fn regions_after_mentions_are_merged_and_bounded() {
        let text = "kvk 12345678 en kvk 87654321 ééé";
        let input = input(text);
        let regions = WordList::new(&["kvk"]).regions_after(&input, 10);
        assert_eq!(regions, vec![(3, 13), (19, 29)]);
        let all = WordList::new(&["kvk"]).regions_after(&input, 1000);
        assert_eq!(all.last().map(|region| region.1), Some(text.len()));
    }
}

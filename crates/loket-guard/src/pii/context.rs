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
    /// ("tel" matches "tel:" and "telefoon" but not "hotel").
    pub(super) fn in_window(&self, window: &str) -> bool {
        let Some(automaton) = &self.automaton else {
            return false;
        };
        automaton
            .find_iter(window)
            .any(|found| at_word_start(window, found.start()))
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
            if !at_word_start(&input.lower, found.start()) {
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

fn at_word_start(text: &str, position: usize) -> bool {
    text.get(..position)
        .and_then(|head| head.chars().next_back())
        .is_none_or(|previous| !previous.is_alphanumeric())
}

/// The lowercase text of up to `bytes` bytes before byte offset `start`.
pub(super) fn before<'a>(input: &'a Input<'_>, start: usize, bytes: usize) -> &'a str {
    let end = floor_boundary(&input.lower, start);
    let begin = floor_boundary(&input.lower, end.saturating_sub(bytes));
    input.lower.get(begin..end).unwrap_or("")
}

/// The lowercase text of up to `bytes` bytes after byte offset `end`.
pub(super) fn after<'a>(input: &'a Input<'_>, end: usize, bytes: usize) -> &'a str {
    let begin = floor_boundary(&input.lower, end);
    let stop = floor_boundary(&input.lower, begin.saturating_add(bytes));
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
    fn regions_after_mentions_are_merged_and_bounded() {
        let text = "kvk 12345678 en kvk 87654321 ééé";
        let input = input(text);
        let regions = WordList::new(&["kvk"]).regions_after(&input, 10);
        assert_eq!(regions, vec![(3, 13), (19, 29)]);
        let all = WordList::new(&["kvk"]).regions_after(&input, 1000);
        assert_eq!(all.last().map(|region| region.1), Some(text.len()));
    }
}

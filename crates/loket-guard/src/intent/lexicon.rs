//! The folded word stream that the intent and special-category detectors match on.
//!
//! Customers type fast: "medewerkr", "klanten service", "MEDEWERKER!!!", "ben je n bot?".
//! Matching regular expressions on the raw text would need every spelling in every pattern, so
//! both detectors first turn a message into a *canonical* string and match their patterns on
//! that instead:
//!
//! 1. [`crate::normalize::normalize`] (NFKC, invisible characters removed);
//! 2. lowercase, diacritics folded ("privé" → "prive", "suïcide" → "suicide"), apostrophes
//!    dropped so that "I'm" becomes "im" and "don't" becomes "dont";
//! 3. sentence punctuation (`. ? ! ;` and line breaks) becomes the token `|`, a comma the
//!    token `,`, every other non-alphanumeric character separates words;
//! 4. each word is looked up in the detector's [`Lexicon`]: a word that is one edit away from
//!    a lexicon word of at least the lexicon's minimum length (same first letter; a swap of two
//!    letters for words one letter shorter) is replaced by it, and two
//!    adjacent words whose concatenation is a lexicon word are joined ("klanten service" →
//!    "klantenservice");
//! 5. the result is written as `" | word word | word | "`: every word is preceded and followed
//!    by one space and the text starts and ends with a sentence mark, so a pattern names a
//!    word as `" word "` and a sentence start as `"\| "`.
//!
//! The canonical string is pure ASCII (a word with other letters becomes `x`), which keeps
//! the regex engine on its fast lazy-DFA path.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{RegexSet, RegexSetBuilder};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A regex fragment for "any one word" in a canonical string (never a sentence mark).
pub(crate) const ANY_WORD: &str = "(?:[a-z0-9]+ |, )";

/// The words a detector cares about, with the typo tolerance that applies to them.
#[derive(Debug)]
pub(crate) struct Lexicon {
    /// Every word that occurs in the detector's patterns; used for exact hits and for joins.
    words: HashSet<String, BuildHasherDefault<WordHasher>>,
    /// Words eligible for typo correction by byte length and first letter (words one letter
    /// shorter than the minimum are kept for swap corrections only).
    targets_by_first_letter: LetterIndex,
    /// Minimum length (of both the typed word and the lexicon word) for typo correction.
    min_fuzzy_length: usize,
    /// Real words that are one edit away from a lexicon word and must not be "corrected"
    /// into it ("cancel" is not a typo for "cancer", "niemand" not for "iemand").
    never_corrected: HashSet<&'static str, BuildHasherDefault<WordHasher>>,
    /// Multi-word expressions rewritten to one token after folding (`" human resources "` →
    /// `" hrafdeling "`), so a person word inside them cannot trigger a rule.
    phrases: Option<(AhoCorasick, Vec<&'static str>)>,
}

impl Lexicon {
    /// Builds a lexicon from the words found in `patterns` (every run of two or more ASCII
    /// lowercase letters), so the typo tolerance always covers exactly what the patterns name.
    pub(crate) fn from_patterns<'a>(
        patterns: impl IntoIterator<Item = &'a str>,
        min_fuzzy_length: usize,
        never_corrected: &[&'static str],
    ) -> Self {
        let mut words = HashSet::default();
        for pattern in patterns {
            for word in pattern
                .split(|character: char| !character.is_ascii_lowercase())
                .filter(|word| word.len() >= 2)
            {
                words.insert(word.to_owned());
            }
        }
        let mut sorted: Vec<&String> = words.iter().filter(|word| word.len() + 1 >= min_fuzzy_length).collect();
        // Deterministic choice when a typo is one edit away from two lexicon words.
        sorted.sort();
        let mut targets_by_first_letter = LetterIndex::new();
        for word in sorted {
            insert(&mut targets_by_first_letter, word);
        }
        Lexicon {
            words,
            targets_by_first_letter,
            min_fuzzy_length,
            never_corrected: never_corrected.iter().copied().collect(),
            phrases: None,
        }
    }

    /// Adds phrase rewrites, each written with a leading and trailing space. A phrase set that
    /// cannot be built (never the case for the constant sets, which the tests exercise) leaves
    /// the text as it is.
    pub(crate) fn with_phrases(mut self, phrases: &[(&'static str, &'static str)]) -> Self {
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            // Every space can start a phrase, so the prefilter rarely skips; a full DFA keeps
            // the scan at one table lookup per byte.
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .build(phrases.iter().map(|(phrase, _)| *phrase));
        self.phrases = matcher
            .ok()
            .map(|matcher| (matcher, phrases.iter().map(|(_, rewrite)| *rewrite).collect()));
        self
    }

    /// True when `word` is one of the lexicon's words as typed.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// The lexicon word that `word` is a one-edit typo of (insertion, deletion, substitution
    /// or swap of two adjacent letters), if any.
    ///
    /// A word one letter shorter than the minimum is corrected only for a swap of two adjacent
    /// letters ("humna" → "human"): swaps rarely turn one real word into another.
    pub(crate) fn correct(&self, word: &str) -> Option<&str> {
        let typed = word.as_bytes();
        let &first = typed.first()?;
        if typed.len() + 1 < self.min_fuzzy_length || !typed.iter().all(u8::is_ascii_lowercase) {
            return None;
        }
        let correction = self.closest_target(typed, first)?;
        (!self.never_corrected.contains(word)).then_some(correction)
    }

    fn closest_target(&self, typed: &[u8], first: u8) -> Option<&str> {
        let typed_mask = letter_mask(typed);
        if typed.len() + 1 == self.min_fuzzy_length {
            return self
                .targets(typed.len(), first)
                .iter()
                .find(|target| target.letters == typed_mask && is_adjacent_swap(typed, target.word.as_bytes()))
                .map(|target| target.word.as_str());
        }
        for length in [typed.len(), typed.len() - 1, typed.len() + 1] {
            for target in self.targets(length, first) {
                // One edit changes the set of letters used by at most one removed and one
                // added letter: a cheap test that rejects almost every candidate.
                if (target.letters ^ typed_mask).count_ones() <= 2 && within_one_edit(typed, target.word.as_bytes()) {
                    return Some(&target.word);
                }
            }
        }
        None
    }

    /// Correction targets of `length` bytes starting with `letter`. Typos are corrected only
    /// after the first letter: people start words right, and most real-word neighbours of a
    /// lexicon word differ in the first letter ("talked"/"stalked", "houden"/"zouden").
    fn targets(&self, length: usize, letter: u8) -> &[Target] {
        let Some(slot) = letter.checked_sub(b'a').map(usize::from).filter(|slot| *slot < 26) else {
            return &[];
        };
        self.targets_by_first_letter
            .get(length)
            .and_then(|by_letter| by_letter.get(slot))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Folds `text` and writes its canonical form (see the module documentation).
    pub(crate) fn canonical(&self, text: &str) -> String {
        let folded = FoldedWords::new(text);
        let words: Vec<&str> = folded.words().collect();
        let known: Vec<bool> = words.iter().map(|word| self.contains(word)).collect();
        let mut canonical = String::with_capacity(folded.text.len() + 8);
        let mut joined = String::new();
        canonical.push_str(" |");
        let mut index = 0;
        while index < words.len() {
            let word = words[index];
            if word == SENTENCE_MARK {
                if !canonical.ends_with(" |") {
                    canonical.push_str(" |");
                }
                index += 1;
                continue;
            }
            canonical.push(' ');
            if let Some(next) = words.get(index + 1).filter(|next| **next != SENTENCE_MARK) {
                // Short joins are mostly accidents of two real words ("met een" → "meteen").
                if word.len() + next.len() >= 8 {
                    joined.clear();
                    joined.push_str(word);
                    joined.push_str(next);
                    let either_known = known[index] || known.get(index + 1) == Some(&true);
                    if let Some(join) = self.join(word, next, &joined, either_known) {
                        canonical.push_str(join);
                        index += 2;
                        continue;
                    }
                }
            }
            if known[index] {
                canonical.push_str(word);
            } else if let Some(corrected) = self.correct(word) {
                canonical.push_str(corrected);
            } else if word.is_ascii() {
                canonical.push_str(word);
            } else {
                canonical.push('x');
            }
            index += 1;
        }
        if !canonical.ends_with(" |") {
            canonical.push_str(" |");
        }
        canonical.push(' ');
        match &self.phrases {
            Some((matcher, rewrites)) => matcher.replace_all(&canonical, rewrites),
            None => canonical,
        }
    }

    /// The lexicon word that two adjacent words form when written together, if any.
    fn join<'s>(&'s self, first: &str, second: &str, joined: &'s str, either_known: bool) -> Option<&'s str> {
        if self.contains(joined) {
            return Some(joined);
        }
        // A typo inside a split word ("klanten servise") is corrected only when neither half
        // is a word the patterns know, so "mens en" never turns into something else.
        if !either_known && first.len() >= 3 && second.len() >= 3 {
            return self.correct(joined);
        }
        None
    }
}

/// FNV-1a: the lexicon is looked up once or twice per word of every message, and the
/// standard SipHash (built against hash flooding, which constant keys do not need) was a
/// sixth of the detectors' time.
#[derive(Debug, Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// A word typos are corrected to, with the set of letters it uses.
#[derive(Debug, Clone)]
struct Target {
    word: String,
    letters: u32,
}

/// Targets by byte length, then by first letter `a`..=`z`.
type LetterIndex = Vec<Vec<Vec<Target>>>;

fn insert(index: &mut LetterIndex, word: &str) {
    let Some(slot) = word
        .bytes()
        .next()
        .and_then(|letter| letter.checked_sub(b'a'))
        .map(usize::from)
        .filter(|slot| *slot < 26)
    else {
        return;
    };
    if index.len() <= word.len() {
        index.resize_with(word.len() + 1, || vec![Vec::new(); 26]);
    }
    index[word.len()][slot].push(Target {
        word: word.to_owned(),
        letters: letter_mask(word.as_bytes()),
    });
}

/// A bit per letter `a`..=`z` that occurs in `word`.
fn letter_mask(word: &[u8]) -> u32 {
    word.iter()
        .filter(|byte| byte.is_ascii_lowercase())
        .fold(0, |mask, byte| mask | 1 << (byte - b'a'))
}

/// True when `target` is `typed` with two adjacent letters swapped.
fn is_adjacent_swap(typed: &[u8], target: &[u8]) -> bool {
    if typed.len() != target.len() {
        return false;
    }
    let Some(first) = typed.iter().zip(target).position(|(left, right)| left != right) else {
        return false;
    };
    first + 1 < typed.len()
        && typed[first] == target[first + 1]
        && typed[first + 1] == target[first]
        && typed[first + 2..] == target[first + 2..]
}

/// The token that stands for a sentence boundary.
const SENTENCE_MARK: &str = "|";

/// Lowercased, diacritic-folded words of a text with sentence marks between sentences.
struct FoldedWords {
    /// The words separated by single spaces.
    text: String,
}

impl FoldedWords {
    fn new(text: &str) -> Self {
        let normalized = crate::normalize::normalize(text).text;
        let mut folded = FoldedWords {
            text: String::with_capacity(normalized.len() + 8),
        };
        for character in normalized.chars() {
            if character.is_ascii() {
                folded.push_ascii(character);
            } else {
                for lower in character.to_lowercase() {
                    for decomposed in std::iter::once(lower).nfd() {
                        folded.push_folded(decomposed);
                    }
                }
            }
        }
        folded
    }

    fn push_ascii(&mut self, character: char) {
        match character {
            'a'..='z' | '0'..='9' => self.text.push(character),
            'A'..='Z' => self.text.push(character.to_ascii_lowercase()),
            // Apostrophes join: "I'm" → "im", "zo'n" → "zon", "don't" → "dont".
            '\'' | '`' => {}
            '.' | '?' | '!' | ';' | '\n' | '\r' => self.push_sentence_mark(),
            ',' => self.push_comma(),
            _ => self.push_space(),
        }
    }

    fn push_folded(&mut self, character: char) {
        if character.is_ascii() {
            self.push_ascii(character);
            return;
        }
        if is_combining_mark(character) {
            return;
        }
        match character {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' => {}
            '\u{2026}' | '\u{00BF}' | '\u{00A1}' | '\u{3002}' | '\u{2028}' | '\u{2029}' => self.push_sentence_mark(),
            '\u{00DF}' => self.text.push_str("ss"),
            '\u{00E6}' => self.text.push_str("ae"),
            '\u{0153}' => self.text.push_str("oe"),
            '\u{00F8}' => self.text.push('o'),
            '\u{0142}' => self.text.push('l'),
            _ if character.is_alphanumeric() => self.text.push(character),
            _ => self.push_space(),
        }
    }

    fn push_space(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.text.push(' ');
        }
    }

    /// A comma is a word of its own, so that rules can tell "ik wil een mens, nu" from one
    /// clause running on; [`ANY_WORD`] matches it.
    fn push_comma(&mut self) {
        self.push_space();
        if !self.text.ends_with("| ") && !self.text.ends_with(", ") && !self.text.is_empty() {
            self.text.push_str(", ");
        }
    }

    fn push_sentence_mark(&mut self) {
        self.push_space();
        if self.text.ends_with(", ") {
            self.text.truncate(self.text.len() - 2);
        }
        if !self.text.ends_with("| ") {
            self.text.push_str("| ");
        }
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.text.split(' ').filter(|word| !word.is_empty())
    }
}

/// True when `typed` becomes `target` by at most one insertion, deletion, substitution or
/// swap of two adjacent bytes.
fn within_one_edit(typed: &[u8], target: &[u8]) -> bool {
    let common_prefix = typed
        .iter()
        .zip(target)
        .take_while(|(left, right)| left == right)
        .count();
    let typed_rest = &typed[common_prefix..];
    let target_rest = &target[common_prefix..];
    match typed_rest.len() as isize - target_rest.len() as isize {
        0 => {
            typed_rest.len() <= 1
                || typed_rest[1..] == target_rest[1..]
                || (typed_rest.len() >= 2
                    && typed_rest[0] == target_rest[1]
                    && typed_rest[1] == target_rest[0]
                    && typed_rest[2..] == target_rest[2..])
        }
        1 => typed_rest[1..] == *target_rest,
        -1 => *typed_rest == target_rest[1..],
        _ => false,
    }
}

/// Expands `{NAME}` placeholders in a pattern template with `(?:word|word ...)` alternations
/// from `classes`; `{W}` stands for [`ANY_WORD`].
pub(crate) fn expand(template: &str, classes: &[(&str, &[&str])]) -> String {
    let mut pattern = template.replace("{W}", ANY_WORD);
    for (name, words) in classes {
        let placeholder = format!("{{{name}}}");
        if pattern.contains(&placeholder) {
            pattern = pattern.replace(&placeholder, &format!("(?:{})", words.join("|")));
        }
    }
    pattern
}

/// A group of patterns that fires when one of its `positive` patterns matches a sentence of
/// the canonical text in which none of its `veto` patterns matches.
///
/// Vetoes are checked per sentence, so "ik wil mijn telefoonnummer wijzigen. Wat is jullie
/// telefoonnummer?" still asks for a phone number.
#[derive(Debug)]
pub(crate) struct RuleGroup {
    positive: RegexSet,
    veto: Option<RegexSet>,
}

impl RuleGroup {
    /// Expands and compiles the templates; an error names the first template that failed.
    pub(crate) fn compile(positive: &[&str], veto: &[&str], classes: &[(&str, &[&str])]) -> Result<Self, regex::Error> {
        let expand_all = |templates: &[&str]| {
            templates
                .iter()
                .map(|template| expand(template, classes))
                .collect::<Vec<_>>()
        };
        let positive = build_set(expand_all(positive))?;
        let veto = if veto.is_empty() {
            None
        } else {
            Some(build_set(expand_all(veto))?)
        };
        Ok(RuleGroup { positive, veto })
    }

    /// Like [`RuleGroup::compile`] for constant templates. Every constant template set is
    /// compiled by a unit test, so the fallback (a group that never fires) is unreachable in a
    /// tested build; it exists only because construction must not panic.
    pub(crate) fn new(positive: &[&str], veto: &[&str], classes: &[(&str, &[&str])]) -> Self {
        RuleGroup::compile(positive, veto, classes).unwrap_or_else(|_| RuleGroup {
            positive: RegexSet::empty(),
            veto: None,
        })
    }

    /// True when the group fires on `canonical` (a string made by [`Lexicon::canonical`]).
    pub(crate) fn matches(&self, canonical: &str) -> bool {
        if !self.positive.is_match(canonical) {
            return false;
        }
        let Some(veto) = &self.veto else {
            return true;
        };
        sentences(canonical).any(|sentence| self.positive.is_match(sentence) && !veto.is_match(sentence))
    }
}

/// Compiles a set with room for its lazy DFA: the word windows (`{W}{0,3}`) next to large
/// word classes make many states, and a cache that is too small makes the engine fall back to
/// a much slower one.
pub(crate) fn build_set(patterns: Vec<String>) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns)
        .size_limit(64 << 20)
        .dfa_size_limit(16 << 20)
        .build()
}

/// The sentences of a canonical string, each written as `" | word word | "`.
pub(crate) fn sentences(canonical: &str) -> impl Iterator<Item = &str> {
    let bars: Vec<usize> = canonical.match_indices('|').map(|(index, _)| index).collect();
    (1..bars.len()).filter_map(move |index| {
        let start = bars[index - 1].saturating_sub(1);
        let end = (bars[index] + 2).min(canonical.len());
        canonical.get(start..end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon::from_patterns(
            [" (?:medewerker|klantenservice|representative|mens) ", " iemand "],
            6,
            &["niemand"],
        )
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(lexicon().canonical(input), expected, "input: {input:?}");
    }

    #[test]
    fn text_is_lowercased_folded_and_split_into_sentences() {
        check("Hé, MEDEWERKER!!! Nú?", " | he , medewerker | nu | ");
        check("", " | ");
        check("I'm here", " | im here | ");
        check("ja, nee, nu.", " | ja , nee , nu | ");
        check("Suïcide… ja", " | suicide | ja | ");
    }

    #[test]
    fn one_edit_typos_of_long_lexicon_words_are_corrected() {
        check("medewerkr", " | medewerker | ");
        check("mederwerker", " | medewerker | ");
        check("mdeewerker", " | medewerker | ");
        check("reprsentative", " | representative | ");
        check("medewrekre", " | medewrekre | ");
    }

    #[test]
    fn short_words_and_protected_words_are_never_corrected() {
        check("mens mensx", " | mens mensx | ");
        check("mnes", " | mnes | ");
        check("niemand", " | niemand | ");
    }

    #[test]
    fn split_words_are_joined_when_the_join_is_a_lexicon_word() {
        check("klanten service", " | klantenservice | ");
        check("klanten servise bellen", " | klantenservice bellen | ");
        check("met een mens", " | met een mens | ");
        check("mede werker", " | medewerker | ");
    }

    #[test]
    fn words_in_other_scripts_become_a_placeholder() {
        check("привет medewerker", " | x medewerker | ");
    }

    #[test]
    fn one_edit_check_covers_each_kind_of_edit() {
        assert!(within_one_edit(b"abcdef", b"abcdef"));
        assert!(within_one_edit(b"abcxef", b"abcdef"));
        assert!(within_one_edit(b"abdcef", b"abcdef"));
        assert!(within_one_edit(b"abcef", b"abcdef"));
        assert!(within_one_edit(b"abcdeff", b"abcdef"));
        assert!(!within_one_edit(b"abxxef", b"abcdef"));
        assert!(!within_one_edit(b"abcd", b"abcdef"));
    }

    #[test]
    fn a_veto_blocks_only_the_sentence_it_occurs_in() {
        let group = RuleGroup::compile(&[" phone "], &[" my phone "], &[]).expect("test patterns compile");
        assert!(group.matches(" | your phone | "));
        assert!(!group.matches(" | my phone | "));
        assert!(group.matches(" | my phone | your phone | "));
    }

    #[test]
    fn placeholders_expand_to_alternations() {
        let pattern = expand(" {A} {W}{0,2}b ", &[("A", &["x", "y z"])]);
        assert_eq!(pattern, " (?:x|y z) (?:[a-z0-9]+ |, ){0,2}b ");
    }
}

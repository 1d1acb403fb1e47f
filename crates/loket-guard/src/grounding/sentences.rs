//! Cutting an answer into the sentences the verifier judges, also while it is still streaming.
//!
//! A *segment* ends after `.`, `!` or `?` (a run of them, then any closing quotes or brackets)
//! followed by white space, and at every line break. A `.` does not end a segment after an
//! abbreviation ("e.g.", "bijv.", "etc."), after initials ("L.F.", "o.a.", "J."), or after
//! "no."/"nr."/"tel." when a digit follows; decimals ("14.95") and host names
//! ("www.example.nl") have no white space after their dots and are never cut.
//!
//! A *sentence* is a segment that claims something, together with the segments before it that
//! claim nothing: agreement only ("Yes.", "I agree.", "Klopt!") or no words at all ("...").
//! So "Yes. Returns are free." is one sentence, judged on "Returns are free.", and an answer
//! that only agrees ends in a sentence without a claim, which the verifier rejects.
//!
//! The same splitter is the training script's `sentences` (eval/grounding/train.py).

use super::features::{AGREEMENT, tokens};

/// Characters that end a segment when white space follows.
const TERMINALS: &[char] = &['.', '!', '?'];
/// Closing quotes and brackets that may stand between the terminal and the white space.
const CLOSERS: &[char] = &['"', '\'', ')', ']', '»', '”', '’', '*'];
/// Opening quotes and brackets stripped from the word before a `.` to look it up.
const OPENERS: &[char] = &['"', '\'', '(', '[', '«', '“', '‘', '*'];
/// Words (lowercased, with their dot) after which a `.` does not end a segment.
const ABBREVIATIONS: &[&str] = &[
    "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "jr.", "sr.", "approx.", "incl.", "excl.", "ca.",
    "cf.", "fig.", "inc.", "ltd.", "dept.", "bijv.", "bv.", "enz.", "evt.", "resp.", "dhr.", "mevr.", "ong.", "zgn.",
    "vnl.", "blz.", "jl.", "mln.", "mld.",
];
/// Words after which a `.` does not end a segment when a digit follows ("nr. 5", "tel. 020").
const BEFORE_NUMBER: &[&str] = &["no.", "nr.", "nos.", "tel.", "art.", "p.", "pp.", "vol.", "ch."];

/// The sentences of a finished answer, in order, trimmed; the last one may lack its final
/// punctuation. An answer with at least one word passes [`super::GroundingVerifier::check`]
/// exactly when each of these passes [`super::GroundingVerifier::check_sentence`].
pub fn sentences(text: &str) -> Vec<&str> {
    join_claimless(text, &segments(text, true), true)
}

/// The sentences of a growing answer (a stream cut anywhere) that are final: whatever text
/// follows, [`sentences`] of the longer text starts with exactly these. Show them as they come;
/// at the end of the stream, [`sentences`] of the whole answer gives the rest.
pub fn complete_sentences(text: &str) -> Vec<&str> {
    join_claimless(text, &segments(text, false), false)
}

/// The part of a sentence after its leading segments that claim nothing; empty when nothing
/// is left.
pub(super) fn claim(sentence: &str) -> &str {
    segments(sentence, true)
        .into_iter()
        .find(|&(start, end)| !claims_nothing(&sentence[start..end]))
        .map_or("", |(start, _)| &sentence[start..])
}

/// The segments of `sentence`, for the question rule.
pub(super) fn segments_of(sentence: &str) -> impl Iterator<Item = &str> {
    segments(sentence, true)
        .into_iter()
        .map(move |(start, end)| &sentence[start..end])
}

/// True for agreement only or no words at all.
fn claims_nothing(segment: &str) -> bool {
    tokens(segment).iter().all(|word| AGREEMENT.contains(&word.as_str()))
}

/// Joins each run of claimless segments to the segment after it. With `finished`, a run at the
/// end becomes a sentence of its own; without, it waits for what follows.
fn join_claimless<'text>(text: &'text str, segments: &[(usize, usize)], finished: bool) -> Vec<&'text str> {
    let mut out = Vec::new();
    let mut pending: Option<usize> = None;
    for &(start, end) in segments {
        let first = *pending.get_or_insert(start);
        if claims_nothing(&text[start..end]) {
            continue;
        }
        out.push(&text[first..end]);
        pending = None;
    }
    if finished && let (Some(first), Some(&(_, end))) = (pending, segments.last()) {
        out.push(&text[first..end]);
    }
    out
}

/// Byte ranges of the segments, trimmed, blank ones left out. With `finished` the text ends
/// here; without, only the segments whose end is already certain are returned.
fn segments(text: &str, finished: bool) -> Vec<(usize, usize)> {
    let characters: Vec<(usize, char)> = text.char_indices().collect();
    let count = characters.len();
    let at = |index: usize| characters.get(index).map_or(' ', |&(_, character)| character);
    let byte = |index: usize| characters.get(index).map_or(text.len(), |&(offset, _)| offset);
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < count {
        let character = at(index);
        if character == '\n' {
            ranges.push((byte(start), byte(index)));
            start = index + 1;
            index += 1;
            continue;
        }
        if !TERMINALS.contains(&character) {
            index += 1;
            continue;
        }
        let mut after = index;
        while after < count && TERMINALS.contains(&at(after)) {
            after += 1;
        }
        let run_end = after;
        while after < count && CLOSERS.contains(&at(after)) {
            after += 1;
        }
        if after == count {
            // The text ends in punctuation: a boundary only once white space follows.
            break;
        }
        if !at(after).is_whitespace() {
            index = after;
            continue;
        }
        let mut next = after;
        let mut line_break = false;
        while next < count && at(next).is_whitespace() {
            line_break |= at(next) == '\n';
            next += 1;
        }
        if !line_break && run_end - index == 1 && character == '.' && after == run_end {
            let word = word_before(text, byte(index + 1));
            if is_initials(&word) || ABBREVIATIONS.contains(&word.as_str()) {
                index = next;
                continue;
            }
            if BEFORE_NUMBER.contains(&word.as_str()) {
                if next == count {
                    if !finished {
                        // Whether a digit follows is not known yet.
                        break;
                    }
                } else if at(next).is_ascii_digit() {
                    index = next;
                    continue;
                }
            }
        }
        ranges.push((byte(start), byte(after)));
        start = after;
        index = next;
    }
    // Unfinished, the text after the last certain boundary is not a segment yet.
    if finished {
        ranges.push((byte(start), text.len()));
    }
    ranges
        .into_iter()
        .filter_map(|(from, to)| {
            let part = &text[from..to];
            let trimmed_start = from + (part.len() - part.trim_start().len());
            let trimmed = part.trim();
            (!trimmed.is_empty()).then_some((trimmed_start, trimmed_start + trimmed.len()))
        })
        .collect()
}

/// The white-space-delimited word ending at byte `end`, without opening quotes, lowercased.
fn word_before(text: &str, end: usize) -> String {
    let before = &text[..end];
    let from = before
        .rfind(char::is_whitespace)
        .map_or(0, |at| at + before[at..].chars().next().map_or(1, char::len_utf8));
    before[from..].trim_start_matches(OPENERS).to_lowercase()
}

/// "e.g.", "L.F.", "o.a.", "J.": one or more letters each followed by a dot.
fn is_initials(word: &str) -> bool {
    let characters: Vec<char> = word.chars().collect();
    !characters.is_empty()
        && characters.len().is_multiple_of(2)
        && characters
            .chunks(2)
            .all(|pair| pair[0].is_alphabetic() && pair[1] == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` is cut into `expected` sentences.
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(sentences(text), expected, "{text:?}");
    }

    #[test]
    fn sentences_end_at_terminal_punctuation_before_white_space() {
        check("One. Two!  Three? four", &["One.", "Two!", "Three?", "four"]);
        check("  Wait... what?! Yes ", &["Wait...", "what?!", "Yes"]);
        check("He said \"no.\" Then he left.", &["He said \"no.\"", "Then he left."]);
        check("Line one\nLine two\n\n- item", &["Line one", "Line two", "- item"]);
        check("", &[]);
        check("   \n  ", &[]);
    }

    #[test]
    fn numbers_links_abbreviations_and_initials_do_not_end_a_sentence() {
        check("It costs 14.95 euro. Done", &["It costs 14.95 euro.", "Done"]);
        check("3.5 kg is it.", &["3.5 kg is it."]);
        check(
            "See www.example.nl for more. Or mail info@example.nl.",
            &["See www.example.nl for more.", "Or mail info@example.nl."],
        );
        check("Take e.g. the bus. Or walk.", &["Take e.g. the bus.", "Or walk."]);
        check(
            "Dat kan bijv. online. Wij leveren o.a. in Utrecht. Zie ook art. 5 en blz. 3.",
            &[
                "Dat kan bijv. online.",
                "Wij leveren o.a. in Utrecht.",
                "Zie ook art. 5 en blz. 3.",
            ],
        );
        check(
            "He worked for L.F. Rothschild. Then J. Smith came.",
            &["He worked for L.F. Rothschild.", "Then J. Smith came."],
        );
        check(
            "Order no. 5 is late. The answer is no. Sorry",
            &["Order no. 5 is late.", "The answer is no.", "Sorry"],
        );
        check("(e.g. this one.) Next.", &["(e.g. this one.)", "Next."]);
    }

    #[test]
    fn agreement_joins_the_sentence_after_it() {
        check("Yes. It is a black comedy.", &["Yes. It is a black comedy."]);
        check(
            "Klopt! Je hebt 14 dagen bedenktijd.",
            &["Klopt! Je hebt 14 dagen bedenktijd."],
        );
        check("... Returns are free.", &["... Returns are free."]);
        check("Returns are free. Yes!", &["Returns are free.", "Yes!"]);
        check("Yes. I agree.", &["Yes. I agree."]);
        assert_eq!(claim("Yes. I agree. It is a comedy."), "It is a comedy.");
        assert_eq!(claim("Yes. I agree."), "");
    }

    #[test]
    fn complete_sentences_wait_for_what_decides_them() {
        assert_eq!(complete_sentences("Returns are free."), Vec::<&str>::new());
        assert_eq!(complete_sentences("Returns are free. "), vec!["Returns are free."]);
        assert_eq!(complete_sentences("Returns are free. Ye"), vec!["Returns are free."]);
        // "Yes." claims nothing: it waits for the sentence it belongs to.
        assert_eq!(complete_sentences("Yes. "), Vec::<&str>::new());
        assert_eq!(complete_sentences("Yes. It is red. Ok"), vec!["Yes. It is red."]);
        // After "nr." only the next character tells whether the sentence ended.
        assert_eq!(complete_sentences("Bel nr. "), Vec::<&str>::new());
        assert_eq!(complete_sentences("Bel nr. 5. "), vec!["Bel nr. 5."]);
        assert_eq!(complete_sentences("It costs 14."), Vec::<&str>::new());
        assert_eq!(complete_sentences("It costs 14.95 now.\n"), vec!["It costs 14.95 now."]);
    }
}

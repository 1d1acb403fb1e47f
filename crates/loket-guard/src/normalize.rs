//! Text normalisation shared by every guard.
//!
//! Guards look at a normalised copy of the customer's text so that trivial obfuscation
//! (full-width digits, zero-width joiners inside an IBAN, compatibility characters) does not
//! hide anything. Findings must still point into the *original* text, so the normalised copy
//! carries, for each of its characters, the index of the original character it came from.

use unicode_normalization::UnicodeNormalization;

/// A normalised copy of a text with a map back to the original's character offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// NFKC-normalised text with invisible format characters removed.
    pub text: String,
    /// `origin[i]` is the character index in the original text that produced character `i`
    /// of `text`. It has one extra trailing entry equal to the original's character count, so
    /// an exclusive end offset maps back as well.
    pub origin: Vec<usize>,
}

impl Normalized {
    /// Maps a character range of the normalised text back to the original text.
    ///
    /// The result always lies on character boundaries of the original and is never empty when
    /// the input range is not empty.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let last = self.origin.len().saturating_sub(1);
        let original_start = self.origin[start.min(last)];
        let original_end = if end == 0 {
            original_start
        } else {
            // The end is exclusive: map the last included character and step past it.
            self.origin[(end - 1).min(last)] + 1
        };
        (original_start, original_end.max(original_start))
    }
}

/// Normalises `text`: each original character is NFKC-decomposed on its own (so offsets stay
/// exact) and invisible format characters (zero-width spaces and joiners, bidirectional
/// controls, soft hyphens, byte-order marks) are dropped.
pub fn normalize(text: &str) -> Normalized {
    let mut normalized_text = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut original_count = 0;
    for (original_index, character) in text.chars().enumerate() {
        original_count = original_index + 1;
        if is_invisible_format(character) {
            continue;
        }
        if character.is_ascii() {
            normalized_text.push(character);
            origin.push(original_index);
            continue;
        }
        for normalized_character in std::iter::once(character).nfkc() {
            if is_invisible_format(normalized_character) {
                continue;
            }
            normalized_text.push(normalized_character);
            origin.push(original_index);
        }
    }
    origin.push(original_count);
    Normalized {
        text: normalized_text,
        origin,
    }
}

/// True for characters that render as nothing and are used to split tokens invisibly.
pub fn is_invisible_format(character: char) -> bool {
    matches!(
        character,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_become_ascii_and_map_back() {
        let normalized = normalize("nr １２３");
        assert_eq!(normalized.text, "nr 123");
        assert_eq!(normalized.original_range(3, 6), (3, 6));
    }

    #[test]
    fn zero_width_characters_are_removed_but_offsets_point_into_the_original() {
        let normalized = normalize("NL91\u{200B}ABNA");
        assert_eq!(normalized.text, "NL91ABNA");
        assert_eq!(normalized.original_range(0, 8), (0, 9));
    }

    #[test]
    fn empty_text_normalises_to_empty() {
        let normalized = normalize("");
        assert_eq!(normalized.text, "");
        assert_eq!(normalized.original_range(0, 0), (0, 0));
    }

    #[test]
    fn ligature_expands_to_several_characters_of_one_origin() {
        let normalized = normalize("ﬁx");
        assert_eq!(normalized.text, "fix");
        assert_eq!(normalized.original_range(0, 3), (0, 2));
    }
}

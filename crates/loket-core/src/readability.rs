//! Reading ease of the customer-facing texts (REQUIREMENTS DIS-11: language level B1 for
//! general tenants, at most B2 for banking): the Flesch-Douma score for Dutch and the Flesch
//! reading ease for English, both 0 (very hard) to 100 (very easy).
//!
//! Syllables are counted as vowel groups: in Dutch "ij" is a vowel and a diaeresis starts a new
//! syllable ("ideeën", "geïnteresseerd"); in English a final silent "e" does not count. The
//! count is an estimate, as in every implementation of these formulas, and a score is a gate
//! against long sentences and long words, not a proof of a language level: the compliance
//! report says so.

use crate::locale::Locale;

/// Words, sentences and syllables of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextCounts {
    /// Words (runs of letters and digits).
    pub words: usize,
    /// Sentences (ended by `.`, `?`, `!`, `:` or `;`, or by the end of the text).
    pub sentences: usize,
    /// Estimated syllables.
    pub syllables: usize,
}

/// Counts the words, sentences and syllables of `text` in `locale`.
pub fn counts(text: &str, locale: Locale) -> TextCounts {
    let mut counts = TextCounts::default();
    let mut in_sentence = false;
    for token in text.split(|character: char| character.is_whitespace()) {
        let word: String = token
            .chars()
            .filter(|character| character.is_alphanumeric() || *character == '\'')
            .collect();
        if word.chars().any(char::is_alphanumeric) {
            counts.words += 1;
            counts.syllables += syllables(&word, locale);
            in_sentence = true;
        }
        // A full stop inside a number, an address or an abbreviation ("9.00", "despaak.example",
        // "o.a.") does not end a sentence; one at the end of a token does.
        if in_sentence && token.ends_with(['.', '?', '!', ':', ';']) {
            counts.sentences += 1;
            in_sentence = false;
        }
    }
    if in_sentence {
        counts.sentences += 1;
    }
    counts
}

/// The reading ease of `text` from 0 to 100: Flesch-Douma for Dutch, Flesch for English;
/// `None` for a text without words.
pub fn reading_ease(text: &str, locale: Locale) -> Option<f64> {
    let counts = counts(text, locale);
    if counts.words == 0 {
        return None;
    }
    let words_per_sentence = counts.words as f64 / counts.sentences.max(1) as f64;
    let syllables_per_word = counts.syllables as f64 / counts.words as f64;
    let score = match locale {
        Locale::Nl => 206.84 - 0.93 * words_per_sentence - 77.0 * syllables_per_word,
        Locale::En => 206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word,
    };
    // The formulas leave the scale for extreme texts; the scale is 0 to 100.
    Some(score.clamp(0.0, 100.0))
}

/// Estimated syllables of one word (at least one).
fn syllables(word: &str, locale: Locale) -> usize {
    let lower = word.to_lowercase();
    let letters: Vec<char> = lower.chars().filter(|character| character.is_alphabetic()).collect();
    if letters.is_empty() {
        // A number is read as at least one syllable.
        return 1;
    }
    let mut groups = 0;
    let mut previous_vowel = false;
    for (index, &letter) in letters.iter().enumerate() {
        let diaeresis = matches!(letter, 'ë' | 'ï' | 'ü' | 'ö' | 'ä');
        let vowel = is_vowel(letter)
            || diaeresis
            // Dutch "ij" is one vowel: the "j" continues the "i".
            || (locale == Locale::Nl && letter == 'j' && index > 0 && letters[index - 1] == 'i');
        if vowel && (!previous_vowel || diaeresis) {
            groups += 1;
        }
        previous_vowel = vowel;
    }
    if locale == Locale::En && groups > 1 && letters.ends_with(&['e']) && !letters.ends_with(&['l', 'e']) {
        // A silent final "e": "there", "choose", but not "table".
        groups -= 1;
    }
    groups.max(1)
}

fn is_vowel(letter: char) -> bool {
    matches!(
        letter,
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'á' | 'é' | 'í' | 'ó' | 'ú' | 'è' | 'à'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syllables_of(word: &str, locale: Locale) -> usize {
        syllables(word, locale)
    }

    #[test]
    fn syllables_are_vowel_groups_with_dutch_and_english_rules() {
        for (word, expected) in [
            ("medewerker", 4),
            ("bij", 1),
            ("vrijdag", 2),
            ("ideeën", 3),
            ("geïnteresseerd", 5),
            ("kunstmatige", 4),
            ("u", 1),
            ("2026", 1),
        ] {
            assert_eq!(syllables_of(word, Locale::Nl), expected, "{word}");
        }
        for (word, expected) in [("there", 1), ("person", 2), ("table", 2), ("assistant", 3), ("the", 1)] {
            assert_eq!(syllables_of(word, Locale::En), expected, "{word}");
        }
    }

    #[test]
    fn sentences_end_at_marks_at_the_end_of_a_word_not_inside_addresses_or_numbers() {
        let counts = counts(
            "Mail naar info@despaak.example. Wij zijn open van 9.00 tot 17.00 uur!",
            Locale::Nl,
        );
        assert_eq!(counts.sentences, 2);
        assert_eq!(counts.words, 11);
    }

    #[test]
    fn short_plain_sentences_read_easier_than_long_ones_with_long_words() {
        let easy = reading_ease("U praat met een computer. Wilt u een mens? Kies de knop.", Locale::Nl).unwrap();
        let hard = reading_ease(
            "Overeenkomstig de toepasselijke privacyregelgeving worden persoonsgegevens uitsluitend verwerkt \
             teneinde de dienstverlening te optimaliseren en te personaliseren.",
            Locale::Nl,
        )
        .unwrap();
        assert!(easy > 80.0 && hard < 20.0, "easy {easy}, hard {hard}");
        assert_eq!(reading_ease("", Locale::En), None);
        assert_eq!(reading_ease(" ... ", Locale::En), None);
    }
}

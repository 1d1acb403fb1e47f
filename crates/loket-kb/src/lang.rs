//! Languages the knowledge base serves and a cheap detector for questions whose language is not
//! known. Detection counts very frequent function words: short customer questions nearly always
//! contain a few, and a wrong guess only changes which language's content is preferred.

use serde::{Deserialize, Serialize};

/// A content language. Kept local to this crate until the workspace unifies it with loket-core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Dutch.
    Nl,
    /// English.
    En,
}

impl Lang {
    /// Parses `nl` or `en` (case-insensitive, surrounding whitespace ignored).
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The other supported language, used as the fallback when no content exists in this one.
    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }
}

// Words that are frequent in one language and rare in the other. "is", "in", "de" and the like are
// deliberately missing from the English list or the Dutch list where they would count for both.
const DUTCH_MARKERS: &[&str] = &[
    "de",
    "het",
    "een",
    "ik",
    "je",
    "jij",
    "u",
    "uw",
    "wij",
    "we",
    "mijn",
    "niet",
    "geen",
    "wat",
    "hoe",
    "waar",
    "wanneer",
    "waarom",
    "kan",
    "kunt",
    "kun",
    "mag",
    "moet",
    "wil",
    "wordt",
    "zijn",
    "heb",
    "hebt",
    "heeft",
    "ben",
    "bent",
    "van",
    "voor",
    "met",
    "op",
    "naar",
    "bij",
    "dat",
    "deze",
    "die",
    "dit",
    "er",
    "ook",
    "nog",
    "al",
    "maar",
    "als",
    "om",
    "te",
    "en",
    "welke",
    "hoeveel",
    "graag",
    "bestelling",
    "betalen",
    "terug",
    "verzending",
];
const ENGLISH_MARKERS: &[&str] = &[
    "the", "a", "an", "i", "you", "your", "my", "we", "our", "not", "no", "what", "how", "where", "when", "why", "can",
    "could", "may", "must", "should", "would", "will", "want", "is", "are", "am", "was", "have", "has", "do", "does",
    "did", "of", "for", "with", "on", "to", "at", "that", "this", "these", "there", "also", "still", "but", "if",
    "and", "which", "much", "many", "please", "order", "pay", "return", "shipping",
];

/// Guesses whether `text` is Dutch or English from function-word counts; `None` when neither
/// language has more marker words than the other (including text with no words at all).
pub fn detect_lang(text: &str) -> Option<Lang> {
    let mut dutch = 0usize;
    let mut english = 0usize;
    for word in text
        .split(|character: char| !character.is_alphanumeric() && character != '\'')
        .filter(|word| !word.is_empty())
    {
        let lower = word.to_lowercase();
        if DUTCH_MARKERS.contains(&lower.as_str()) {
            dutch += 1;
        }
        if ENGLISH_MARKERS.contains(&lower.as_str()) {
            english += 1;
        }
    }
    match dutch.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Lang::Nl),
        std::cmp::Ordering::Less => Some(Lang::En),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<Lang>) {
        assert_eq!(detect_lang(text), expected, "text: {text:?}");
    }

    #[test]
    fn detection_follows_function_words() {
        check("Hoe lang duurt de bezorging van mijn bestelling?", Some(Lang::Nl));
        check("Kan ik mijn fiets terugsturen?", Some(Lang::Nl));
        check("Is uw website bruikbaar met een schermlezer?", Some(Lang::Nl));
        check("How long does delivery of my order take?", Some(Lang::En));
        check("Can I return my bike?", Some(Lang::En));
        check("", None);
        check("iDEAL", None);
        check("¿ 🚲 ?", None);
    }

    #[test]
    fn lang_codes_round_trip() {
        for lang in [Lang::Nl, Lang::En] {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
        }
        assert_eq!(Lang::parse(" NL "), Some(Lang::Nl));
        assert_eq!(Lang::parse("de"), None);
    }
}

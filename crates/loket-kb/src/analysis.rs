//! Text analysis shared by indexing and querying, so both sides always agree on terms.
//!
//! Three views of every text are indexed:
//! - `stem_nl` / `stem_en`: Snowball stems without stop words, in the text's own language;
//! - `plain`: lower-cased, accent-folded words, unstemmed;
//! - `grams`: character 4-grams of each word with boundary marks, which match what stemming
//!   misses: Dutch snowball maps "fiets" to "fiet" but "fietsen" to "fiets", and Dutch writes
//!   compounds as one word ("retourformulier" versus "retour formulier").

use std::sync::LazyLock;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, TokenizerManager,
    WhitespaceTokenizer,
};

use crate::Lang;

/// Tokenizer name of the Dutch stemmed field.
pub(crate) const STEM_NL: &str = "loket_stem_nl";
/// Tokenizer name of the English stemmed field.
pub(crate) const STEM_EN: &str = "loket_stem_en";
/// Tokenizer name of the unstemmed field.
pub(crate) const PLAIN: &str = "loket_plain";
/// Tokenizer name of the character-gram field (the grams are produced by [`word_grams`]).
pub(crate) const GRAMS: &str = "loket_grams";

const GRAM_LENGTH: usize = 4;

/// Registers the analyzers under the names the schema refers to. Must run on every index that is
/// created or opened, because tantivy does not persist custom tokenizers.
pub(crate) fn register(manager: &TokenizerManager) {
    for name in [STEM_NL, STEM_EN, PLAIN, GRAMS] {
        manager.register(name, analyzer(name));
    }
}

/// An analyzer for one of this module's tokenizer names (unknown names get the plain one).
pub(crate) fn analyzer(name: &str) -> TextAnalyzer {
    // Built once: a stop-word filter allocates its word set, and every query needs two or three
    // analyzers. A clone shares the word sets.
    static STEM_NL_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| stemmed(Language::Dutch));
    static STEM_EN_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| stemmed(Language::English));
    static PLAIN_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(plain);
    match name {
        STEM_NL => STEM_NL_ANALYZER.clone(),
        STEM_EN => STEM_EN_ANALYZER.clone(),
        GRAMS => TextAnalyzer::from(WhitespaceTokenizer::default()),
        _ => PLAIN_ANALYZER.clone(),
    }
}

/// The tokenizer name of the stemmed field for `lang`.
pub(crate) fn stem_tokenizer(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => STEM_NL,
        Lang::En => STEM_EN,
    }
}

// Lucene's English list (tantivy's default) is tuned for documents; customer questions are full of
// pronouns, auxiliaries and politeness that say nothing about the topic, and counting them would
// make the coverage feature meaningless. Question words (how, why, when, where) stay: they
// separate "how do I return" from "why was my return refused".
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    "i", "me", "my", "myself", "we", "our", "ours", "you", "your", "yours", "he", "him", "his", "she", "her", "its",
    "them", "what", "which", "who", "whom", "am", "been", "being", "have", "has", "had", "having", "do", "does", "did",
    "doing", "would", "should", "could", "can", "may", "might", "must", "shall", "so", "than", "too", "very", "just",
    "about", "from", "some", "any", "all", "please", "hi", "hello", "thanks", "thank", "want", "need", "like", "know",
    "tell", "im", "ive", "dont", "s", "t",
];

fn stemmed(language: Language) -> TextAnalyzer {
    let stop_words = match language {
        Language::English => StopWordFilter::remove(ENGLISH_STOP_WORDS.iter().map(|word| (*word).to_owned())),
        _ => StopWordFilter::new(language).unwrap_or_else(|| StopWordFilter::remove(std::iter::empty::<String>())),
    };
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stop_words)
        .filter(Stemmer::new(language))
        .build()
}

/// Unstemmed words without the stop words of either language: a question in one language often
/// carries words of the other ("is", "de", "die"), and stop words must not make weak matches look
/// supported.
fn plain() -> TextAnalyzer {
    let dutch =
        StopWordFilter::new(Language::Dutch).unwrap_or_else(|| StopWordFilter::remove(std::iter::empty::<String>()));
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(dutch)
        .filter(StopWordFilter::remove(
            ENGLISH_STOP_WORDS.iter().map(|word| (*word).to_owned()),
        ))
        .build()
}

/// The distinct terms `analyzer` produces for `text`, in first-seen order.
pub(crate) fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if !terms.contains(&token.text) {
            terms.push(token.text.clone());
        }
    }
    terms
}

/// Space-separated character 4-grams of every word of two or more letters in `text` (after the
/// plain analysis), with `_` marking word starts and ends: "fiets" gives "_fie fiet iets ets_",
/// "ik" gives "_ik_".
pub(crate) fn word_grams(plain_analyzer: &mut TextAnalyzer, text: &str) -> String {
    let mut output = String::new();
    let mut stream = plain_analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        let marked: Vec<char> = std::iter::once('_')
            .chain(token.text.chars())
            .chain(std::iter::once('_'))
            .collect();
        // Single letters carry no meaning and would flood the field.
        if marked.len() < GRAM_LENGTH {
            continue;
        }
        for window in marked.windows(GRAM_LENGTH) {
            output.extend(window.iter());
            output.push(' ');
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stemming_drops_stop_words_and_folds_accents() {
        assert_eq!(
            terms(&mut analyzer(STEM_NL), "Hoe kan ik mijn bestelling retourneren?"),
            ["bestel", "retourneer"]
        );
        assert_eq!(
            terms(&mut analyzer(STEM_EN), "How do I return my bikes?"),
            ["how", "return", "bike"]
        );
        assert_eq!(terms(&mut analyzer(PLAIN), "Het Café is ideëel"), ["cafe", "ideeel"]);
    }

    #[test]
    fn dutch_singular_and_plural_share_grams_even_when_stems_differ() {
        let mut plain_analyzer = analyzer(PLAIN);
        let singular = word_grams(&mut plain_analyzer, "fiets");
        let plural = word_grams(&mut plain_analyzer, "fietsen");
        assert_eq!(singular.trim(), "_fie fiet iets ets_");
        for gram in ["_fie", "fiet", "iets"] {
            assert!(plural.split(' ').any(|g| g == gram), "{gram} in {plural}");
        }
    }

    #[test]
    fn short_words_are_kept_whole_or_dropped() {
        let mut plain_analyzer = analyzer(PLAIN);
        assert_eq!(word_grams(&mut plain_analyzer, "pin ok a").trim(), "_pin pin_ _ok_");
        assert_eq!(word_grams(&mut plain_analyzer, "").trim(), "");
    }
}

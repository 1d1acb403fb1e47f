//! The lexical features of one claim against the cited passages: the Rust side of
//! `features` in eval/grounding/train.py, which is their specification.
//!
//! Words are lowercased runs of ASCII letters and digits and the Latin-1 letters à..ÿ;
//! pseudonymisation placeholders ("[EMAIL_1]") are no words. A crude suffix stripper lets
//! "returns" match "return" and "betalen" match "betal".

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::sentences;
use super::unreachable_regex;

/// How many features [`extract`] returns.
pub(super) const COUNT: usize = 23;

/// Function words that are neither evidence nor novelty.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was",
    "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "which", "who", "whom", "whose",
    "there", "their", "they", "them", "he", "she", "his", "her", "him", "also", "so", "very", "de", "het", "een", "en",
    "te", "op", "aan", "voor", "met", "door", "van", "zijn", "waren", "wordt", "worden", "dat", "die", "dit", "deze",
    "er",
];
/// Discourse words that open an answer without claiming anything.
const DISCOURSE_WORDS: &[&str] = &["yes", "yeah", "well", "sure", "indeed", "ja", "inderdaad", "zeker"];
/// First-person and second-person words: the sources speak about the company, not "I".
const PRONOUNS: &[&str] = &[
    "i", "me", "my", "mine", "you", "your", "we", "us", "our", "ik", "mij", "mijn", "jij", "je", "jouw", "wij", "ons",
    "onze",
];
/// Opinion and hedging words.
const HEDGES: &[&str] = &[
    "think",
    "believe",
    "guess",
    "maybe",
    "probably",
    "love",
    "like",
    "hate",
    "favorite",
    "prefer",
    "agree",
    "denk",
    "geloof",
    "misschien",
    "waarschijnlijk",
];
/// Words that open an answer with a yes or no.
const AFFIRMATIONS: &[&str] = &["yes", "yeah", "no", "ja", "nee"];
/// Negations: one in the answer but not in the passage sentence it aligns with turns a copy
/// into a contradiction. ("t" is what remains of "don't".)
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nor", "none", "nothing", "t", "niet", "geen", "nooit", "niets", "noch",
];
/// Evaluative words: the answer's own opinion, unless the passage says it.
const OPINIONS: &[&str] = &[
    "good",
    "great",
    "awesome",
    "amazing",
    "cool",
    "interesting",
    "funny",
    "fun",
    "best",
    "worst",
    "nice",
    "wonderful",
    "terrible",
    "boring",
    "exciting",
    "favourite",
    "favorite",
    "fan",
    "enjoy",
    "enjoyed",
    "liked",
    "loved",
    "wow",
    "lol",
    "haha",
    "really",
    "pretty",
    "crazy",
    "sad",
    "bad",
    "beautiful",
    "important",
    "impressive",
    "incredible",
    "fascinating",
    "entertaining",
    "surprising",
    "surprised",
    "weird",
    "strange",
    "hard",
    "easy",
    "difficult",
    "horrible",
    "awful",
    "lovely",
    "perfect",
    "brilliant",
    "excellent",
    "fantastic",
    "happy",
    "glad",
    "sorry",
    "unfortunately",
    "luckily",
    "hilarious",
    "leuk",
    "mooi",
    "goed",
    "geweldig",
    "belangrijk",
    "interessant",
    "jammer",
    "helaas",
    "gelukkig",
    "handig",
    "fijn",
    "prachtig",
];
/// Interjections that open small talk.
const INTERJECTIONS: &[&str] = &[
    "oh", "well", "wow", "hmm", "haha", "lol", "ah", "ok", "okay", "so", "hey", "hi", "hello", "nice", "cool", "great",
];
const FIRST_PERSON: &[&str] = &["i", "me", "my", "ik", "mij", "mijn"];
const SECOND_PERSON: &[&str] = &["you", "your", "je", "jij", "jouw"];
/// A segment made only of these words agrees or acknowledges and claims nothing.
pub(super) const AGREEMENT: &[&str] = &[
    "yes",
    "yeah",
    "yea",
    "yep",
    "sure",
    "absolutely",
    "definitely",
    "indeed",
    "exactly",
    "true",
    "right",
    "correct",
    "agree",
    "agreed",
    "i",
    "it",
    "is",
    "does",
    "do",
    "did",
    "really",
    "that",
    "s",
    "oh",
    "ok",
    "okay",
    "well",
    "of",
    "course",
    "me",
    "too",
    "so",
    "thanks",
    "thank",
    "you",
    "ja",
    "inderdaad",
    "zeker",
    "klopt",
    "precies",
    "dat",
    "het",
    "oke",
    "prima",
    "natuurlijk",
    "helemaal",
    "mee",
    "eens",
];

/// A pseudonymisation placeholder as `pii::pseudonymise` writes it: "[EMAIL_1]", "[IBAN_2]",
/// "[PHONE]".
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[[A-Z][A-Z_]*[A-Z](?:_[0-9]+)?\]").unwrap_or_else(|_| unreachable_regex()));

/// The word lists as sets, built once.
struct Lexicon {
    function_words: HashSet<&'static str>,
    discourse_words: HashSet<&'static str>,
    pronouns: HashSet<&'static str>,
    hedges: HashSet<&'static str>,
    negations: HashSet<&'static str>,
    opinions: HashSet<&'static str>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon {
    function_words: FUNCTION_WORDS.iter().copied().collect(),
    discourse_words: DISCOURSE_WORDS.iter().copied().collect(),
    pronouns: PRONOUNS.iter().copied().collect(),
    hedges: HEDGES.iter().copied().collect(),
    negations: NEGATIONS.iter().copied().collect(),
    opinions: OPINIONS.iter().copied().collect(),
});

/// The cited passages, indexed once per check. Words are numbered so that n-grams and
/// alignments compare integers.
pub(super) struct Sources {
    /// The number of each distinct word.
    ids: HashMap<String, u32>,
    /// Every word of every passage, in order.
    words: Vec<u32>,
    /// The distinct stems of the words.
    stems: HashSet<String>,
    /// The words of each passage sentence (at least one entry, possibly empty).
    sentences: Vec<Vec<u32>>,
    /// Each passage sentence's words and their stems, what an answer word may match.
    matchable: Vec<HashSet<String>>,
    /// Word pairs and triples of the passages, for coverage.
    bigrams: HashSet<(u32, u32)>,
    trigrams: HashSet<(u32, u32, u32)>,
}

impl Sources {
    /// Indexes the passages (joined by line breaks, so no sentence spans two).
    pub(super) fn new(text: &str) -> Sources {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut stems = HashSet::new();
        let number = |word: String, ids: &mut HashMap<String, u32>| {
            let next = ids.len() as u32;
            *ids.entry(word).or_insert(next)
        };
        let all = tokens(text);
        for word in &all {
            stems.insert(stem(word).to_owned());
        }
        let words: Vec<u32> = all.into_iter().map(|word| number(word, &mut ids)).collect();
        let mut sentences = Vec::new();
        let mut matchable = Vec::new();
        for segment in sentences::segments_of(text) {
            let sentence_words = tokens(segment);
            if sentence_words.is_empty() {
                continue;
            }
            matchable.push(
                sentence_words
                    .iter()
                    .flat_map(|word| [word.clone(), stem(word).to_owned()])
                    .collect(),
            );
            sentences.push(sentence_words.into_iter().map(|word| number(word, &mut ids)).collect());
        }
        if sentences.is_empty() {
            sentences.push(Vec::new());
            matchable.push(HashSet::new());
        }
        let bigrams = words.windows(2).map(|pair| (pair[0], pair[1])).collect();
        let trigrams = words
            .windows(3)
            .map(|triple| (triple[0], triple[1], triple[2]))
            .collect();
        Sources {
            ids,
            words,
            stems,
            sentences,
            matchable,
            bigrams,
            trigrams,
        }
    }

    /// True when the passages have no words.
    pub(super) fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn knows(&self, word: &str) -> bool {
        self.ids.contains_key(word)
    }
}

/// The features of one claim, in the order of `FEATURES` in train.py; `None` for a claim
/// without words.
pub(super) fn extract(sources: &Sources, text: &str) -> Option<[f64; COUNT]> {
    let lexicon = &*LEXICON;
    let answer = tokens(text);
    let first = answer.first()?.as_str();
    // Numbers of the answer's words; a word the passages lack matches nothing.
    let numbered: Vec<Option<u32>> = answer.iter().map(|word| sources.ids.get(word).copied()).collect();
    let length = answer.len() as f64;
    let content: Vec<&str> = answer
        .iter()
        .map(String::as_str)
        .filter(|word| !lexicon.function_words.contains(word) && !lexicon.discourse_words.contains(word))
        .collect();
    let novel = content
        .iter()
        .filter(|word| !sources.knows(word) && !sources.stems.contains(stem(word)))
        .count() as f64;
    let denominator = content.len().max(1) as f64;
    let share_in = |sets: &[&HashSet<String>]| {
        content
            .iter()
            .filter(|word| sets.iter().any(|set| set.contains(**word) || set.contains(stem(word))))
            .count() as f64
            / denominator
    };
    let mut best = -1.0;
    let mut aligned_index = 0;
    for (index, set) in sources.matchable.iter().enumerate() {
        let score = share_in(&[set]);
        if score > best {
            best = score;
            aligned_index = index;
        }
    }
    let best_two = sources
        .matchable
        .windows(2)
        .map(|pair| share_in(&[&pair[0], &pair[1]]))
        .fold(best, f64::max);
    let aligned: &[u32] = sources.sentences.get(aligned_index).map_or(&[], Vec::as_slice);
    let aligned_words: HashSet<u32> = aligned.iter().copied().collect();
    let aligned_pairs: HashSet<(u32, u32)> = aligned.windows(2).map(|pair| (pair[0], pair[1])).collect();
    let negation_mismatch = answer
        .iter()
        .zip(&numbered)
        .filter(|(word, id)| {
            lexicon.negations.contains(word.as_str()) && !id.is_some_and(|id| aligned_words.contains(&id))
        })
        .map(|(word, _)| word.as_str())
        .collect::<HashSet<&str>>()
        .len();
    let count_unknown = |set: &HashSet<&'static str>| {
        answer
            .iter()
            .filter(|word| set.contains(word.as_str()) && !sources.knows(word))
            .count() as f64
    };
    let any_of = |list: &[&str]| answer.iter().any(|word| list.contains(&word.as_str()));
    let flag = |condition: bool| if condition { 1.0 } else { 0.0 };
    let trimmed = text.trim();
    Some([
        numbered.iter().filter(|id| id.is_some()).count() as f64 / length,
        novel.min(10.0),
        novel / length,
        coverage(&numbered, 2, |window| match window {
            [Some(first), Some(second)] => sources.bigrams.contains(&(*first, *second)),
            _ => false,
        }),
        coverage(&numbered, 3, |window| match window {
            [Some(first), Some(second), Some(third)] => sources.trigrams.contains(&(*first, *second, *third)),
            _ => false,
        }),
        length.min(40.0) / 40.0,
        count_unknown(&lexicon.pronouns),
        count_unknown(&lexicon.hedges),
        flag(trimmed.ends_with('?')),
        flag(AFFIRMATIONS.contains(&first)),
        best,
        best_two,
        longest_common_subsequence(&numbered, aligned) as f64 / length,
        if aligned.len() < 2 {
            0.0
        } else {
            coverage(&numbered, 2, |window| match window {
                [Some(first), Some(second)] => aligned_pairs.contains(&(*first, *second)),
                _ => false,
            })
        },
        (length / aligned.len().max(1) as f64).min(3.0),
        (content.len() as f64).min(20.0) / 20.0,
        (negation_mismatch as f64).min(2.0),
        count_unknown(&lexicon.opinions).min(3.0),
        flag(trimmed.ends_with('!')),
        flag(any_of(FIRST_PERSON)),
        flag(any_of(SECOND_PERSON)),
        flag(INTERJECTIONS.contains(&first)),
        (capitalised_novel(sources, text) as f64).min(3.0),
    ])
}

/// Lowercased words, placeholders left out.
pub(super) fn tokens(text: &str) -> Vec<String> {
    let text = without_placeholders(text);
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut current = String::new();
    for character in lower.chars() {
        if character.is_ascii_lowercase() || character.is_ascii_digit() || ('\u{e0}'..='\u{ff}').contains(&character) {
            current.push(character);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `text` with each pseudonymisation placeholder replaced by a space: the customer's own data,
/// neither a number, nor a contact detail, nor a word.
pub(super) fn without_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    PLACEHOLDER.replace_all(text, " ")
}

/// A crude suffix stripper shared with the training script.
pub(super) fn stem(word: &str) -> &str {
    if word.chars().count() <= 4 {
        return word;
    }
    for suffix in ["ing", "ed", "es", "s", "en", "e"] {
        if let Some(stripped) = word.strip_suffix(suffix) {
            return stripped;
        }
    }
    word
}

/// The share of the answer's words that lie in an n-gram `contains` accepts.
fn coverage(answer: &[Option<u32>], n: usize, contains: impl Fn(&[Option<u32>]) -> bool) -> f64 {
    if answer.len() < n {
        return 0.0;
    }
    let mut covered = vec![false; answer.len()];
    for (start, window) in answer.windows(n).enumerate() {
        if contains(window) {
            for flag in &mut covered[start..start + n] {
                *flag = true;
            }
        }
    }
    covered.iter().filter(|flag| **flag).count() as f64 / answer.len() as f64
}

/// The length of the longest common subsequence of the answer's words and a passage sentence.
fn longest_common_subsequence(answer: &[Option<u32>], sentence: &[u32]) -> usize {
    let mut previous = vec![0usize; sentence.len() + 1];
    let mut current = vec![0usize; sentence.len() + 1];
    for word in answer {
        for (index, other) in sentence.iter().enumerate() {
            current[index + 1] = if *word == Some(*other) {
                previous[index] + 1
            } else {
                previous[index + 1].max(current[index])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[sentence.len()]
}

/// Capitalised words after the first ("Recreation", "Paris") that the passages lack, by word or
/// stem: names the answer brings in. "I" is not a name.
fn capitalised_novel(sources: &Sources, text: &str) -> usize {
    let mut words = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        if character.is_ascii_alphanumeric() || ('\u{c0}'..='\u{ff}').contains(&character) {
            current.push(character);
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
        .iter()
        .skip(1)
        .filter(|word| {
            let lower = word.to_lowercase();
            word.as_str() != "I"
                && word.chars().next().is_some_and(char::is_uppercase)
                && !sources.knows(&lower)
                && !sources.stems.contains(stem(&lower))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_match_the_training_script_on_a_fixed_example() {
        // Values computed with eval/grounding/train.py's `features` for the same pair.
        let sources =
            Sources::new("Crayola shifted its focus to art products for home and school use. It is not sold in Paris.");
        let features =
            extract(&sources, "yes, crayola shifted its focus to crayons in Berlin!").unwrap_or([f64::NAN; COUNT]);
        let expected = [
            6.0 / 9.0,
            2.0,
            2.0 / 9.0,
            5.0 / 9.0,
            5.0 / 9.0,
            9.0 / 40.0,
            0.0,
            0.0,
            0.0,
            1.0,
            3.0 / 5.0,
            3.0 / 5.0,
            5.0 / 9.0,
            5.0 / 9.0,
            9.0 / 12.0,
            5.0 / 20.0,
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            0.0,
            1.0,
        ];
        for (index, (got, want)) in features.iter().zip(expected).enumerate() {
            assert!((got - want).abs() < 1e-9, "feature {index}: {got} != {want}");
        }
    }

    #[test]
    fn placeholders_are_no_words_and_tokens_follow_the_training_script() {
        assert_eq!(tokens("Café's €5, naïve-NL"), vec!["café", "s", "5", "naïve", "nl"]);
        assert_eq!(
            tokens("Mail [EMAIL_1] of bel [PHONE_NUMBER_2], IBAN [IBAN_1] [PERSON]."),
            vec!["mail", "of", "bel", "iban"]
        );
        assert_eq!(tokens("[ with ] [3 ] [Email_1]"), vec!["with", "3", "email", "1"]);
        assert_eq!(stem("returns"), "return");
        assert_eq!(stem("bus"), "bus");
    }
}

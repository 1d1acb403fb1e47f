//! The BERT WordPiece tokenizer, configured from a Hugging Face `tokenizer.json`: the
//! `BertNormalizer` (control characters removed, CJK characters isolated, optional lowercasing
//! and accent stripping), the `BertPreTokenizer` (split on whitespace and punctuation) and
//! greedy longest-match-first WordPiece with a continuation prefix (`##`).
//!
//! Deliberately different from the reference implementation in two ways. Nothing is padded: the
//! encoder only computes real tokens (the packaged tokenizer pads to 128, which would multiply
//! the work and, with mean pooling over padding, change the result). And special tokens written
//! in the text (`[SEP]`, `[CLS]`) are tokenized as ordinary text, so a customer cannot inject
//! structure into the encoder's input.

use std::collections::HashMap;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::{Error, Result};

const FILE: &str = "tokenizer.json";

/// A loaded WordPiece tokenizer.
#[derive(Debug, Clone)]
pub struct WordPiece {
    vocab: HashMap<String, u32>,
    unknown: u32,
    classifier: u32,
    separator: u32,
    continuation_prefix: String,
    max_chars_per_word: usize,
    lowercase: bool,
    strip_accents: bool,
    clean_text: bool,
    isolate_cjk: bool,
}

#[derive(Deserialize)]
struct TokenizerFile {
    normalizer: Option<NormalizerConfig>,
    model: ModelConfig,
}

#[derive(Deserialize)]
struct NormalizerConfig {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default = "yes")]
    clean_text: bool,
    #[serde(default = "yes")]
    handle_chinese_chars: bool,
    #[serde(default)]
    strip_accents: Option<bool>,
    #[serde(default = "yes")]
    lowercase: bool,
}

#[derive(Deserialize)]
struct ModelConfig {
    #[serde(rename = "type")]
    kind: String,
    vocab: HashMap<String, u32>,
    #[serde(default = "unknown_token")]
    unk_token: String,
    #[serde(default = "continuation_prefix")]
    continuing_subword_prefix: String,
    #[serde(default = "max_chars")]
    max_input_chars_per_word: usize,
}

fn yes() -> bool {
    true
}
fn unknown_token() -> String {
    "[UNK]".to_owned()
}
fn continuation_prefix() -> String {
    "##".to_owned()
}
fn max_chars() -> usize {
    100
}

impl WordPiece {
    /// Reads a `tokenizer.json` whose model is WordPiece with a `BertNormalizer` (or none).
    pub fn from_json(json: &[u8]) -> Result<WordPiece> {
        let file: TokenizerFile =
            serde_json::from_slice(json).map_err(|error| Error::malformed(FILE, error.to_string()))?;
        if file.model.kind != "WordPiece" {
            return Err(Error::Unsupported(format!("tokenizer model {}", file.model.kind)));
        }
        let normalizer = match file.normalizer {
            Some(normalizer) if normalizer.kind == "BertNormalizer" => normalizer,
            Some(other) => return Err(Error::Unsupported(format!("tokenizer normalizer {}", other.kind))),
            None => NormalizerConfig {
                kind: String::new(),
                clean_text: false,
                handle_chinese_chars: false,
                strip_accents: Some(false),
                lowercase: false,
            },
        };
        let vocab = file.model.vocab;
        let id = |token: &str| {
            vocab
                .get(token)
                .copied()
                .ok_or_else(|| Error::malformed(FILE, format!("vocabulary lacks {token}")))
        };
        Ok(WordPiece {
            unknown: id(&file.model.unk_token)?,
            classifier: id("[CLS]")?,
            separator: id("[SEP]")?,
            continuation_prefix: file.model.continuing_subword_prefix,
            max_chars_per_word: file.model.max_input_chars_per_word,
            lowercase: normalizer.lowercase,
            // As in the reference BertNormalizer: unset means "strip when lowercasing".
            strip_accents: normalizer.strip_accents.unwrap_or(normalizer.lowercase),
            clean_text: normalizer.clean_text,
            isolate_cjk: normalizer.handle_chinese_chars,
            vocab,
        })
    }

    /// Token ids of `text` framed as `[CLS] … [SEP]`, at most `max_tokens` ids in all (at least
    /// the two framing tokens); words beyond the limit are dropped.
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let budget = max_tokens.max(2) - 1;
        let mut ids = vec![self.classifier];
        let normalised = self.normalise(text);
        'words: for word in pre_tokenize(&normalised) {
            for id in self.word_pieces(word) {
                if ids.len() >= budget {
                    break 'words;
                }
                ids.push(id);
            }
        }
        ids.push(self.separator);
        ids
    }

    /// Number of entries in the vocabulary (token ids are below it).
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    fn normalise(&self, text: &str) -> String {
        let mut cleaned = String::with_capacity(text.len());
        for character in text.chars() {
            if self.clean_text {
                if character == '\0' || character == '\u{fffd}' || is_control(character) {
                    continue;
                }
                if character.is_whitespace() {
                    cleaned.push(' ');
                    continue;
                }
            }
            if self.isolate_cjk && is_cjk(character) {
                cleaned.push(' ');
                cleaned.push(character);
                cleaned.push(' ');
            } else {
                cleaned.push(character);
            }
        }
        let stripped: String = if self.strip_accents {
            cleaned
                .nfd()
                .filter(|character| !is_combining_mark(*character))
                .collect()
        } else {
            cleaned
        };
        if self.lowercase {
            stripped.to_lowercase()
        } else {
            stripped
        }
    }

    /// Greedy longest-match-first pieces of one word; a word that cannot be covered entirely is
    /// one unknown token.
    fn word_pieces(&self, word: &str) -> Vec<u32> {
        if word.chars().count() > self.max_chars_per_word {
            return vec![self.unknown];
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        let mut candidate = String::new();
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                candidate.clear();
                if start > 0 {
                    candidate.push_str(&self.continuation_prefix);
                }
                candidate.push_str(&word[start..end]);
                if let Some(id) = self.vocab.get(&candidate) {
                    found = Some(*id);
                    break;
                }
                // Step back one character, staying on a char boundary.
                end = word[..end].char_indices().next_back().map_or(start, |(index, _)| index);
            }
            match found {
                Some(id) => {
                    pieces.push(id);
                    start = end;
                }
                None => return vec![self.unknown],
            }
        }
        pieces
    }
}

/// Words of normalised text: split on whitespace, each punctuation character its own word.
fn pre_tokenize(text: &str) -> impl Iterator<Item = &str> {
    text.split(char::is_whitespace).flat_map(|chunk| {
        let mut words = Vec::new();
        let mut start = 0;
        for (index, character) in chunk.char_indices() {
            if is_punctuation(character) {
                if start < index {
                    words.push(&chunk[start..index]);
                }
                let end = index + character.len_utf8();
                words.push(&chunk[index..end]);
                start = end;
            }
        }
        if start < chunk.len() {
            words.push(&chunk[start..]);
        }
        words
    })
}

/// Control characters as BERT defines them: Unicode controls other than tab, newline and
/// carriage return (which count as whitespace), plus format characters such as zero-width joiners.
fn is_control(character: char) -> bool {
    if matches!(character, '\t' | '\n' | '\r') {
        return false;
    }
    character.is_control()
        || matches!(character, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// BERT's punctuation: all ASCII punctuation and symbols, plus the Unicode punctuation blocks.
/// The standard library has no Unicode general-category lookup; these ranges cover the
/// punctuation that occurs in Latin-script text (quotes, dashes, ellipses, inverted marks, CJK
/// and full-width punctuation).
fn is_punctuation(character: char) -> bool {
    character.is_ascii_punctuation()
        || matches!(
            character,
            '\u{00a1}' | '\u{00a7}' | '\u{00ab}' | '\u{00b6}' | '\u{00b7}' | '\u{00bb}' | '\u{00bf}'
                | '\u{037e}' | '\u{0387}'
                | '\u{2010}'..='\u{2027}'
                | '\u{2030}'..='\u{205e}'
                | '\u{2e00}'..='\u{2e4f}'
                | '\u{3001}'..='\u{3003}'
                | '\u{3008}'..='\u{3011}'
                | '\u{3014}'..='\u{301f}'
                | '\u{ff01}'..='\u{ff03}'
                | '\u{ff05}'..='\u{ff0a}'
                | '\u{ff0c}'..='\u{ff0f}'
                | '\u{ff1a}' | '\u{ff1b}' | '\u{ff1f}' | '\u{ff20}'
                | '\u{ff3b}'..='\u{ff3d}'
                | '\u{ff3f}' | '\u{ff5b}' | '\u{ff5d}'
        )
}

/// The CJK Unified Ideograph blocks BERT surrounds with spaces.
fn is_cjk(character: char) -> bool {
    matches!(
        character,
        '\u{4e00}'..='\u{9fff}'
            | '\u{3400}'..='\u{4dbf}'
            | '\u{20000}'..='\u{2a6df}'
            | '\u{2a700}'..='\u{2b73f}'
            | '\u{2b740}'..='\u{2b81f}'
            | '\u{2b820}'..='\u{2ceaf}'
            | '\u{f900}'..='\u{faff}'
            | '\u{2f800}'..='\u{2fa1f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny vocabulary in `tokenizer.json` form.
    pub(crate) fn tiny_tokenizer_json() -> String {
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "how", "do", "i", "reset", "my", "pin", "?", "un", "##want", "##ed",
            ",", "cafe", "!", "的", "re", "##set", "##s", "€", "##4",
        ];
        let vocab: serde_json::Map<String, serde_json::Value> = tokens
            .iter()
            .enumerate()
            .map(|(id, token)| ((*token).to_owned(), serde_json::json!(id)))
            .collect();
        serde_json::json!({
            "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                           "strip_accents": null, "lowercase": true},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab},
        })
        .to_string()
    }

    fn tokens(text: &str, max_tokens: usize) -> Vec<u32> {
        WordPiece::from_json(tiny_tokenizer_json().as_bytes())
            .unwrap()
            .encode(text, max_tokens)
    }

    #[test]
    fn texts_tokenize_as_bert_does() {
        let cases: &[(&str, &[u32])] = &[
            ("How do I reset my PIN?", &[2, 4, 5, 6, 7, 8, 9, 10, 3]),
            ("unwanted,unwant", &[2, 11, 12, 13, 14, 11, 12, 3]),
            ("  Café!\u{200b}\t", &[2, 15, 16, 3]),
            ("resets", &[2, 7, 20, 3]),
            ("€4", &[2, 21, 22, 3]),
            ("的的", &[2, 17, 17, 3]),
            ("unknownword pin", &[2, 1, 9, 3]),
            ("[SEP]", &[2, 1, 1, 1, 3]),
            ("", &[2, 3]),
        ];
        for (text, expected) in cases {
            assert_eq!(tokens(text, 128), *expected, "{text:?}");
        }
    }

    #[test]
    fn truncation_keeps_the_framing_tokens() {
        assert_eq!(tokens("how do i reset my pin", 4), [2, 4, 5, 3]);
        assert_eq!(tokens("how do i", 0), [2, 3]);
    }

    #[test]
    fn other_tokenizer_models_are_unsupported() {
        let json = r#"{"normalizer": null, "model": {"type": "Unigram", "vocab": {}}}"#;
        assert!(matches!(
            WordPiece::from_json(json.as_bytes()),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(WordPiece::from_json(b"{"), Err(Error::Malformed { .. })));
    }
}

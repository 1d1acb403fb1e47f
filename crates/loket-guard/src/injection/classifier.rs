//! Layer 3, the learned classifier: logistic regression over hashed character 3-5-grams and
//! word uni- and bigrams.
//!
//! The weights come from `eval/injection/train.py` and are compiled in (`model.bin`, 256 KiB:
//! one `i8` per bucket). The features follow the specification in that script's docstring,
//! which this module implements line for line:
//! - words are the maximal runs of alphanumeric characters of [`classifier_text`];
//! - features are `"w:" + word`, `"b:" + word + " " + next`, and `"c:" + each 3, 4 and 5
//!   character substring of " " + words joined by spaces + " "`;
//! - a feature's bucket is its FNV-1a 32-bit hash masked to the low `bucket_bits` bits; each
//!   bucket counts once and the sum is divided by the square root of the number of buckets.
//!
//! A message longer than [`WINDOW_WORDS`] words is scored window by window (at most
//! [`MAX_WINDOWS`]) and the highest score counts, so an attack appended to a long harmless text
//! is still seen. The file layout of `model.bin`: 8 bytes magic `LKINJ1\0\0`, then little-endian
//! `u32 bucket_bits, f32 bias, f32 scale, f32 threshold`, then `2^bucket_bits` signed bytes.

use super::canonical::classifier_text;

/// Words per scoring window; the training script uses the first window of each text.
pub const WINDOW_WORDS: usize = 256;
/// Windows scored per message; later text is left to the rules (bounded work per message).
pub const MAX_WINDOWS: usize = 16;

const MAGIC: &[u8; 8] = b"LKINJ1\0\0";
const HEADER_LEN: usize = 8 + 16;
const FNV_OFFSET: u32 = 0x811C_9DC5;
const FNV_PRIME: u32 = 0x0100_0193;

/// The compiled-in weights produced by `eval/injection/train.py`.
static MODEL_BYTES: &[u8] = include_bytes!("model.bin");

/// FNV-1a, 32 bits, over `bytes`. Chosen because it is a few lines in both Python and Rust, so
/// training and inference agree bit for bit.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    fnv1a_continue(FNV_OFFSET, bytes)
}

fn fnv1a_continue(mut hash: u32, bytes: &[u8]) -> u32 {
    for byte in bytes {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// The linear model: weights per bucket and the decision threshold chosen on validation data.
#[derive(Debug, Clone)]
pub struct Classifier {
    bucket_mask: u32,
    bias: f32,
    scale: f32,
    /// Threshold the training script chose on validation data (see its `choose_threshold`).
    pub threshold: f32,
    weights: Vec<i8>,
}

/// Why the compiled-in model could not be read. Only a broken build can produce this; the
/// detector then fails closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("model file has the wrong magic bytes or is truncated")]
    Malformed,
}

impl Classifier {
    /// Reads the compiled-in model.
    pub fn compiled_in() -> Result<Self, ModelError> {
        Self::parse(MODEL_BYTES)
    }

    /// Parses a model file (layout in the module documentation).
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            return Err(ModelError::Malformed);
        }
        let word = |offset: usize| -> [u8; 4] {
            let mut out = [0u8; 4];
            out.copy_from_slice(&bytes[offset..offset + 4]);
            out
        };
        let bucket_bits = u32::from_le_bytes(word(8));
        let bias = f32::from_le_bytes(word(12));
        let scale = f32::from_le_bytes(word(16));
        let threshold = f32::from_le_bytes(word(20));
        if !(1..=24).contains(&bucket_bits) || bytes.len() != HEADER_LEN + (1usize << bucket_bits) {
            return Err(ModelError::Malformed);
        }
        let weights = bytes[HEADER_LEN..]
            .iter()
            .map(|byte| i8::from_le_bytes([*byte]))
            .collect();
        Ok(Self {
            bucket_mask: (1u32 << bucket_bits) - 1,
            bias,
            scale,
            threshold,
            weights,
        })
    }

    /// Probability in 0..=1 that `text` is an injection attempt: the highest window score.
    pub fn score(&self, text: &str) -> f32 {
        let canonical = classifier_text(text);
        let words = words_of(&canonical);
        if words.is_empty() {
            return self.score_buckets(&[]);
        }
        words
            .chunks(WINDOW_WORDS)
            .take(MAX_WINDOWS)
            .map(|window| self.score_buckets(&self.buckets(window)))
            .fold(0.0, f32::max)
    }

    /// The sorted, distinct buckets of one window of words (exposed for the parity test).
    pub fn buckets(&self, words: &[&str]) -> Vec<u32> {
        let mut found = Vec::with_capacity(words.len() * 16);
        let mut feature = String::new();
        for word in words {
            feature.clear();
            feature.push_str("w:");
            feature.push_str(word);
            found.push(fnv1a(feature.as_bytes()) & self.bucket_mask);
        }
        for pair in words.windows(2) {
            feature.clear();
            feature.push_str("b:");
            feature.push_str(pair[0]);
            feature.push(' ');
            feature.push_str(pair[1]);
            found.push(fnv1a(feature.as_bytes()) & self.bucket_mask);
        }
        let mut padded = String::with_capacity(words.iter().map(|word| word.len() + 1).sum());
        padded.push(' ');
        for word in words {
            padded.push_str(word);
            padded.push(' ');
        }
        let characters: Vec<char> = padded.chars().collect();
        let prefix = fnv1a(b"c:");
        let mut encoded = [0u8; 4];
        for start in 0..characters.len().saturating_sub(2) {
            let mut hash = prefix;
            for (length, character) in characters[start..].iter().take(5).enumerate() {
                hash = fnv1a_continue(hash, character.encode_utf8(&mut encoded).as_bytes());
                if length >= 2 {
                    found.push(hash & self.bucket_mask);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn score_buckets(&self, buckets: &[u32]) -> f32 {
        let sum: i32 = buckets
            .iter()
            .map(|bucket| {
                i32::from(
                    self.weights
                        .get(usize::try_from(*bucket).unwrap_or(usize::MAX))
                        .copied()
                        .unwrap_or(0),
                )
            })
            .sum();
        let norm = if buckets.is_empty() {
            0.0
        } else {
            1.0 / (buckets.len() as f64).sqrt()
        };
        let logit = f64::from(self.bias) + f64::from(self.scale) * f64::from(sum) * norm;
        (1.0 / (1.0 + (-logit).exp())) as f32
    }
}

/// Maximal runs of alphanumeric characters, as `words_of` in the training script.
pub fn words_of(canonical: &str) -> Vec<&str> {
    canonical
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a(b""), 0x811C_9DC5);
        assert_eq!(fnv1a(b"a"), 0xE40C_292C);
        assert_eq!(fnv1a(b"foobar"), 0xBF9C_F968);
    }

    #[test]
    fn compiled_in_model_is_well_formed() {
        let model = Classifier::compiled_in().expect("model.bin parses");
        assert!(model.threshold > 0.0 && model.threshold < 1.0);
    }

    #[test]
    fn truncated_or_foreign_model_files_are_rejected() {
        assert_eq!(Classifier::parse(b"").err(), Some(ModelError::Malformed));
        assert_eq!(
            Classifier::parse(&MODEL_BYTES[..100]).err(),
            Some(ModelError::Malformed)
        );
        let mut foreign = MODEL_BYTES.to_vec();
        foreign[0] = b'X';
        assert_eq!(Classifier::parse(&foreign).err(), Some(ModelError::Malformed));
    }

    /// The fixture was written by `eval/injection/train.py`; if this fails, Python training and
    /// Rust inference disagree and the model is wrong in production.
    #[test]
    fn buckets_and_scores_match_the_python_training_script() {
        let model = Classifier::compiled_in().expect("model.bin parses");
        let fixture = include_str!("../../corpus/injection/hash-parity.jsonl");
        let mut checked = 0;
        for line in fixture.lines().filter(|line| !line.trim().is_empty()) {
            let row: serde_json::Value = serde_json::from_str(line).expect("fixture line is json");
            let text = row["text"].as_str().expect("text");
            let expected: Vec<u32> = row["buckets"]
                .as_array()
                .expect("buckets")
                .iter()
                .map(|bucket| bucket.as_u64().expect("bucket") as u32)
                .collect();
            let canonical = classifier_text(text);
            let words = words_of(&canonical);
            let window = &words[..words.len().min(WINDOW_WORDS)];
            assert_eq!(model.buckets(window), expected, "buckets of {text:?}");
            let expected_score = row["score"].as_f64().expect("score") as f32;
            assert!(
                (model.score(text) - expected_score).abs() < 1e-4,
                "score of {text:?}: {} vs {expected_score}",
                model.score(text)
            );
            checked += 1;
        }
        assert!(checked >= 10, "fixture has {checked} lines");
    }
}

//! The Llama architecture's forward pass on CPU, with a key/value cache.
//!
//! Each of the `block_count` blocks is pre-norm: RMSNorm, grouped-query self-attention with
//! rotary position embeddings (RoPE), a residual connection, RMSNorm, a SwiGLU feed-forward
//! network (`down(silu(gate(x)) * up(x))`) and another residual connection. A final RMSNorm and a
//! projection onto the vocabulary (the token embedding itself when the file has no
//! `output.weight`) give the logits.
//!
//! RoPE rotates adjacent pairs `(x[2i], x[2i+1])` by `position * base^(-2i/head_dim)`, llama.cpp's
//! "normal" rope: the GGUF converter permutes the rows of Q and K so that this equals Hugging
//! Face's rotation of the two halves of each head. The reference check in `reference/` computes
//! the latter on un-permuted weights and agrees.
//!
//! Several tokens (the prompt) go through as one batch, so the blocks' projections are matrix
//! products; one token (decoding) is a matrix-vector product, limited by memory bandwidth. Both
//! run on `loket_linalg::PackedWeight` (the blocks' weights packed at load, a kernel for the
//! processor's widest vectors). The token embedding, which the vocabulary projection shares when
//! the file has no `output.weight`, stays an `f32` matrix of shape (vocabulary, embedding), the
//! layout of GGUF's data (`ne0` = embedding is contiguous): rows are looked up, and only the last
//! position's logits are computed, one dot product per row.

use std::time::Instant;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Axis, Slice};

use loket_linalg::PackedWeight;

use crate::gguf::{Gguf, Value};
use crate::{LlmError, Result};

/// Hyperparameters read from the `llama.*` metadata.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LlamaConfig {
    /// Width of the residual stream (`embedding_length`).
    pub(crate) embedding: usize,
    /// Transformer blocks (`block_count`).
    pub(crate) layers: usize,
    /// Query heads (`attention.head_count`).
    pub(crate) heads: usize,
    /// Key/value heads (`attention.head_count_kv`); each serves `heads / kv_heads` query heads.
    pub(crate) kv_heads: usize,
    /// Width of one head: `embedding / heads`.
    pub(crate) head_dimension: usize,
    /// Width of the feed-forward layer (`feed_forward_length`).
    pub(crate) feed_forward: usize,
    /// RoPE base frequency (`rope.freq_base`).
    pub(crate) rope_base: f32,
    /// RMSNorm epsilon (`attention.layer_norm_rms_epsilon`).
    pub(crate) rms_epsilon: f32,
    /// Longest sequence the model was trained for (`context_length`).
    pub(crate) context_length: usize,
    /// Rows of the token embedding.
    pub(crate) vocabulary: usize,
}

impl LlamaConfig {
    fn from_gguf(file: &Gguf) -> Result<LlamaConfig> {
        let architecture = file.string("general.architecture")?;
        if architecture != "llama" {
            return Err(LlmError::Unsupported(format!("architecture {architecture}")));
        }
        if let Some(Value::String(scaling)) = file.get("llama.rope.scaling.type")
            && scaling != "none"
        {
            return Err(LlmError::Unsupported(format!("RoPE scaling {scaling}")));
        }
        let embedding = file.usize("llama.embedding_length")?;
        let heads = file.usize("llama.attention.head_count")?;
        let kv_heads = match file.get("llama.attention.head_count_kv") {
            None => heads,
            Some(_) => file.usize("llama.attention.head_count_kv")?,
        };
        if heads == 0 || kv_heads == 0 || !embedding.is_multiple_of(heads) || !heads.is_multiple_of(kv_heads) {
            return Err(LlmError::format(format!(
                "{heads} heads and {kv_heads} key/value heads do not divide a width of {embedding}"
            )));
        }
        let head_dimension = embedding / heads;
        if head_dimension == 0 || !head_dimension.is_multiple_of(2) {
            return Err(LlmError::format(format!("head width {head_dimension} is not even")));
        }
        let rope_dimensions = match file.get("llama.rope.dimension_count") {
            None => head_dimension,
            Some(_) => file.usize("llama.rope.dimension_count")?,
        };
        if rope_dimensions != head_dimension {
            return Err(LlmError::Unsupported(format!(
                "RoPE over {rope_dimensions} of {head_dimension} dimensions per head"
            )));
        }
        let vocabulary = file
            .tensor_info("token_embd.weight")
            .and_then(|info| info.dimensions.get(1).copied())
            .ok_or_else(|| LlmError::format("tensor token_embd.weight is missing"))?;
        let config = LlamaConfig {
            embedding,
            layers: file.usize("llama.block_count")?,
            heads,
            kv_heads,
            head_dimension,
            feed_forward: file.usize("llama.feed_forward_length")?,
            rope_base: file.f32_or("llama.rope.freq_base", 10_000.0)?,
            rms_epsilon: file.f32_or("llama.attention.layer_norm_rms_epsilon", 1e-5)?,
            context_length: file.usize("llama.context_length")?,
            vocabulary,
        };
        if config.layers == 0 || config.feed_forward == 0 || config.context_length == 0 {
            return Err(LlmError::format(
                "block_count, feed_forward_length or context_length is 0",
            ));
        }
        if !(config.rope_base.is_finite() && config.rope_base > 0.0) {
            return Err(LlmError::format("rope.freq_base is not a positive number"));
        }
        Ok(config)
    }

    /// Width of the keys (and of the values) of one position: all key/value heads.
    fn kv_width(&self) -> usize {
        self.kv_heads * self.head_dimension
    }
}

/// The deadline passed during a forward pass; the cache is no longer consistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interrupted;

/// The weights of one transformer block.
#[derive(Debug)]
struct Block {
    attention_norm: Vec<f32>,
    query: PackedWeight,
    key: PackedWeight,
    value: PackedWeight,
    attention_output: PackedWeight,
    ffn_norm: Vec<f32>,
    gate: PackedWeight,
    up: PackedWeight,
    down: PackedWeight,
}

/// A loaded Llama model: immutable, shared by every generation.
#[derive(Debug)]
pub(crate) struct Llama {
    pub(crate) config: LlamaConfig,
    /// (vocabulary, embedding): row `t` is token `t`'s input vector.
    token_embedding: Array2<f32>,
    blocks: Vec<Block>,
    output_norm: Vec<f32>,
    /// (vocabulary, embedding); `None` when tied to `token_embedding`.
    output: Option<Array2<f32>>,
    /// `base^(-2i/head_dimension)` for each pair `i` of a head.
    inverse_frequencies: Vec<f64>,
}

impl Llama {
    /// Reads the hyperparameters and converts every weight to `f32`, checking each shape.
    pub(crate) fn from_gguf(file: &Gguf) -> Result<Llama> {
        let config = LlamaConfig::from_gguf(file)?;
        let embedding = config.embedding;
        let matrix = |name: &str, inputs: usize, outputs: usize| -> Result<Array2<f32>> {
            let values = file.tensor(name, &[inputs, outputs])?;
            Array2::from_shape_vec((outputs, inputs), values).map_err(|error| LlmError::format(error.to_string()))
        };
        let packed = |name: &str, inputs: usize, outputs: usize| -> Result<PackedWeight> {
            Ok(PackedWeight::pack(matrix(name, inputs, outputs)?.t()))
        };
        let vector = |name: &str| file.tensor(name, &[embedding]);
        let kv_width = config.kv_width();
        let blocks = (0..config.layers)
            .map(|layer| {
                let name = |part: &str| format!("blk.{layer}.{part}.weight");
                Ok(Block {
                    attention_norm: vector(&name("attn_norm"))?,
                    query: packed(&name("attn_q"), embedding, embedding)?,
                    key: packed(&name("attn_k"), embedding, kv_width)?,
                    value: packed(&name("attn_v"), embedding, kv_width)?,
                    attention_output: packed(&name("attn_output"), embedding, embedding)?,
                    ffn_norm: vector(&name("ffn_norm"))?,
                    gate: packed(&name("ffn_gate"), embedding, config.feed_forward)?,
                    up: packed(&name("ffn_up"), embedding, config.feed_forward)?,
                    down: packed(&name("ffn_down"), config.feed_forward, embedding)?,
                })
            })
            .collect::<Result<Vec<Block>>>()?;
        let output = match file.tensor_info("output.weight") {
            None => None,
            Some(_) => Some(matrix("output.weight", embedding, config.vocabulary)?),
        };
        let half = config.head_dimension / 2;
        let inverse_frequencies = (0..half)
            .map(|pair| f64::from(config.rope_base).powf(-2.0 * pair as f64 / config.head_dimension as f64))
            .collect();
        Ok(Llama {
            token_embedding: matrix("token_embd.weight", embedding, config.vocabulary)?,
            blocks,
            output_norm: vector("output_norm.weight")?,
            output,
            inverse_frequencies,
            config,
        })
    }

    /// Runs `tokens` (at positions `cache.len()..`) through the model, appends their keys and
    /// values to `cache`, and returns the logits after the last token. Token ids outside the
    /// vocabulary read as zero vectors. Checks `deadline` before every block.
    pub(crate) fn forward(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        deadline: Option<Instant>,
    ) -> Result<Vec<f32>, Interrupted> {
        let config = &self.config;
        let rows = tokens.len();
        if rows == 0 {
            return Ok(vec![0.0; config.vocabulary]);
        }
        let past = cache.length;
        let mut hidden = Array2::<f32>::zeros((rows, config.embedding));
        for (mut row, token) in hidden.rows_mut().into_iter().zip(tokens) {
            let token = *token as usize;
            if token < self.token_embedding.nrows() {
                row.assign(&self.token_embedding.row(token));
            }
        }
        let rotation = Rotation::new(&self.inverse_frequencies, past, rows);
        let mut scratch = Scratch::new(config, rows, past + rows);
        for (layer, block) in self.blocks.iter().enumerate() {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                return Err(Interrupted);
            }
            rms_norm(&hidden, &block.attention_norm, config.rms_epsilon, &mut scratch.normed);
            project_packed(&block.query, &scratch.normed, &mut scratch.query, false);
            project_packed(&block.key, &scratch.normed, &mut scratch.key, false);
            project_packed(&block.value, &scratch.normed, &mut scratch.value, false);
            rotation.apply(&mut scratch.query, config.head_dimension);
            rotation.apply(&mut scratch.key, config.head_dimension);
            cache.append(layer, &scratch.key, &scratch.value);
            attend(
                config,
                cache.layer(layer, past + rows),
                past,
                &scratch.query,
                &mut scratch.attention,
                &mut scratch.scores,
            );
            project_packed(&block.attention_output, &scratch.attention, &mut hidden, true);
            rms_norm(&hidden, &block.ffn_norm, config.rms_epsilon, &mut scratch.normed);
            project_packed(&block.gate, &scratch.normed, &mut scratch.gate, false);
            project_packed(&block.up, &scratch.normed, &mut scratch.up, false);
            for (gate, up) in scratch.gate.iter_mut().zip(&scratch.up) {
                *gate = *gate / (1.0 + (-*gate).exp()) * up;
            }
            project_packed(&block.down, &scratch.gate, &mut hidden, true);
        }
        cache.length += rows;
        let last = hidden.slice_axis(Axis(0), Slice::from(rows - 1..)).to_owned();
        let mut normed = Array2::zeros((1, config.embedding));
        rms_norm(&last, &self.output_norm, config.rms_epsilon, &mut normed);
        let output = self.output.as_ref().unwrap_or(&self.token_embedding);
        let mut logits = Array2::zeros((1, config.vocabulary));
        project(output, &normed, &mut logits, false);
        Ok(logits.into_raw_vec_and_offset().0)
    }
}

/// Positions a new [`KvCache`] reserves room for at most: SmolLM2's whole context, 377 MB. A
/// file claiming a far larger context must not make every generation reserve it.
const MAX_RESERVED_POSITIONS: usize = 8192;

/// The keys and values of every position processed so far, per layer: what attention over the
/// past needs, so that each new token costs one position's work.
#[derive(Debug)]
pub(crate) struct KvCache {
    /// Per layer, `length` rows of `width` values (all key/value heads of one position).
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    width: usize,
    length: usize,
}

impl KvCache {
    /// An empty cache with room reserved for `positions` positions (at most
    /// [`MAX_RESERVED_POSITIONS`]; beyond that the cache grows as needed).
    pub(crate) fn new(config: &LlamaConfig, positions: usize) -> KvCache {
        let width = config.kv_width();
        let layer = || Vec::with_capacity(positions.min(MAX_RESERVED_POSITIONS) * width);
        KvCache {
            keys: (0..config.layers).map(|_| layer()).collect(),
            values: (0..config.layers).map(|_| layer()).collect(),
            width,
            length: 0,
        }
    }

    /// Positions held.
    pub(crate) fn len(&self) -> usize {
        self.length
    }

    fn append(&mut self, layer: usize, keys: &Array2<f32>, values: &Array2<f32>) {
        if let (Some(cached_keys), Some(cached_values)) = (self.keys.get_mut(layer), self.values.get_mut(layer)) {
            cached_keys.extend(keys.iter());
            cached_values.extend(values.iter());
        }
    }

    /// The first `positions` keys and values of `layer`.
    fn layer(&self, layer: usize, positions: usize) -> CachedLayer<'_> {
        let end = positions * self.width;
        CachedLayer {
            keys: first_rows(&self.keys, layer, end),
            values: first_rows(&self.values, layer, end),
            width: self.width,
        }
    }
}

/// The first `end` values of `layers[layer]`, empty when there are fewer.
fn first_rows(layers: &[Vec<f32>], layer: usize, end: usize) -> &[f32] {
    layers
        .get(layer)
        .and_then(|values| values.get(..end))
        .unwrap_or_default()
}

/// One layer's cached keys and values: rows of `width` values.
struct CachedLayer<'cache> {
    keys: &'cache [f32],
    values: &'cache [f32],
    width: usize,
}

/// The intermediate matrices of one forward pass, allocated once and reused by every block.
struct Scratch {
    normed: Array2<f32>,
    query: Array2<f32>,
    key: Array2<f32>,
    value: Array2<f32>,
    attention: Array2<f32>,
    gate: Array2<f32>,
    up: Array2<f32>,
    /// Attention weights of one head: (rows, positions).
    scores: Array2<f32>,
}

impl Scratch {
    fn new(config: &LlamaConfig, rows: usize, positions: usize) -> Scratch {
        let matrix = |columns: usize| Array2::zeros((rows, columns));
        Scratch {
            normed: matrix(config.embedding),
            query: matrix(config.embedding),
            key: matrix(config.kv_width()),
            value: matrix(config.kv_width()),
            attention: matrix(config.embedding),
            gate: matrix(config.feed_forward),
            up: matrix(config.feed_forward),
            scores: matrix(positions),
        }
    }
}

/// The cosines and sines of the RoPE angles of a run of consecutive positions.
struct Rotation {
    /// (rows, pairs) each.
    cosines: Vec<f32>,
    sines: Vec<f32>,
    pairs: usize,
}

impl Rotation {
    fn new(inverse_frequencies: &[f64], first_position: usize, rows: usize) -> Rotation {
        let mut cosines = Vec::with_capacity(rows * inverse_frequencies.len());
        let mut sines = Vec::with_capacity(rows * inverse_frequencies.len());
        for position in first_position..first_position + rows {
            for frequency in inverse_frequencies {
                let (sine, cosine) = (position as f64 * frequency).sin_cos();
                cosines.push(cosine as f32);
                sines.push(sine as f32);
            }
        }
        Rotation {
            cosines,
            sines,
            pairs: inverse_frequencies.len(),
        }
    }

    /// Rotates the adjacent pairs of every head of every row of `matrix` (rows = positions).
    fn apply(&self, matrix: &mut Array2<f32>, head_dimension: usize) {
        for (row_index, mut row) in matrix.rows_mut().into_iter().enumerate() {
            let angles = row_index * self.pairs..(row_index + 1) * self.pairs;
            let (Some(cosines), Some(sines)) = (self.cosines.get(angles.clone()), self.sines.get(angles)) else {
                continue;
            };
            let Some(values) = row.as_slice_mut() else { continue };
            for head in values.chunks_exact_mut(head_dimension) {
                for ((pair, cosine), sine) in head.chunks_exact_mut(2).zip(cosines).zip(sines) {
                    let (first, second) = (pair[0], pair[1]);
                    pair[0] = first * cosine - second * sine;
                    pair[1] = first * sine + second * cosine;
                }
            }
        }
    }
}

/// Causal grouped-query attention of `queries` (rows at positions `past..`) over the cached
/// keys and values (which already include those rows), written into `output`.
fn attend(
    config: &LlamaConfig,
    cached: CachedLayer<'_>,
    past: usize,
    queries: &Array2<f32>,
    output: &mut Array2<f32>,
    scores: &mut Array2<f32>,
) {
    let rows = queries.nrows();
    let positions = past + rows;
    let width = config.head_dimension;
    let group = config.heads / config.kv_heads;
    let scale = 1.0 / (width as f32).sqrt();
    let keys = ArrayView2::from_shape((positions, cached.width), cached.keys);
    let values = ArrayView2::from_shape((positions, cached.width), cached.values);
    let (Ok(keys), Ok(values)) = (keys, values) else {
        // The cache always holds `positions` rows; should it not, attend to nothing rather
        // than read out of bounds.
        output.fill(0.0);
        return;
    };
    if rows == 1
        && let (Some(query), Some(output), Some(scores)) =
            (queries.as_slice(), output.as_slice_mut(), scores.as_slice_mut())
    {
        // One query: plain loops over the cached rows beat matrix products, which would copy
        // every key and value first.
        for (head, (query, output)) in query
            .chunks_exact(width)
            .zip(output.chunks_exact_mut(width))
            .enumerate()
        {
            let columns = (head / group) * width..(head / group + 1) * width;
            for (score, key) in scores.iter_mut().zip(cached.keys.chunks_exact(cached.width)) {
                *score = dot(&key[columns.clone()], query) * scale;
            }
            softmax(scores);
            output.fill(0.0);
            for (weight, value) in scores.iter().zip(cached.values.chunks_exact(cached.width)) {
                for (output, value) in output.iter_mut().zip(&value[columns.clone()]) {
                    *output += weight * value;
                }
            }
        }
        return;
    }
    for head in 0..config.heads {
        let kv_head = head / group;
        let query = queries.slice_axis(Axis(1), Slice::from(head * width..(head + 1) * width));
        let key = keys.slice_axis(Axis(1), Slice::from(kv_head * width..(kv_head + 1) * width));
        let value = values.slice_axis(Axis(1), Slice::from(kv_head * width..(kv_head + 1) * width));
        general_mat_mul(scale, &query, &key.t(), 0.0, scores);
        for (row_index, mut row) in scores.rows_mut().into_iter().enumerate() {
            let visible = past + row_index + 1;
            let Some(row) = row.as_slice_mut() else { continue };
            softmax(&mut row[..visible]);
            row[visible..].fill(0.0);
        }
        general_mat_mul(
            1.0,
            scores,
            &value,
            0.0,
            &mut output.slice_axis_mut(Axis(1), Slice::from(head * width..(head + 1) * width)),
        );
    }
}

/// `output = input · weight` (or `output += …` when `accumulate`), for a block's projection.
fn project_packed(weight: &PackedWeight, input: &Array2<f32>, output: &mut Array2<f32>, accumulate: bool) {
    if !accumulate {
        output.fill(0.0);
    }
    weight.multiply_add(input.view(), output);
}

/// `output = input · weightᵀ` (or `output += …` when `accumulate`): a matrix product for
/// several rows, a matrix-vector product over contiguous weight rows for one.
fn project(weight: &Array2<f32>, input: &Array2<f32>, output: &mut Array2<f32>, accumulate: bool) {
    if input.nrows() == 1
        && let (Some(weight_values), Some(input_values), Some(output_values)) =
            (weight.as_slice(), input.as_slice(), output.as_slice_mut())
    {
        for (result, row) in output_values.iter_mut().zip(weight_values.chunks_exact(weight.ncols())) {
            let value = dot(row, input_values);
            *result = if accumulate { *result + value } else { value };
        }
        return;
    }
    general_mat_mul(1.0, input, &weight.t(), if accumulate { 1.0 } else { 0.0 }, output);
}

/// Dot product in sixteen independent lanes, which the compiler turns into SIMD adds.
fn dot(left: &[f32], right: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut sums = [0.0f32; LANES];
    let left_chunks = left.chunks_exact(LANES);
    let right_chunks = right.chunks_exact(LANES);
    let tail: f32 = left_chunks
        .remainder()
        .iter()
        .zip(right_chunks.remainder())
        .map(|(left, right)| left * right)
        .sum();
    for (left, right) in left_chunks.zip(right_chunks) {
        for lane in 0..LANES {
            sums[lane] += left[lane] * right[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// RMSNorm of every row of `input` times `gain`, into `output`.
fn rms_norm(input: &Array2<f32>, gain: &[f32], epsilon: f32, output: &mut Array2<f32>) {
    for (row, mut normed) in input.rows().into_iter().zip(output.rows_mut()) {
        let mean_square = row.iter().map(|value| value * value).sum::<f32>() / row.len() as f32;
        let scale = 1.0 / (mean_square + epsilon).sqrt();
        for ((normed, value), gain) in normed.iter_mut().zip(row.iter()).zip(gain) {
            *normed = value * scale * gain;
        }
    }
}

/// In-place softmax; an empty slice stays empty.
fn softmax(values: &mut [f32]) {
    let maximum = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut total = 0.0;
    for value in values.iter_mut() {
        *value = (*value - maximum).exp();
        total += *value;
    }
    for value in values.iter_mut() {
        *value /= total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_model;

    fn tiny() -> Llama {
        let file = Gguf::parse(test_model::tiny_model_file(&test_model::TinyOptions::default())).unwrap();
        Llama::from_gguf(&file).unwrap()
    }

    fn largest_difference(left: &[f32], right: &[f32]) -> f32 {
        assert_eq!(left.len(), right.len());
        left.iter()
            .zip(right)
            .map(|(left, right)| (left - right).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn decoding_token_by_token_equals_one_batch() {
        let model = tiny();
        let tokens: Vec<u32> = (0..12).map(|index| (index * 37 + 5) % 200 + 3).collect();
        let mut batch_cache = KvCache::new(&model.config, 16);
        let batch = model.forward(&tokens, &mut batch_cache, None).unwrap();
        let mut step_cache = KvCache::new(&model.config, 16);
        let mut stepped = Vec::new();
        for token in &tokens {
            stepped = model.forward(&[*token], &mut step_cache, None).unwrap();
        }
        assert_eq!(step_cache.len(), 12);
        assert!(largest_difference(&batch, &stepped) < 1e-4);
        // Two chunks of a batch give the same result again.
        let mut chunk_cache = KvCache::new(&model.config, 16);
        model.forward(&tokens[..5], &mut chunk_cache, None).unwrap();
        let chunked = model.forward(&tokens[5..], &mut chunk_cache, None).unwrap();
        assert!(largest_difference(&batch, &chunked) < 1e-4);
        assert!(batch.iter().all(|logit| logit.is_finite()));
    }

    #[test]
    fn a_passed_deadline_interrupts_the_forward_pass() {
        let model = tiny();
        let mut cache = KvCache::new(&model.config, 4);
        assert_eq!(
            model.forward(&[3, 4], &mut cache, Some(Instant::now())),
            Err(Interrupted)
        );
    }

    #[test]
    fn rotation_turns_adjacent_pairs_by_position_times_frequency() {
        let rotation = Rotation::new(&[1.0, 0.5], 2, 1);
        let mut matrix = Array2::from_shape_vec((1, 4), vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        rotation.apply(&mut matrix, 4);
        let expected = [2f32.cos(), 2f32.sin(), -1f32.sin(), 1f32.cos()];
        assert!(largest_difference(matrix.as_slice().unwrap(), &expected) < 1e-6);
    }

    #[test]
    fn softmax_and_dot_handle_every_length() {
        let mut values = [1.0, 2.0, 3.0];
        softmax(&mut values);
        assert!((values.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(values[2] > values[1] && values[1] > values[0]);
        softmax(&mut []);
        for length in [0, 1, 15, 16, 17, 40] {
            let left: Vec<f32> = (0..length).map(|index| index as f32).collect();
            let expected: f32 = left.iter().map(|value| value * value).sum();
            assert_eq!(dot(&left, &left), expected);
        }
    }
}

//! The BERT encoder's forward pass on CPU: token, position and segment embeddings with a layer
//! norm, then `num_hidden_layers` blocks of multi-head self-attention and a GELU feed-forward
//! network, each followed by a residual connection and a layer norm (post-norm, as in BERT).
//!
//! Several sentences are encoded together by stacking their tokens into one matrix: the dense
//! layers then run as one large matrix product (which is where the time goes), while attention
//! stays within each sentence's rows, so no padding is ever computed. The dense layers' products
//! go through `loket_linalg::PackedWeight` (weights packed at load time, a kernel for the
//! processor's widest vectors); attention's small per-sentence products through `ndarray`. Every operand is in
//! standard layout, biases and residual connections are accumulated into the products' outputs,
//! and the intermediate matrices are allocated once per forward pass (`Scratch`).

use std::ops::Range;

use loket_linalg::PackedWeight;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, Slice};
use pulp::Arch;
use serde::Deserialize;

use crate::safetensors::SafeTensors;
use crate::{Error, Result};

/// The fields of a Hugging Face `config.json` the forward pass depends on.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    /// Width of every token vector (384 for MiniLM-L6).
    pub hidden_size: usize,
    /// Attention heads per layer; must divide `hidden_size`.
    pub num_attention_heads: usize,
    /// Transformer blocks.
    pub num_hidden_layers: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Longest input in tokens.
    pub max_position_embeddings: usize,
    /// Epsilon of every layer norm.
    #[serde(default = "default_epsilon")]
    pub layer_norm_eps: f32,
    /// Must be `gelu` (the exact, erf-based GELU).
    #[serde(default = "default_activation")]
    pub hidden_act: String,
    /// Must be `absolute` when present.
    #[serde(default = "default_position_type")]
    pub position_embedding_type: String,
}

fn default_epsilon() -> f32 {
    1e-12
}
fn default_activation() -> String {
    "gelu".to_owned()
}
fn default_position_type() -> String {
    "absolute".to_owned()
}

impl BertConfig {
    pub(crate) fn from_json(json: &[u8]) -> Result<BertConfig> {
        let config: BertConfig =
            serde_json::from_slice(json).map_err(|error| Error::malformed("config.json", error.to_string()))?;
        if config.hidden_act != "gelu" {
            return Err(Error::Unsupported(format!("activation {}", config.hidden_act)));
        }
        if config.position_embedding_type != "absolute" {
            return Err(Error::Unsupported(format!(
                "position embeddings {}",
                config.position_embedding_type
            )));
        }
        if config.num_attention_heads == 0
            || config.hidden_size == 0
            || !config.hidden_size.is_multiple_of(config.num_attention_heads)
        {
            return Err(Error::malformed(
                "config.json",
                "hidden_size is not a multiple of the head count",
            ));
        }
        Ok(config)
    }
}

/// A dense layer `x · weight + bias`, with `weight` (inputs, outputs) packed for the product.
#[derive(Debug)]
struct Linear {
    weight: PackedWeight,
    bias: Array1<f32>,
}

impl Linear {
    /// `output = input · weight + bias`. The bias is written first and the product accumulated
    /// onto it, which saves a pass over the output.
    fn apply_into(&self, input: ArrayView2<'_, f32>, output: &mut Array2<f32>) {
        for mut row in output.rows_mut() {
            row.assign(&self.bias);
        }
        self.weight.multiply_add(input, output);
    }

    /// `output = residual + input · weight + bias`: the dense layer and the residual connection
    /// that follows it in every BERT block, in one product.
    fn apply_with_residual(&self, input: ArrayView2<'_, f32>, residual: ArrayView2<'_, f32>, output: &mut Array2<f32>) {
        for (mut row, residual_row) in output.rows_mut().into_iter().zip(residual.rows()) {
            row.assign(&residual_row);
            row += &self.bias;
        }
        self.weight.multiply_add(input, output);
    }
}

#[derive(Debug)]
struct LayerNorm {
    gain: Array1<f32>,
    bias: Array1<f32>,
    epsilon: f32,
}

impl LayerNorm {
    /// Normalises every row of `matrix` in place.
    fn apply(&self, matrix: &mut Array2<f32>) {
        let width = matrix.ncols();
        let (Some(gain), Some(bias)) = (self.gain.as_slice(), self.bias.as_slice()) else {
            return self.apply_strided(matrix);
        };
        let Some(values) = matrix.as_slice_mut().filter(|_| width > 0) else {
            return self.apply_strided(matrix);
        };
        // Compiled for the processor's widest vectors, as the GELU loop is.
        Arch::new().dispatch(|| {
            for row in values.chunks_exact_mut(width) {
                let mean = sum_in_lanes(row, |value| value) / width as f32;
                let variance = sum_in_lanes(row, |value| (value - mean) * (value - mean)) / width as f32;
                let scale = 1.0 / (variance + self.epsilon).sqrt();
                for ((value, gain), bias) in row.iter_mut().zip(gain).zip(bias) {
                    *value = (*value - mean) * scale * gain + bias;
                }
            }
        });
    }

    /// The same normalisation for any memory layout.
    fn apply_strided(&self, matrix: &mut Array2<f32>) {
        let width = matrix.ncols() as f32;
        for mut row in matrix.rows_mut() {
            let mean = row.sum() / width;
            let variance = row.iter().map(|value| (value - mean) * (value - mean)).sum::<f32>() / width;
            let scale = 1.0 / (variance + self.epsilon).sqrt();
            for ((value, gain), bias) in row.iter_mut().zip(&self.gain).zip(&self.bias) {
                *value = (*value - mean) * scale * gain + bias;
            }
        }
    }
}

#[derive(Debug)]
struct Layer {
    /// Query, key and value projections side by side: one product instead of three.
    query_key_value: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// A loaded BERT model.
#[derive(Debug)]
pub(crate) struct Bert {
    config: BertConfig,
    word_embeddings: EmbeddingTable,
    position_embeddings: Array2<f32>,
    /// Segment 0's embedding: every input is a single segment.
    token_type_embedding: Array1<f32>,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
}

impl Bert {
    /// Builds the model from `config` and the tensors, checking every shape.
    pub(crate) fn load(config: BertConfig, tensors: &SafeTensors<'_>) -> Result<Bert> {
        // Checkpoints saved from task models prefix the encoder's tensors with `bert.`.
        let prefix = if tensors.contains("embeddings.word_embeddings.weight") {
            ""
        } else {
            "bert."
        };
        let hidden = config.hidden_size;
        let loader = Loader { tensors, prefix };
        let word_embeddings = loader.embedding_table("embeddings.word_embeddings.weight", hidden)?;
        let position_embeddings = loader.matrix(
            "embeddings.position_embeddings.weight",
            Some(config.max_position_embeddings),
            Some(hidden),
        )?;
        let token_types = loader.matrix("embeddings.token_type_embeddings.weight", None, Some(hidden))?;
        let token_type_embedding = token_types.row(0).to_owned();
        let embedding_norm = loader.layer_norm("embeddings.LayerNorm", hidden, config.layer_norm_eps)?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for index in 0..config.num_hidden_layers {
            let name = |part: &str| format!("encoder.layer.{index}.{part}");
            let (query, query_bias) = loader.dense(&name("attention.self.query"), hidden, hidden)?;
            let (key, key_bias) = loader.dense(&name("attention.self.key"), hidden, hidden)?;
            let (value, value_bias) = loader.dense(&name("attention.self.value"), hidden, hidden)?;
            let query_key_value = Linear {
                weight: PackedWeight::pack(
                    ndarray::concatenate(Axis(1), &[query.t(), key.t(), value.t()])
                        .map_err(|error| Error::malformed("model.safetensors", error.to_string()))?
                        .view(),
                ),
                bias: ndarray::concatenate(Axis(0), &[query_bias.view(), key_bias.view(), value_bias.view()])
                    .map_err(|error| Error::malformed("model.safetensors", error.to_string()))?,
            };
            layers.push(Layer {
                query_key_value,
                attention_output: loader.linear(&name("attention.output.dense"), hidden, hidden)?,
                attention_norm: loader.layer_norm(
                    &name("attention.output.LayerNorm"),
                    hidden,
                    config.layer_norm_eps,
                )?,
                intermediate: loader.linear(&name("intermediate.dense"), hidden, config.intermediate_size)?,
                output: loader.linear(&name("output.dense"), config.intermediate_size, hidden)?,
                output_norm: loader.layer_norm(&name("output.LayerNorm"), hidden, config.layer_norm_eps)?,
            });
        }
        Ok(Bert {
            config,
            word_embeddings,
            position_embeddings,
            token_type_embedding,
            embedding_norm,
            layers,
        })
    }

    /// Rows in the word-embedding table: token ids must be below it.
    pub(crate) fn vocab_rows(&self) -> usize {
        self.word_embeddings.rows()
    }

    pub(crate) fn config(&self) -> &BertConfig {
        &self.config
    }

    /// The last hidden state of each sequence, stacked: sequence `i` occupies the rows of
    /// `ranges[i]`. Ids at or beyond the vocabulary and positions beyond the model's maximum
    /// are clamped, so no input panics (the tokenizer never produces either).
    pub(crate) fn forward(&self, sequences: &[Vec<u32>]) -> (Array2<f32>, Vec<Range<usize>>) {
        let hidden = self.config.hidden_size;
        let mut ranges = Vec::with_capacity(sequences.len());
        let total: usize = sequences.iter().map(Vec::len).sum();
        let mut states = Array2::<f32>::zeros((total, hidden));
        let mut row = 0;
        let last_word = self.word_embeddings.rows().saturating_sub(1);
        let last_position = self.position_embeddings.nrows().saturating_sub(1);
        for sequence in sequences {
            for (position, id) in sequence.iter().enumerate() {
                let mut target = states.row_mut(row + position);
                self.word_embeddings
                    .copy_row((*id as usize).min(last_word), target.view_mut());
                target += &self.position_embeddings.row(position.min(last_position));
                target += &self.token_type_embedding;
            }
            ranges.push(row..row + sequence.len());
            row += sequence.len();
        }
        self.embedding_norm.apply(&mut states);
        let mut scratch = Scratch::new(total, &self.config);
        for layer in &self.layers {
            self.block(layer, &mut states, &ranges, &mut scratch);
        }
        (states, ranges)
    }

    /// One transformer block, replacing `states` by the block's output. Every intermediate
    /// matrix lives in `scratch`, which all blocks of a forward pass share.
    fn block(&self, layer: &Layer, states: &mut Array2<f32>, ranges: &[Range<usize>], scratch: &mut Scratch) {
        let hidden = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let head_width = hidden / heads;
        let scale = 1.0 / (head_width as f32).sqrt();
        layer.query_key_value.apply_into(states.view(), &mut scratch.projected);
        let projected = &scratch.projected;
        for range in ranges {
            for head in 0..heads {
                let columns = head * head_width..(head + 1) * head_width;
                let query = block(projected, range, columns.clone());
                let key = block(projected, range, hidden + columns.start..hidden + columns.end);
                let value = block(projected, range, 2 * hidden + columns.start..2 * hidden + columns.end);
                let mut scores = query.dot(&key.t());
                for mut row in scores.rows_mut() {
                    let maximum = row.iter().fold(f32::NEG_INFINITY, |max, value| max.max(*value)) * scale;
                    let mut sum = 0.0;
                    row.mapv_inplace(|score| {
                        let weight = (score * scale - maximum).exp();
                        sum += weight;
                        weight
                    });
                    row /= sum;
                }
                general_mat_mul(
                    1.0,
                    &scores,
                    &value,
                    0.0,
                    &mut block_mut(&mut scratch.context, range, columns),
                );
            }
        }
        layer
            .attention_output
            .apply_with_residual(scratch.context.view(), states.view(), &mut scratch.attended);
        layer.attention_norm.apply(&mut scratch.attended);
        layer
            .intermediate
            .apply_into(scratch.attended.view(), &mut scratch.intermediate);
        gelu_in_place(&mut scratch.intermediate);
        layer
            .output
            .apply_with_residual(scratch.intermediate.view(), scratch.attended.view(), states);
        layer.output_norm.apply(states);
    }
}

/// The intermediate matrices of a forward pass, allocated once per pass and overwritten by each
/// block, all in standard layout with one row per token.
struct Scratch {
    /// Queries, keys and values side by side (`3 × hidden` columns).
    projected: Array2<f32>,
    /// The attention heads' outputs, concatenated (`hidden` columns).
    context: Array2<f32>,
    /// The attention sublayer's output after its residual connection and layer norm.
    attended: Array2<f32>,
    /// The feed-forward layer's activations (`intermediate_size` columns).
    intermediate: Array2<f32>,
}

impl Scratch {
    fn new(rows: usize, config: &BertConfig) -> Scratch {
        let hidden = config.hidden_size;
        Scratch {
            projected: Array2::zeros((rows, 3 * hidden)),
            context: Array2::zeros((rows, hidden)),
            attended: Array2::zeros((rows, hidden)),
            intermediate: Array2::zeros((rows, config.intermediate_size)),
        }
    }
}

/// The rows and columns given of `matrix`. (`ndarray`'s `s!` macro expands to code the
/// workspace's `forbid(unsafe_code)` rejects, so slices are taken one axis at a time.)
fn block<'matrix>(
    matrix: &'matrix Array2<f32>,
    rows: &Range<usize>,
    columns: Range<usize>,
) -> ArrayView2<'matrix, f32> {
    matrix
        .slice_axis(Axis(0), Slice::from(rows.clone()))
        .slice_axis_move(Axis(1), Slice::from(columns))
}

fn block_mut<'matrix>(
    matrix: &'matrix mut Array2<f32>,
    rows: &Range<usize>,
    columns: Range<usize>,
) -> ArrayViewMut2<'matrix, f32> {
    matrix
        .slice_axis_mut(Axis(0), Slice::from(rows.clone()))
        .slice_axis_move(Axis(1), Slice::from(columns))
}

/// The word-embedding table: kept in half precision when the file stores it so (a 250,000-piece
/// multilingual vocabulary is 190 MB that way and 380 MB in single precision); rows are widened
/// as tokens look them up.
#[derive(Debug)]
enum EmbeddingTable {
    Single(Array2<f32>),
    Half { columns: usize, values: Vec<half::f16> },
}

impl EmbeddingTable {
    fn rows(&self) -> usize {
        match self {
            EmbeddingTable::Single(table) => table.nrows(),
            EmbeddingTable::Half { columns, values } => values.len() / columns.max(&1),
        }
    }

    /// Writes row `row` (which must exist) into `target`.
    fn copy_row(&self, row: usize, mut target: ndarray::ArrayViewMut1<'_, f32>) {
        match self {
            EmbeddingTable::Single(table) => target.assign(&table.row(row)),
            EmbeddingTable::Half { columns, values } => {
                let source = values.get(row * columns..(row + 1) * columns).unwrap_or_default();
                for (value, half) in target.iter_mut().zip(source) {
                    *value = half.to_f32();
                }
            }
        }
    }
}

struct Loader<'tensors, 'bytes> {
    tensors: &'tensors SafeTensors<'bytes>,
    prefix: &'static str,
}

impl Loader<'_, '_> {
    /// A 2-D tensor, checking the dimensions that are given.
    fn matrix(&self, name: &str, rows: Option<usize>, columns: Option<usize>) -> Result<Array2<f32>> {
        let full_name = format!("{}{name}", self.prefix);
        let tensor = self.tensors.tensor(&full_name)?;
        let [actual_rows, actual_columns] = tensor.shape[..] else {
            return Err(Error::malformed(
                "model.safetensors",
                format!("{full_name} is not a matrix"),
            ));
        };
        if rows.is_some_and(|rows| rows != actual_rows) || columns.is_some_and(|columns| columns != actual_columns) {
            return Err(Error::malformed(
                "model.safetensors",
                format!("{full_name} has shape {:?}", tensor.shape),
            ));
        }
        Array2::from_shape_vec((actual_rows, actual_columns), tensor.values)
            .map_err(|error| Error::malformed("model.safetensors", error.to_string()))
    }

    /// An embedding table of `columns` columns, in half precision if stored so.
    fn embedding_table(&self, name: &str, columns: usize) -> Result<EmbeddingTable> {
        let full_name = format!("{}{name}", self.prefix);
        match self.tensors.tensor_f16(&full_name)? {
            Some((shape, values)) => match shape[..] {
                [rows, actual_columns] if actual_columns == columns && rows > 0 => {
                    Ok(EmbeddingTable::Half { columns, values })
                }
                _ => Err(Error::malformed(
                    "model.safetensors",
                    format!("{full_name} has shape {shape:?}"),
                )),
            },
            None => Ok(EmbeddingTable::Single(self.matrix(name, None, Some(columns))?)),
        }
    }

    fn vector(&self, name: &str, length: usize) -> Result<Array1<f32>> {
        let full_name = format!("{}{name}", self.prefix);
        let tensor = self.tensors.tensor(&full_name)?;
        if tensor.shape != [length] {
            return Err(Error::malformed(
                "model.safetensors",
                format!("{full_name} has shape {:?}, expected [{length}]", tensor.shape),
            ));
        }
        Ok(Array1::from_vec(tensor.values))
    }

    /// A dense layer's weight as stored, PyTorch-style (outputs, inputs), and its bias.
    fn dense(&self, name: &str, inputs: usize, outputs: usize) -> Result<(Array2<f32>, Array1<f32>)> {
        Ok((
            self.matrix(&format!("{name}.weight"), Some(outputs), Some(inputs))?,
            self.vector(&format!("{name}.bias"), outputs)?,
        ))
    }

    /// A dense layer, its weight transposed for `x · W` and packed.
    fn linear(&self, name: &str, inputs: usize, outputs: usize) -> Result<Linear> {
        let (weight, bias) = self.dense(name, inputs, outputs)?;
        Ok(Linear {
            weight: PackedWeight::pack(weight.t()),
            bias,
        })
    }

    fn layer_norm(&self, name: &str, width: usize, epsilon: f32) -> Result<LayerNorm> {
        Ok(LayerNorm {
            gain: self.vector(&format!("{name}.weight"), width)?,
            bias: self.vector(&format!("{name}.bias"), width)?,
            epsilon,
        })
    }
}

/// Applies [`gelu`] to every value. On a contiguous matrix this is a plain loop over a slice,
/// which the compiler vectorises because [`erf`] has neither branches nor calls; `pulp`'s
/// dispatch compiles it for the processor's widest vectors (the results are the same at every
/// width: Rust never fuses a multiply and an add on its own).
fn gelu_in_place(matrix: &mut Array2<f32>) {
    match matrix.as_slice_memory_order_mut() {
        Some(values) => Arch::new().dispatch(|| values.iter_mut().for_each(|value| *value = gelu(*value))),
        None => matrix.mapv_inplace(gelu),
    }
}

/// The exact GELU, `x · Φ(x)`, as BERT's `gelu` activation.
#[inline(always)]
fn gelu(value: f32) -> f32 {
    0.5 * value * (1.0 + erf(value * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function as the rational approximation `x · P(x²) / Q(x²)` on `[-4, 4]` that
/// Eigen and XLA use for `f32` (absolute error about 1e-7, i.e. `f32` resolution; beyond ±4
/// `erf` is ±1 in `f32`). The standard library has no stable `erf`. Unlike the classic
/// Abramowitz and Stegun formula it needs no `exp`, so the GELU loop vectorises: the GELU took
/// a tenth of the forward pass with a library `exp` per value.
// The coefficients are written as published, with more digits than an `f32` holds.
#[allow(clippy::excessive_precision)]
#[inline(always)]
fn erf(value: f32) -> f32 {
    let clamped = value.clamp(-4.0, 4.0);
    let square = clamped * clamped;
    let mut numerator = -2.726_142_258_013_06e-10_f32;
    for coefficient in [
        2.770_681_424_959_02e-8,
        -2.101_024_020_825_08e-6,
        -5.692_506_394_623_46e-5,
        -7.349_906_303_268_55e-4,
        -2.954_599_808_540_25e-3,
        -1.609_603_332_624_15e-2,
    ] {
        numerator = numerator * square + coefficient;
    }
    let mut denominator = -1.456_607_184_649_96e-5_f32;
    for coefficient in [
        -2.133_740_552_789_05e-4,
        -1.682_826_974_382_03e-3,
        -7.373_329_167_204_68e-3,
        -1.426_473_905_141_89e-2,
    ] {
        denominator = denominator * square + coefficient;
    }
    clamped * numerator / denominator
}

/// The sum of `map(value)` over `values`, in eight independent partial sums so the compiler can
/// vectorise it (a single running sum is a chain of dependent additions).
#[inline(always)]
fn sum_in_lanes(values: &[f32], map: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().map(|value| map(*value)).sum();
    for chunk in chunks {
        for (lane, value) in lanes.iter_mut().zip(chunk) {
            *lane += map(*value);
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        let cases: &[(f32, f32)] = &[
            (0.0, 0.0),
            (0.1, 0.112_462_92),
            (0.25, 0.276_326_4),
            (0.5, 0.520_499_9),
            (0.75, 0.711_155_6),
            (1.0, 0.842_700_8),
            (1.5, 0.966_105_1),
            (-2.0, -0.995_322_3),
            (2.5, 0.999_593_1),
            (3.0, 0.999_977_9),
            (4.0, 1.0),
            (-30.0, -1.0),
        ];
        for (input, expected) in cases {
            assert!((erf(*input) - expected).abs() < 3e-7, "erf({input}) = {}", erf(*input));
        }
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
    }

    #[test]
    fn configs_with_other_activations_or_bad_head_counts_are_refused() {
        let base = r#""hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 16, "max_position_embeddings": 4"#;
        assert!(BertConfig::from_json(format!("{{{base}}}").as_bytes()).is_ok());
        let relu = format!(r#"{{{base}, "hidden_act": "relu"}}"#);
        assert!(matches!(
            BertConfig::from_json(relu.as_bytes()),
            Err(Error::Unsupported(_))
        ));
        let odd = base.replace(r#""num_attention_heads": 2"#, r#""num_attention_heads": 3"#);
        assert!(matches!(
            BertConfig::from_json(format!("{{{odd}}}").as_bytes()),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn layer_norm_centres_and_scales_each_row() {
        let norm = LayerNorm {
            gain: Array1::from_vec(vec![1.0, 1.0]),
            bias: Array1::from_vec(vec![0.0, 0.5]),
            epsilon: 0.0,
        };
        let mut matrix = Array2::from_shape_vec((1, 2), vec![1.0, 3.0]).unwrap();
        norm.apply(&mut matrix);
        assert_eq!(matrix.row(0).to_vec(), [-1.0, 1.5]);
    }

    #[test]
    fn layer_norm_gives_the_same_rows_in_column_major_layout() {
        use ndarray::ShapeBuilder;
        let norm = LayerNorm {
            gain: Array1::from_vec(vec![1.0, 2.0, 0.5]),
            bias: Array1::from_vec(vec![0.1, 0.0, -0.1]),
            epsilon: 1e-12,
        };
        let values = vec![1.0, 4.0, -2.0, 0.5, 3.0, 3.5];
        let mut row_major = Array2::from_shape_vec((2, 3), values.clone()).unwrap();
        let mut column_major = Array2::from_shape_vec((2, 3).f(), vec![0.0; 6]).unwrap();
        column_major.assign(&row_major);
        norm.apply(&mut row_major);
        norm.apply(&mut column_major);
        for (left, right) in row_major.iter().zip(column_major.iter()) {
            assert!((left - right).abs() < 1e-6, "{row_major} vs {column_major}");
        }
        // The first row, 1, 4, -2, has mean 1: its middle value is above it.
        assert!(row_major[[0, 1]] > 0.0 && row_major[[0, 2]] < 0.0);
    }
}

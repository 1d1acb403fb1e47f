//! The BERT encoder's forward pass on CPU: token, position and segment embeddings with a layer
//! norm, then `num_hidden_layers` blocks of multi-head self-attention and a GELU feed-forward
//! network, each followed by a residual connection and a layer norm (post-norm, as in BERT).
//!
//! Several sentences are encoded together by stacking their tokens into one matrix: the dense
//! layers then run as one large matrix product (which is where the time goes), while attention
//! stays within each sentence's rows, so no padding is ever computed. Matrix products go through
//! `ndarray`, which uses the `matrixmultiply` kernels with run-time SIMD detection.

use std::ops::Range;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, Slice};
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

/// A dense layer `x · weight + bias`, with `weight` stored as (inputs, outputs).
#[derive(Debug)]
struct Linear {
    weight: Array2<f32>,
    bias: Array1<f32>,
}

impl Linear {
    fn apply(&self, input: ArrayView2<'_, f32>) -> Array2<f32> {
        let mut output = input.dot(&self.weight);
        output += &self.bias;
        output
    }
}

#[derive(Debug)]
struct LayerNorm {
    gain: Array1<f32>,
    bias: Array1<f32>,
    epsilon: f32,
}

impl LayerNorm {
    fn apply(&self, matrix: &mut Array2<f32>) {
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
    word_embeddings: Array2<f32>,
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
        let word_embeddings = loader.matrix("embeddings.word_embeddings.weight", None, Some(hidden))?;
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
            let query = loader.linear(&name("attention.self.query"), hidden, hidden)?;
            let key = loader.linear(&name("attention.self.key"), hidden, hidden)?;
            let value = loader.linear(&name("attention.self.value"), hidden, hidden)?;
            let query_key_value = Linear {
                weight: ndarray::concatenate(Axis(1), &[query.weight.view(), key.weight.view(), value.weight.view()])
                    .map_err(|error| Error::malformed("model.safetensors", error.to_string()))?,
                bias: ndarray::concatenate(Axis(0), &[query.bias.view(), key.bias.view(), value.bias.view()])
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
        self.word_embeddings.nrows()
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
        let last_word = self.word_embeddings.nrows().saturating_sub(1);
        let last_position = self.position_embeddings.nrows().saturating_sub(1);
        for sequence in sequences {
            for (position, id) in sequence.iter().enumerate() {
                let mut target = states.row_mut(row + position);
                target.assign(&self.word_embeddings.row((*id as usize).min(last_word)));
                target += &self.position_embeddings.row(position.min(last_position));
                target += &self.token_type_embedding;
            }
            ranges.push(row..row + sequence.len());
            row += sequence.len();
        }
        self.embedding_norm.apply(&mut states);
        for layer in &self.layers {
            states = self.block(layer, states, &ranges);
        }
        (states, ranges)
    }

    fn block(&self, layer: &Layer, input: Array2<f32>, ranges: &[Range<usize>]) -> Array2<f32> {
        let hidden = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let head_width = hidden / heads;
        let scale = 1.0 / (head_width as f32).sqrt();
        let projected = layer.query_key_value.apply(input.view());
        let mut context = Array2::<f32>::zeros(input.raw_dim());
        for range in ranges {
            for head in 0..heads {
                let columns = head * head_width..(head + 1) * head_width;
                let query = block(&projected, range, columns.clone());
                let key = block(&projected, range, hidden + columns.start..hidden + columns.end);
                let value = block(&projected, range, 2 * hidden + columns.start..2 * hidden + columns.end);
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
                general_mat_mul(1.0, &scores, &value, 0.0, &mut block_mut(&mut context, range, columns));
            }
        }
        let mut attended = layer.attention_output.apply(context.view());
        attended += &input;
        layer.attention_norm.apply(&mut attended);
        let mut intermediate = layer.intermediate.apply(attended.view());
        intermediate.mapv_inplace(gelu);
        let mut output = layer.output.apply(intermediate.view());
        output += &attended;
        layer.output_norm.apply(&mut output);
        output
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

    /// A dense layer stored PyTorch-style as (outputs, inputs), transposed for `x · W`.
    fn linear(&self, name: &str, inputs: usize, outputs: usize) -> Result<Linear> {
        let weight = self.matrix(&format!("{name}.weight"), Some(outputs), Some(inputs))?;
        Ok(Linear {
            weight: weight.t().as_standard_layout().into_owned(),
            bias: self.vector(&format!("{name}.bias"), outputs)?,
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

/// The exact GELU, `x · Φ(x)`, as BERT's `gelu` activation.
fn gelu(value: f32) -> f32 {
    0.5 * value * (1.0 + erf(value * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7, which is
/// below `f32` resolution at the values GELU sees); the standard library has no stable `erf`.
fn erf(value: f32) -> f32 {
    let sign = value.signum();
    let magnitude = value.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * magnitude);
    let polynomial = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    sign * (1.0 - polynomial * (-magnitude * magnitude).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        let cases: &[(f32, f32)] = &[
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
            (4.0, 1.0),
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
}

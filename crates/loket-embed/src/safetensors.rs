//! A reader for the safetensors format: an 8-byte little-endian header length, a JSON header
//! naming each tensor's dtype, shape and byte range, then the raw little-endian data.
//!
//! Only what an encoder needs is implemented: tensors are converted to `f32` on request
//! (from F32, F16 or BF16), and every range and size is checked against the buffer first, so a
//! truncated or hostile file gives an [`Error::Malformed`], never a panic or an over-read.

use std::collections::HashMap;

use serde::Deserialize;

use crate::{Error, Result};

const FILE: &str = "model.safetensors";
/// Headers larger than this are refused before parsing (the format's own limit is 100 MB).
const MAX_HEADER_BYTES: u64 = 100_000_000;

/// A parsed safetensors buffer; tensors are decoded lazily by [`SafeTensors::tensor`].
#[derive(Debug)]
pub struct SafeTensors<'bytes> {
    entries: HashMap<String, HeaderEntry>,
    data: &'bytes [u8],
}

/// One decoded tensor in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values.
    pub values: Vec<f32>,
}

#[derive(Debug, Deserialize)]
struct HeaderEntry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

impl<'bytes> SafeTensors<'bytes> {
    /// Parses the header of `bytes` and checks that every tensor's range lies inside the data.
    pub fn parse(bytes: &'bytes [u8]) -> Result<SafeTensors<'bytes>> {
        let (length_bytes, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or_else(|| Error::malformed(FILE, "shorter than the 8-byte header length"))?;
        let header_length = u64::from_le_bytes(*length_bytes);
        if header_length > MAX_HEADER_BYTES || header_length > rest.len() as u64 {
            return Err(Error::malformed(FILE, "header length exceeds the file"));
        }
        let (header, data) = rest.split_at(header_length as usize);
        let raw: HashMap<String, serde_json::Value> =
            serde_json::from_slice(header).map_err(|error| Error::malformed(FILE, format!("header: {error}")))?;
        let mut entries = HashMap::new();
        for (name, value) in raw {
            // The optional `__metadata__` entry holds free-form strings, not a tensor.
            if name == "__metadata__" {
                continue;
            }
            let entry: HeaderEntry = serde_json::from_value(value)
                .map_err(|error| Error::malformed(FILE, format!("tensor {name}: {error}")))?;
            let [begin, end] = entry.data_offsets;
            if begin > end || end > data.len() {
                return Err(Error::malformed(
                    FILE,
                    format!("tensor {name}: data range outside the file"),
                ));
            }
            entries.insert(name, entry);
        }
        Ok(SafeTensors { entries, data })
    }

    /// Whether a tensor of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Decodes the tensor `name` to `f32`.
    pub fn tensor(&self, name: &str) -> Result<Tensor> {
        let (entry, bytes) = self.raw(name)?;
        let values = match entry.dtype.as_str() {
            "F32" => bytes
                .chunks_exact(4)
                .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
                .collect(),
            "F16" => bytes
                .chunks_exact(2)
                .map(|chunk| f16_to_f32(u16::from_le_bytes([chunk[0], chunk[1]])))
                .collect(),
            // bfloat16 is the upper half of an f32.
            _ => bytes
                .chunks_exact(2)
                .map(|chunk| f32::from_bits(u32::from(u16::from_le_bytes([chunk[0], chunk[1]])) << 16))
                .collect(),
        };
        Ok(Tensor {
            shape: entry.shape.clone(),
            values,
        })
    }

    /// The shape and raw half-precision values of `name` when it is stored as `F16`, so that a
    /// large table (a multilingual vocabulary's embeddings) can stay at half the memory; `None`
    /// for other types, which [`SafeTensors::tensor`] decodes.
    pub fn tensor_f16(&self, name: &str) -> Result<Option<(Vec<usize>, Vec<half::f16>)>> {
        let (entry, bytes) = self.raw(name)?;
        if entry.dtype != "F16" {
            return Ok(None);
        }
        let values = bytes
            .chunks_exact(2)
            .map(|chunk| half::f16::from_bits(u16::from_le_bytes([chunk[0], chunk[1]])))
            .collect();
        Ok(Some((entry.shape.clone(), values)))
    }

    /// The header entry of `name` and its bytes, checked to hold exactly its shape's values of
    /// its type (F32, F16 or BF16).
    fn raw(&self, name: &str) -> Result<(&HeaderEntry, &'bytes [u8])> {
        let entry = self
            .entries
            .get(name)
            .ok_or_else(|| Error::MissingTensor(name.to_owned()))?;
        let count = entry
            .shape
            .iter()
            .try_fold(1usize, |product, dimension| product.checked_mul(*dimension))
            .ok_or_else(|| Error::malformed(FILE, format!("tensor {name}: shape overflows")))?;
        let [begin, end] = entry.data_offsets;
        let bytes = self.data.get(begin..end).unwrap_or_default();
        let width = match entry.dtype.as_str() {
            "F32" => 4,
            "F16" | "BF16" => 2,
            other => return Err(Error::Unsupported(format!("tensor {name} has dtype {other}"))),
        };
        if count.checked_mul(width) != Some(bytes.len()) {
            return Err(Error::malformed(
                FILE,
                format!(
                    "tensor {name}: {} bytes for {count} values of {}",
                    bytes.len(),
                    entry.dtype
                ),
            ));
        }
        Ok((entry, bytes))
    }
}

/// IEEE 754 half precision to single precision, including subnormals, infinities and NaN.
fn f16_to_f32(bits: u16) -> f32 {
    half::f16::from_bits(bits).to_f32()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a safetensors buffer from `(name, dtype, shape, raw bytes)`.
    pub(crate) fn build(tensors: &[(&str, &str, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        header.insert("__metadata__".into(), serde_json::json!({"format": "pt"}));
        let mut data = Vec::new();
        for (name, dtype, shape, bytes) in tensors {
            let begin = data.len();
            data.extend_from_slice(bytes);
            header.insert(
                (*name).into(),
                serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [begin, data.len()]}),
            );
        }
        let header = serde_json::to_vec(&header).unwrap();
        let mut file = (header.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(&header);
        file.extend_from_slice(&data);
        file
    }

    fn f32_bytes(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|value| value.to_le_bytes()).collect()
    }

    #[test]
    fn f32_f16_and_bf16_tensors_decode_to_the_same_values() {
        let file = build(&[
            ("a", "F32", vec![2, 2], f32_bytes(&[1.0, -2.5, 0.0, 65504.0])),
            // 1.0, -2.5, 0.0, 65504.0 in half precision.
            (
                "b",
                "F16",
                vec![4],
                [0x3c00u16, 0xc100, 0x0000, 0x7bff]
                    .iter()
                    .flat_map(|h| h.to_le_bytes())
                    .collect(),
            ),
            (
                "c",
                "BF16",
                vec![4],
                [0x3f80u16, 0xc020, 0x0000, 0x477f]
                    .iter()
                    .flat_map(|h| h.to_le_bytes())
                    .collect(),
            ),
        ]);
        let tensors = SafeTensors::parse(&file).unwrap();
        let a = tensors.tensor("a").unwrap();
        assert_eq!(a.shape, [2, 2]);
        assert_eq!(a.values, [1.0, -2.5, 0.0, 65504.0]);
        assert_eq!(tensors.tensor("b").unwrap().values, [1.0, -2.5, 0.0, 65504.0]);
        assert_eq!(tensors.tensor("c").unwrap().values, [1.0, -2.5, 0.0, 65280.0]);
        assert!(!tensors.contains("__metadata__"));
    }

    #[test]
    fn half_precision_special_values_convert_exactly() {
        let cases: &[(u16, f32)] = &[
            (0x0001, 5.960_464_5e-8),
            (0x8400, -6.103_515_6e-5),
            (0x7c00, f32::INFINITY),
        ];
        for (half, expected) in cases {
            assert_eq!(f16_to_f32(*half), *expected, "{half:#06x}");
        }
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn truncated_and_inconsistent_files_are_malformed_not_panics() {
        let good = build(&[("a", "F32", vec![2], f32_bytes(&[1.0, 2.0]))]);
        for cut in [0, 4, 8, 20, good.len() - 1] {
            let result = SafeTensors::parse(&good[..cut]).and_then(|tensors| tensors.tensor("a"));
            assert!(
                matches!(result, Err(Error::Malformed { .. })),
                "cut at {cut}: {result:?}"
            );
        }
        let wrong_shape = build(&[("a", "F32", vec![3], f32_bytes(&[1.0, 2.0]))]);
        let tensors = SafeTensors::parse(&wrong_shape).unwrap();
        assert!(matches!(tensors.tensor("a"), Err(Error::Malformed { .. })));
        let overflow = build(&[("a", "F32", vec![usize::MAX, 2], vec![])]);
        assert!(matches!(
            SafeTensors::parse(&overflow).unwrap().tensor("a"),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn unknown_dtypes_and_names_are_reported() {
        let file = build(&[("ids", "I64", vec![1], 7i64.to_le_bytes().to_vec())]);
        let tensors = SafeTensors::parse(&file).unwrap();
        assert!(matches!(tensors.tensor("ids"), Err(Error::Unsupported(_))));
        assert!(matches!(tensors.tensor("nope"), Err(Error::MissingTensor(_))));
    }
}

//! A reader for GGUF, llama.cpp's model file: a header of typed metadata (hyperparameters,
//! tokenizer, chat template), a table of tensors (name, dimensions, type, offset), then the
//! tensor data, aligned to `general.alignment` bytes (32 when absent).
//!
//! Versions 2 and 3 are read (they differ only in what writers may put in them; version 1 used
//! 32-bit counts and is refused). Every length, count and offset is checked against the file
//! before it is used, so a truncated or hostile file gives [`LlmError::Format`], never a panic,
//! an over-read or an allocation the file's size does not justify. Tensor types other than those
//! in [`TensorType`] give [`LlmError::Unsupported`].

use std::collections::HashMap;

use crate::quant::{TensorType, dequantize};
use crate::{LlmError, Result};

/// `GGUF` in the file's first four bytes.
const MAGIC: &[u8; 4] = b"GGUF";
/// Alignment of the tensor data when `general.alignment` is absent.
const DEFAULT_ALIGNMENT: usize = 32;
/// Arrays nest at most this deep; real files never nest at all.
const MAX_NESTING: usize = 4;
/// Tensors have at most this many dimensions (ggml's `GGML_MAX_DIMS`).
const MAX_DIMENSIONS: usize = 4;

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    String(String),
    Array(Vec<Value>),
}

impl Value {
    /// The value as an unsigned integer, if it is a non-negative integer of any width.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(value) => Some(value.into()),
            Value::U16(value) => Some(value.into()),
            Value::U32(value) => Some(value.into()),
            Value::U64(value) => Some(value),
            Value::I8(value) => u64::try_from(value).ok(),
            Value::I16(value) => u64::try_from(value).ok(),
            Value::I32(value) => u64::try_from(value).ok(),
            Value::I64(value) => u64::try_from(value).ok(),
            _ => None,
        }
    }

    /// The value as a signed integer, if it is an integer that fits.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::I8(value) => Some(value.into()),
            Value::I16(value) => Some(value.into()),
            Value::I32(value) => Some(value.into()),
            Value::I64(value) => Some(value),
            _ => self.as_u64().and_then(|value| i64::try_from(value).ok()),
        }
    }

    /// The value as a float, if it is a float.
    pub(crate) fn as_f32(&self) -> Option<f32> {
        match *self {
            Value::F32(value) => Some(value),
            Value::F64(value) => Some(value as f32),
            _ => None,
        }
    }
}

/// Where a tensor's data lies in the file and how to read it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TensorInfo {
    /// Dimensions as GGUF lists them: `dimensions[0]` is the contiguous one.
    pub(crate) dimensions: Vec<usize>,
    /// Element type.
    pub(crate) kind: TensorType,
    /// Absolute byte range of the data in the file, checked to lie inside it.
    start: usize,
    end: usize,
}

/// A parsed GGUF file, holding the file's bytes until the model has taken its tensors.
#[derive(Debug)]
pub(crate) struct Gguf {
    metadata: HashMap<String, Value>,
    tensors: HashMap<String, TensorInfo>,
    bytes: Vec<u8>,
}

impl Gguf {
    /// Parses the header and tensor table of `bytes` and checks every tensor's data range.
    pub(crate) fn parse(bytes: Vec<u8>) -> Result<Gguf> {
        let mut cursor = Cursor {
            bytes: &bytes,
            position: 0,
        };
        if cursor.take(4, "the magic number")? != MAGIC {
            return Err(LlmError::format("not a GGUF file (wrong magic number)"));
        }
        let version = cursor.u32("the version")?;
        if version != 2 && version != 3 {
            return Err(LlmError::Unsupported(format!("GGUF version {version}")));
        }
        let tensor_count = cursor.count("the tensor count", 8)?;
        let metadata_count = cursor.count("the metadata count", 12)?;
        let mut metadata = HashMap::new();
        for _ in 0..metadata_count {
            let key = cursor.string("a metadata key")?;
            let kind = cursor.u32("a metadata type")?;
            let value = cursor.value(kind, 0).map_err(|error| match error {
                LlmError::Format(reason) => LlmError::Format(format!("metadata {key}: {reason}")),
                other => other,
            })?;
            metadata.insert(key, value);
        }
        let mut table = Vec::new();
        for _ in 0..tensor_count {
            let name = cursor.string("a tensor name")?;
            let dimension_count = cursor.u32("a tensor's dimension count")? as usize;
            if dimension_count == 0 || dimension_count > MAX_DIMENSIONS {
                return Err(LlmError::format(format!(
                    "tensor {name} has {dimension_count} dimensions"
                )));
            }
            let mut dimensions = Vec::with_capacity(dimension_count);
            for _ in 0..dimension_count {
                let dimension = cursor.u64("a tensor dimension")?;
                let dimension = usize::try_from(dimension)
                    .map_err(|_| LlmError::format(format!("tensor {name} has a dimension of {dimension}")))?;
                dimensions.push(dimension);
            }
            let kind = TensorType::from_ggml(cursor.u32("a tensor type")?)
                .map_err(|kind| LlmError::Unsupported(format!("tensor {name} has type {kind}")))?;
            let offset = cursor.u64("a tensor offset")?;
            table.push((name, dimensions, kind, offset));
        }
        let alignment = match metadata.get("general.alignment") {
            None => DEFAULT_ALIGNMENT,
            Some(value) => value
                .as_u64()
                .and_then(|alignment| usize::try_from(alignment).ok())
                .filter(|alignment| alignment.is_power_of_two())
                .ok_or_else(|| LlmError::format("general.alignment is not a power of two"))?,
        };
        let data_start = cursor.position.next_multiple_of(alignment);
        let mut tensors = HashMap::new();
        for (name, dimensions, kind, offset) in table {
            let elements = dimensions
                .iter()
                .try_fold(1usize, |product, dimension| product.checked_mul(*dimension));
            let size = elements.and_then(|elements| {
                (dimensions[0].is_multiple_of(kind.block_values()))
                    .then(|| kind.byte_size(elements))
                    .flatten()
            });
            let Some(size) = size else {
                return Err(LlmError::format(format!(
                    "tensor {name}: dimensions {dimensions:?} do not fit type {kind:?}"
                )));
            };
            if !offset.is_multiple_of(alignment as u64) {
                return Err(LlmError::format(format!(
                    "tensor {name}: offset {offset} is not aligned"
                )));
            }
            let start = usize::try_from(offset)
                .ok()
                .and_then(|offset| offset.checked_add(data_start));
            let end = start.and_then(|start| start.checked_add(size));
            let (Some(start), Some(end)) = (start, end) else {
                return Err(LlmError::format(format!("tensor {name}: offset {offset} overflows")));
            };
            if end > bytes.len() {
                return Err(LlmError::format(format!(
                    "tensor {name}: data ends at byte {end}, past the end of the file ({} bytes)",
                    bytes.len()
                )));
            }
            let info = TensorInfo {
                dimensions,
                kind,
                start,
                end,
            };
            if tensors.insert(name.clone(), info).is_some() {
                return Err(LlmError::format(format!("tensor {name} appears twice")));
            }
        }
        Ok(Gguf {
            metadata,
            tensors,
            bytes,
        })
    }

    /// The metadata value under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.get(key)
    }

    /// The string under `key`, or a format error naming the key.
    pub(crate) fn string(&self, key: &str) -> Result<&str> {
        match self.get(key) {
            Some(Value::String(value)) => Ok(value),
            Some(_) => Err(LlmError::format(format!("{key} is not a string"))),
            None => Err(LlmError::format(format!("{key} is missing"))),
        }
    }

    /// The non-negative integer under `key` as a `usize`, or a format error naming the key.
    pub(crate) fn usize(&self, key: &str) -> Result<usize> {
        self.get(key)
            .ok_or_else(|| LlmError::format(format!("{key} is missing")))?
            .as_u64()
            .and_then(|value| usize::try_from(value).ok())
            .ok_or_else(|| LlmError::format(format!("{key} is not a non-negative integer")))
    }

    /// The float under `key`, `default` when it is absent.
    pub(crate) fn f32_or(&self, key: &str, default: f32) -> Result<f32> {
        match self.get(key) {
            None => Ok(default),
            Some(value) => value
                .as_f32()
                .ok_or_else(|| LlmError::format(format!("{key} is not a float"))),
        }
    }

    /// The array under `key`, or a format error naming the key.
    pub(crate) fn array(&self, key: &str) -> Result<&[Value]> {
        match self.get(key) {
            Some(Value::Array(values)) => Ok(values),
            Some(_) => Err(LlmError::format(format!("{key} is not an array"))),
            None => Err(LlmError::format(format!("{key} is missing"))),
        }
    }

    /// The tensor table entry for `name`.
    pub(crate) fn tensor_info(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.get(name)
    }

    /// Tensor `name` converted to `f32`, after checking that its dimensions are `expected`
    /// (GGUF order, contiguous dimension first).
    pub(crate) fn tensor(&self, name: &str, expected: &[usize]) -> Result<Vec<f32>> {
        let info = self
            .tensor_info(name)
            .ok_or_else(|| LlmError::format(format!("tensor {name} is missing")))?;
        if info.dimensions != expected {
            return Err(LlmError::format(format!(
                "tensor {name} has dimensions {:?}, expected {expected:?}",
                info.dimensions
            )));
        }
        let elements: usize = expected.iter().product();
        let mut values = vec![0.0; elements];
        dequantize(
            info.kind,
            self.bytes.get(info.start..info.end).unwrap_or_default(),
            &mut values,
        );
        Ok(values)
    }
}

/// Reads little-endian values from the header, failing with a format error at the end.
struct Cursor<'bytes> {
    bytes: &'bytes [u8],
    position: usize,
}

impl<'bytes> Cursor<'bytes> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn take(&mut self, length: usize, what: &str) -> Result<&'bytes [u8]> {
        if length > self.remaining() {
            return Err(LlmError::format(format!(
                "truncated header: {what} at byte {} runs past the end of the file",
                self.position
            )));
        }
        let taken = &self.bytes[self.position..self.position + length];
        self.position += length;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N, what)?);
        Ok(array)
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A count of items that take at least `item_bytes` bytes each: refused when the rest of
    /// the file could not hold them, so that no allocation is sized by a hostile number.
    fn count(&mut self, what: &str, item_bytes: usize) -> Result<usize> {
        let count = self.u64(what)?;
        match usize::try_from(count) {
            Ok(count) if count.saturating_mul(item_bytes) <= self.remaining() => Ok(count),
            _ => Err(LlmError::format(format!(
                "{what} ({count}) exceeds what the file can hold"
            ))),
        }
    }

    fn string(&mut self, what: &str) -> Result<String> {
        let length = self.count(what, 1)?;
        let bytes = self.take(length, what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| LlmError::format(format!("{what} at byte {} is not UTF-8", self.position - length)))
    }

    /// A value of GGUF type `kind`; arrays recurse up to [`MAX_NESTING`] levels.
    fn value(&mut self, kind: u32, depth: usize) -> Result<Value> {
        Ok(match kind {
            0 => Value::U8(u8::from_le_bytes(self.array("a u8")?)),
            1 => Value::I8(i8::from_le_bytes(self.array("an i8")?)),
            2 => Value::U16(u16::from_le_bytes(self.array("a u16")?)),
            3 => Value::I16(i16::from_le_bytes(self.array("an i16")?)),
            4 => Value::U32(self.u32("a u32")?),
            5 => Value::I32(i32::from_le_bytes(self.array("an i32")?)),
            6 => Value::F32(f32::from_le_bytes(self.array("an f32")?)),
            7 => match self.array::<1>("a bool")? {
                [0] => Value::Bool(false),
                [1] => Value::Bool(true),
                [other] => return Err(LlmError::format(format!("bool value {other}"))),
            },
            8 => Value::String(self.string("a string")?),
            9 => {
                if depth >= MAX_NESTING {
                    return Err(LlmError::format("arrays nested too deeply"));
                }
                let item_kind = self.u32("an array's item type")?;
                // Every item takes at least one byte (an empty string takes eight).
                let count = self.count("an array's length", 1)?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.value(item_kind, depth + 1)?);
                }
                Value::Array(items)
            }
            10 => Value::U64(self.u64("a u64")?),
            11 => Value::I64(i64::from_le_bytes(self.array("an i64")?)),
            12 => Value::F64(f64::from_le_bytes(self.array("an f64")?)),
            other => return Err(LlmError::format(format!("unknown value type {other}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_model::GgufWriter;

    fn small_file() -> Vec<u8> {
        let mut writer = GgufWriter::new();
        writer.metadata("general.name", Value::String("small".into()));
        writer.metadata("count", Value::U32(7));
        writer.metadata(
            "list",
            Value::Array(vec![Value::String("a".into()), Value::String("bc".into())]),
        );
        writer.metadata("flag", Value::Bool(true));
        writer.metadata("scale", Value::F64(0.5));
        writer.metadata("negative", Value::I8(-3));
        writer.tensor_f32("weights", &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        writer.tensor_f32("norm", &[3], &[0.5, 0.25, 0.125]);
        writer.finish()
    }

    fn format_error(bytes: Vec<u8>) -> String {
        match Gguf::parse(bytes) {
            Err(LlmError::Format(reason)) => reason,
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    #[test]
    fn metadata_of_every_kind_and_tensors_read_back() {
        let file = Gguf::parse(small_file()).unwrap();
        assert_eq!(file.string("general.name").unwrap(), "small");
        assert_eq!(file.usize("count").unwrap(), 7);
        assert_eq!(file.array("list").unwrap().len(), 2);
        assert_eq!(file.get("flag"), Some(&Value::Bool(true)));
        assert_eq!(file.f32_or("scale", 1.0).unwrap(), 0.5);
        assert_eq!(file.f32_or("absent", 1.0).unwrap(), 1.0);
        assert_eq!(file.get("negative").and_then(Value::as_i64), Some(-3));
        assert!(file.usize("negative").is_err());
        assert_eq!(file.tensor("weights", &[2, 3]).unwrap(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(file.tensor("norm", &[3]).unwrap(), [0.5, 0.25, 0.125]);
        assert!(matches!(file.tensor("norm", &[4]), Err(LlmError::Format(_))));
        assert!(matches!(file.tensor("absent", &[3]), Err(LlmError::Format(_))));
    }

    #[test]
    fn a_wrong_magic_number_is_a_format_error() {
        let mut bytes = small_file();
        bytes[0] = b'X';
        assert!(format_error(bytes).contains("magic"));
        assert!(format_error(Vec::new()).contains("truncated"));
    }

    #[test]
    fn every_truncation_of_the_file_is_a_format_error() {
        let bytes = small_file();
        for length in 0..bytes.len() {
            format_error(bytes[..length].to_vec());
        }
    }

    #[test]
    fn tensor_data_past_the_end_of_the_file_is_a_format_error() {
        let mut bytes = small_file();
        bytes.truncate(bytes.len() - 4);
        assert!(format_error(bytes).contains("past the end"));
    }

    #[test]
    fn unknown_tensor_types_and_versions_are_unsupported() {
        let mut writer = GgufWriter::new();
        writer.raw_tensor("weights", &[32], 12, &[0; 144]);
        assert!(matches!(
            Gguf::parse(writer.finish()),
            Err(LlmError::Unsupported(reason)) if reason.contains("Q4_K")
        ));
        let mut bytes = small_file();
        bytes[4] = 1;
        assert!(matches!(Gguf::parse(bytes), Err(LlmError::Unsupported(_))));
    }

    #[test]
    fn hostile_counts_and_shapes_are_format_errors_not_allocations() {
        // A metadata count far beyond the file's size.
        let mut bytes = small_file();
        bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        format_error(bytes);
        // Q4_1 needs whole blocks of 32 along the contiguous dimension.
        let mut writer = GgufWriter::new();
        writer.raw_tensor("weights", &[16, 2], 3, &[0; 20]);
        format_error(writer.finish());
        // Dimensions whose product overflows.
        let mut writer = GgufWriter::new();
        writer.raw_tensor("weights", &[1 << 40, 1 << 40], 0, &[]);
        format_error(writer.finish());
        // An unknown metadata value type.
        let mut writer = GgufWriter::new();
        writer.raw_metadata("odd", 99, &[]);
        assert!(format_error(writer.finish()).contains("odd"));
    }
}

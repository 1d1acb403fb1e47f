//! The ggml tensor types this crate reads, and their conversion to `f32`.
//!
//! Supported: F32, F16, Q8_0 and Q4_1, which covers SmolLM2's Q4_1 files (token embedding in
//! Q8_0, norms in F32, every other weight in Q4_1). Quantized types store blocks of 32 values
//! along the tensor's contiguous dimension:
//! - Q8_0: an f16 scale `d` and 32 signed bytes `q`; value = `d * q`.
//! - Q4_1: an f16 scale `d`, an f16 minimum `m` and 16 bytes of nibbles; value = `d * q + m`.
//!   The low nibble of byte `j` is element `j`, the high nibble element `j + 16`.
//!
//! Weights are converted once, at load, so the forward pass runs on plain `f32` matrices: the
//! matrix products then use `loket-linalg`'s SIMD kernel, and a matrix-vector product over
//! `f32` rows is limited by memory bandwidth rather than by unpacking nibbles (measured on this
//! project's 2-core AVX2 machine, without `-C target-cpu`: 20 ms for all 134 M weights as `f32`,
//! 80 ms unpacking Q4_1 on the fly).

/// A tensor element type, as numbered by ggml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TensorType {
    F32,
    F16,
    Q4_1,
    Q8_0,
}

/// Values per Q4_1 or Q8_0 block.
const BLOCK_VALUES: usize = 32;

impl TensorType {
    /// The supported type with ggml number `id`, or the type's name for an error message.
    pub(crate) fn from_ggml(id: u32) -> Result<TensorType, String> {
        match id {
            0 => Ok(TensorType::F32),
            1 => Ok(TensorType::F16),
            3 => Ok(TensorType::Q4_1),
            8 => Ok(TensorType::Q8_0),
            other => Err(ggml_type_name(other)),
        }
    }

    /// Elements per block: the contiguous dimension must be a multiple of it.
    pub(crate) fn block_values(self) -> usize {
        match self {
            TensorType::F32 | TensorType::F16 => 1,
            TensorType::Q4_1 | TensorType::Q8_0 => BLOCK_VALUES,
        }
    }

    /// Bytes per block.
    fn block_bytes(self) -> usize {
        match self {
            TensorType::F32 => 4,
            TensorType::F16 => 2,
            TensorType::Q4_1 => 20,
            TensorType::Q8_0 => 34,
        }
    }

    /// Bytes taken by `values` elements, or `None` when `values` is not a whole number of blocks
    /// or the size overflows.
    pub(crate) fn byte_size(self, values: usize) -> Option<usize> {
        if !values.is_multiple_of(self.block_values()) {
            return None;
        }
        (values / self.block_values()).checked_mul(self.block_bytes())
    }
}

/// Converts `bytes`, holding exactly `output.len()` values of type `kind`, to `f32`. The caller
/// has checked the length with [`TensorType::byte_size`]; should it not match, the values that
/// fit are written and the rest left alone rather than panicking.
pub(crate) fn dequantize(kind: TensorType, bytes: &[u8], output: &mut [f32]) {
    match kind {
        TensorType::F32 => {
            for (value, chunk) in output.iter_mut().zip(bytes.chunks_exact(4)) {
                *value = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
        }
        TensorType::F16 => {
            for (value, chunk) in output.iter_mut().zip(bytes.chunks_exact(2)) {
                *value = f16_to_f32(u16::from_le_bytes([chunk[0], chunk[1]]));
            }
        }
        TensorType::Q4_1 => {
            for (values, block) in output.chunks_exact_mut(BLOCK_VALUES).zip(bytes.chunks_exact(20)) {
                let scale = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
                let minimum = f16_to_f32(u16::from_le_bytes([block[2], block[3]]));
                let (low, high) = values.split_at_mut(BLOCK_VALUES / 2);
                for ((byte, low), high) in block[4..].iter().zip(low).zip(high) {
                    *low = scale * f32::from(byte & 0x0f) + minimum;
                    *high = scale * f32::from(byte >> 4) + minimum;
                }
            }
        }
        TensorType::Q8_0 => {
            for (values, block) in output.chunks_exact_mut(BLOCK_VALUES).zip(bytes.chunks_exact(34)) {
                let scale = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
                for (value, byte) in values.iter_mut().zip(&block[2..]) {
                    *value = scale * f32::from(i8::from_le_bytes([*byte]));
                }
            }
        }
    }
}

/// IEEE 754 half precision to single precision, including subnormals, infinities and NaN.
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    half::f16::from_bits(bits).to_f32()
}

/// The name ggml gives type `id`, for messages about types this crate does not read.
fn ggml_type_name(id: u32) -> String {
    let name = match id {
        2 => "Q4_0",
        6 => "Q5_0",
        7 => "Q5_1",
        9 => "Q8_1",
        10 => "Q2_K",
        11 => "Q3_K",
        12 => "Q4_K",
        13 => "Q5_K",
        14 => "Q6_K",
        15 => "Q8_K",
        16..=23 | 29 => "an IQ type",
        24 => "I8",
        25 => "I16",
        26 => "I32",
        27 => "I64",
        28 => "F64",
        30 => "BF16",
        34 | 35 => "a ternary type",
        39 => "MXFP4",
        _ => "an unknown type",
    };
    format!("{name} (ggml type {id})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn half_bytes(half: u16) -> [u8; 2] {
        half.to_le_bytes()
    }

    #[test]
    fn half_precision_converts_exactly_including_special_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc100), -2.5);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn q4_1_puts_low_nibbles_first_and_adds_the_minimum() {
        // d = 0.5, m = -1.0; byte j holds j (low) and 15 - j (high).
        let mut block = Vec::new();
        block.extend(half_bytes(0x3800));
        block.extend(half_bytes(0xbc00));
        block.extend((0u8..16).map(|j| j | ((15 - j) << 4)));
        let mut values = [0.0; 32];
        dequantize(TensorType::Q4_1, &block, &mut values);
        for j in 0..16 {
            assert_eq!(values[j], 0.5 * j as f32 - 1.0);
            assert_eq!(values[j + 16], 0.5 * (15 - j) as f32 - 1.0);
        }
    }

    #[test]
    fn q8_0_scales_signed_bytes() {
        let mut block = half_bytes(0x3400).to_vec(); // d = 0.25
        block.extend((0..32).map(|j: i8| (j * 4 - 64).to_le_bytes()[0]));
        let mut values = [0.0; 32];
        dequantize(TensorType::Q8_0, &block, &mut values);
        for (j, value) in values.iter().enumerate() {
            assert_eq!(*value, 0.25 * (j as f32 * 4.0 - 64.0));
        }
    }

    #[test]
    fn sizes_need_whole_blocks_and_other_types_are_named() {
        assert_eq!(TensorType::Q4_1.byte_size(64), Some(40));
        assert_eq!(TensorType::Q8_0.byte_size(32), Some(34));
        assert_eq!(TensorType::F16.byte_size(3), Some(6));
        assert_eq!(TensorType::Q4_1.byte_size(33), None);
        assert_eq!(TensorType::F32.byte_size(usize::MAX), None);
        assert_eq!(TensorType::from_ggml(12), Err("Q4_K (ggml type 12)".to_owned()));
        assert_eq!(
            TensorType::from_ggml(1000),
            Err("an unknown type (ggml type 1000)".to_owned())
        );
    }
}

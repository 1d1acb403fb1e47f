//! Sentence vectors from token vectors: the mean over a sentence's real tokens (the encoder never
//! computes padding, so every row counts), scaled to unit length so that a dot product is the
//! cosine similarity.

use std::ops::Range;

use ndarray::{Array2, Axis, Slice};

/// The L2-normalised mean of the rows in `range` of `states`. An empty range gives a zero
/// vector, which has cosine 0 with everything.
pub fn mean_pool(states: &Array2<f32>, range: Range<usize>) -> Vec<f32> {
    let end = range.end.min(states.nrows());
    let start = range.start.min(end);
    if start == end {
        return vec![0.0; states.ncols()];
    }
    let mean = states.slice_axis(Axis(0), Slice::from(start..end)).mean_axis(Axis(0));
    let mut vector = mean.map_or_else(|| vec![0.0; states.ncols()], |mean| mean.to_vec());
    normalise(&mut vector);
    vector
}

/// Scales `vector` to unit length in place; a zero vector stays zero.
pub fn normalise(vector: &mut [f32]) {
    let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
    if norm > 0.0 {
        for value in vector.iter_mut() {
            *value /= norm;
        }
    }
}

/// The dot product; for vectors from [`mean_pool`] that is their cosine similarity.
pub fn dot(left: &[f32], right: &[f32]) -> f32 {
    left.iter().zip(right).map(|(a, b)| a * b).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pooling_averages_only_the_sentence_rows_and_normalises() {
        let states = Array2::from_shape_vec((3, 2), vec![3.0, 0.0, 1.0, 4.0, 100.0, 100.0]).unwrap();
        let pooled = mean_pool(&states, 0..2);
        // Mean (2, 2), normalised to (1/√2, 1/√2); the third row belongs to another sentence.
        assert!((pooled[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!((pooled[1] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!((dot(&pooled, &pooled) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn empty_or_out_of_bounds_ranges_give_zero_vectors() {
        let states = Array2::from_shape_vec((1, 2), vec![1.0, 1.0]).unwrap();
        assert_eq!(mean_pool(&states, 1..1), [0.0, 0.0]);
        assert_eq!(mean_pool(&states, 5..9), [0.0, 0.0]);
        let mut zero = vec![0.0, 0.0];
        normalise(&mut zero);
        assert_eq!(zero, [0.0, 0.0]);
    }
}

//! The packed kernel against `ndarray`'s product (`matrixmultiply`) on the shapes Loket runs:
//! all-MiniLM-L6-v2's layers for one 16-token question and for a 512-token import batch, and
//! SmolLM2-135M's projections for a 389-token prompt and for one decoded token. Both compute
//! `output += input · weight` from the same values; the weight's packing is done before timing,
//! as it is at load.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use loket_linalg::PackedWeight;
use ndarray::Array2;
use ndarray::linalg::general_mat_mul;

/// (what, rows, inputs, outputs)
const SHAPES: &[(&str, usize, usize, usize)] = &[
    ("encoder question: query-key-value", 16, 384, 1152),
    ("encoder question: feed-forward down", 16, 1536, 384),
    ("encoder batch: feed-forward up", 512, 384, 1536),
    ("model prompt: feed-forward up", 389, 576, 1536),
    ("model token: feed-forward down", 1, 1536, 576),
];

fn matrix(rows: usize, columns: usize, seed: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, columns), |(row, column)| {
        ((row * 31 + column * 17 + seed) % 23) as f32 / 23.0 - 0.5
    })
}

fn products(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("product");
    for &(what, rows, inputs, outputs) in SHAPES {
        let input = matrix(rows, inputs, 1);
        let weight = matrix(inputs, outputs, 2);
        let packed = PackedWeight::pack(weight.view());
        let mut output = Array2::<f32>::zeros((rows, outputs));
        group.throughput(Throughput::Elements((2 * rows * inputs * outputs) as u64));
        group.bench_function(BenchmarkId::new("packed", what), |bencher| {
            bencher.iter(|| {
                packed.multiply_add(input.view(), &mut output);
                black_box(&output);
            })
        });
        group.bench_function(BenchmarkId::new("matrixmultiply", what), |bencher| {
            bencher.iter(|| {
                general_mat_mul(1.0, &input, &weight, 1.0, &mut output);
                black_box(&output);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, products);
criterion_main!(benches);

//! Encoding time per query and sentences per second in batches (of distinct sentences). Needs a model directory in
//! `LOKET_TEST_ENCODER_DIR`; without one there is nothing to measure and the bench says so.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use loket_embed::Encoder;

const QUERIES: &[&str] = &[
    "How do I reset my PIN?",
    "My card payment was declined at the supermarket, what should I do?",
    "top up failed",
    "Can I get a refund for an item I returned last week?",
];

fn encode(criterion: &mut Criterion) {
    let Some(directory) = std::env::var_os("LOKET_TEST_ENCODER_DIR").map(PathBuf::from) else {
        eprintln!("LOKET_TEST_ENCODER_DIR is not set: encoder benchmarks skipped");
        return;
    };
    let encoder = match Encoder::load(&directory) {
        Ok(encoder) => encoder,
        Err(error) => {
            eprintln!("cannot load the encoder: {error}");
            return;
        }
    };
    criterion.bench_function("encode one query", |bencher| {
        let mut next = 0;
        bencher.iter(|| {
            next = (next + 1) % QUERIES.len();
            black_box(encoder.encode(QUERIES[next]))
        })
    });
    // Distinct questions: `encode_batch` encodes identical texts once, which would flatter it.
    let batch: Vec<String> = (0..64)
        .map(|number| {
            format!(
                "{} (question {number} about order {})",
                QUERIES[number % QUERIES.len()],
                number * 7
            )
        })
        .collect();
    let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
    let tokens: usize = batch.iter().map(|text| encoder.tokenize(text).len()).sum();
    eprintln!("the batch holds {} distinct questions, {tokens} tokens", batch.len());
    criterion.bench_function("encode a batch of 64 questions", |bencher| {
        bencher.iter(|| black_box(encoder.encode_batch(&batch)))
    });
}

criterion_group!(benches, encode);
criterion_main!(benches);

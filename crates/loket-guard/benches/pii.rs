//! Throughput and tail latency of the PII scanner over 10,000 chat messages (issue 5 target:
//! ≥ 50,000 messages/s on one core with every recognizer on, p99 ≤ 200 µs per message).
//!
//! The messages are the crate's seeded samples ([`loket_guard::sample`]), the same ones
//! `loket bench guards` and bench/presidio measure, so the benchmark needs no files. Before criterion runs, every message is also timed on its
//! own once to print the p50/p99/max latency, which criterion does not report per element.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_guard::pii::{Lang, PiiScanner, Placeholders, Policy, pseudonymise};
use loket_guard::sample;

const MESSAGES: usize = 10_000;

fn report_latency(scanner: &PiiScanner, messages: &[String]) {
    let mut durations: Vec<Duration> = Vec::with_capacity(messages.len());
    let started = Instant::now();
    for message in messages {
        let start = Instant::now();
        black_box(scanner.scan(black_box(message), Lang::Auto));
        durations.push(start.elapsed());
    }
    let total = started.elapsed();
    durations.sort();
    let percentile = |fraction: f64| {
        let index = ((durations.len() as f64 - 1.0) * fraction).round() as usize;
        durations.get(index).copied().unwrap_or_default()
    };
    println!(
        "pii scan, {} messages one at a time: {:.0} messages/s, p50 {:?}, p99 {:?}, max {:?}",
        messages.len(),
        messages.len() as f64 / total.as_secs_f64(),
        percentile(0.50),
        percentile(0.99),
        percentile(1.0),
    );
}

fn bench(criterion: &mut Criterion) {
    let scanner = PiiScanner::new();
    let messages = sample::generate(sample::SEED, MESSAGES);
    // Warm up once, then report per-message latency.
    for message in messages.iter().take(1000) {
        black_box(scanner.scan(message, Lang::Auto));
    }
    report_latency(&scanner, &messages);

    let mut group = criterion.benchmark_group("pii");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.sample_size(10);
    group.bench_function("scan_10k_messages", |bencher| {
        bencher.iter(|| {
            for message in &messages {
                black_box(scanner.scan(black_box(message), Lang::Auto));
            }
        })
    });
    group.bench_function("scan_and_pseudonymise_10k_messages", |bencher| {
        bencher.iter(|| {
            let policy = Policy::default();
            for message in &messages {
                let entities = scanner.scan(message, Lang::Auto);
                let mut placeholders = Placeholders::new();
                black_box(pseudonymise(message, &entities, &mut placeholders, &policy));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

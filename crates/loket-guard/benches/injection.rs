//! Throughput and tail latency of the prompt-injection detector (issue 6 target: ≥ 10,000
//! messages/s on one core through normalisation, rules and classifier; p99 ≤ 2 ms).
//!
//! The messages are the in-repository fixture (`corpus/injection/fixture.txt`: Dutch and
//! English attacks, obfuscated and encoded ones, and ordinary customer messages) plus longer
//! customer messages built from it, so the benchmark needs no files outside the crate. Before
//! criterion runs, every message is timed on its own to print p50/p99/max latency.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_guard::injection::InjectionDetector;

const FIXTURE: &str = include_str!("../corpus/injection/fixture.txt");
const MESSAGES: usize = 10_000;

/// 10,000 messages: the fixture lines in turn, every fourth one lengthened to a paragraph
/// (several customer sentences around it) as real complaints are.
fn messages() -> Vec<String> {
    let lines: Vec<&str> = FIXTURE
        .lines()
        .filter_map(|line| line.get(2..).filter(|_| !line.starts_with('#')))
        .collect();
    (0..MESSAGES)
        .map(|index| {
            let line = lines[index % lines.len()];
            if index % 4 == 0 {
                let before = lines[(index * 7 + 3) % lines.len()];
                let after = lines[(index * 13 + 5) % lines.len()];
                format!("{before} {line}\n\n{after} Alvast bedankt voor de moeite, met vriendelijke groet.")
            } else {
                line.to_string()
            }
        })
        .collect()
}

fn print_latency(detector: &InjectionDetector, messages: &[String]) {
    let mut timings: Vec<Duration> = Vec::with_capacity(messages.len());
    let started = Instant::now();
    for message in messages {
        let begin = Instant::now();
        black_box(detector.inspect(black_box(message)));
        timings.push(begin.elapsed());
    }
    let total = started.elapsed();
    timings.sort_unstable();
    let at = |quantile: f64| timings[((timings.len() - 1) as f64 * quantile) as usize];
    println!(
        "injection detector: {} messages in {:.1} ms = {:.0} messages/s; p50 {:?}, p99 {:?}, max {:?}",
        messages.len(),
        total.as_secs_f64() * 1e3,
        messages.len() as f64 / total.as_secs_f64(),
        at(0.50),
        at(0.99),
        at(1.0),
    );
}

fn bench(criterion: &mut Criterion) {
    let detector = InjectionDetector::new();
    let messages = messages();
    // Warm up once so lazily built regex caches do not count against the first messages.
    for message in &messages {
        black_box(detector.inspect(message));
    }
    print_latency(&detector, &messages);

    let mut group = criterion.benchmark_group("injection");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.sample_size(10);
    group.bench_function("inspect 10k messages", |bencher| {
        bencher.iter(|| {
            for message in &messages {
                black_box(detector.inspect(black_box(message)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

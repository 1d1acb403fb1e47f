//! What the intent detector costs per customer message: the routing intents alone
//! (`IntentDetector::classify`) and together with the withdrawal-statement rules
//! (`IntentDetector::classify_message`, what the chat runs; REQUIREMENTS ACC-04), over the
//! committed corpora of person requests, ordinary messages, bot-identity questions and
//! withdrawal statements and questions, so the benchmark needs no files outside the crate.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_guard::intent::IntentDetector;

const CORPORA: [&str; 6] = [
    include_str!("../corpus/human-requests.txt"),
    include_str!("../corpus/not-human-requests.txt"),
    include_str!("../corpus/bot-identity-questions.txt"),
    include_str!("../corpus/withdrawal-statements.txt"),
    include_str!("../corpus/not-withdrawal-statements.txt"),
    include_str!("../corpus/injection/fixture.txt"),
];

fn messages() -> Vec<&'static str> {
    CORPORA
        .iter()
        .flat_map(|corpus| corpus.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

fn bench(criterion: &mut Criterion) {
    let detector = IntentDetector::new();
    let messages = messages();
    let mut group = criterion.benchmark_group("intent");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.bench_function("classify (routing intents)", |bencher| {
        bencher.iter(|| {
            for message in &messages {
                black_box(detector.classify(black_box(message)));
            }
        })
    });
    group.bench_function(
        "classify_message (routing intents and withdrawal statements)",
        |bencher| {
            bencher.iter(|| {
                for message in &messages {
                    black_box(detector.classify_message(black_box(message)));
                }
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

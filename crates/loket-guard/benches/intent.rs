//! What the intent detector costs per customer message: the routing intents alone
//! (`IntentDetector::classify`), the advice rules alone (`IntentDetector::advice_topic`,
//! ACC-10), and everything the chat runs (`IntentDetector::classify_message`: routing intents,
//! withdrawal statements (ACC-04) and advice requests), over the committed corpora of person
//! requests, ordinary messages, bot-identity questions, withdrawal statements and questions,
//! and advice requests and product questions, so the benchmark needs no files outside the crate.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_guard::intent::IntentDetector;

const CORPORA: [&str; 8] = [
    include_str!("../corpus/human-requests.txt"),
    include_str!("../corpus/not-human-requests.txt"),
    include_str!("../corpus/bot-identity-questions.txt"),
    include_str!("../corpus/withdrawal-statements.txt"),
    include_str!("../corpus/not-withdrawal-statements.txt"),
    include_str!("../corpus/injection/fixture.txt"),
    include_str!("../corpus/advice-requests.txt"),
    include_str!("../corpus/not-advice-requests.txt"),
];

fn messages() -> Vec<&'static str> {
    CORPORA
        .iter()
        .flat_map(|corpus| corpus.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        // The advice corpus is `topic<TAB>message`.
        .map(|line| line.split_once('\t').map_or(line, |(_, text)| text))
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
    group.bench_function("advice_topic (advice requests)", |bencher| {
        bencher.iter(|| {
            for message in &messages {
                black_box(detector.advice_topic(black_box(message)));
            }
        })
    });
    group.bench_function(
        "classify_message (routing intents, withdrawal statements, advice requests)",
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

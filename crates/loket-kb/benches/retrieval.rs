//! Retrieval latency and import throughput over 10,000 synthetic FAQ entries.
//!
//! The generator is seeded, so every run measures the same knowledge base. Besides criterion's
//! mean estimates, `answer_p99` prints the 99th percentile of single `answer` calls, which is the
//! number the target (p99 ≤ 2 ms) is about.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_kb::{CustomerScope, KnowledgeBase, Lang, SourceFile, import};

const ENTRIES: usize = 10_000;
const WORDS: &[&str] = &[
    "fiets",
    "fietsen",
    "bestelling",
    "retour",
    "levering",
    "betaling",
    "ideal",
    "creditcard",
    "garantie",
    "accu",
    "band",
    "ketting",
    "rem",
    "helm",
    "slot",
    "zadel",
    "stuur",
    "frame",
    "factuur",
    "adres",
    "account",
    "wachtwoord",
    "korting",
    "cadeaubon",
    "werkplaats",
    "afspraak",
    "onderhoud",
    "reparatie",
    "verzending",
    "pakket",
    "bezorger",
    "winkel",
    "openingstijden",
    "telefoon",
    "email",
    "privacy",
    "gegevens",
    "lease",
    "verzekering",
    "diefstal",
    "elektrisch",
    "kinderfiets",
    "bakfiets",
    "racefiets",
    "mountainbike",
    "lamp",
    "spatbord",
    "bagagedrager",
    "order",
    "return",
    "delivery",
    "payment",
    "warranty",
    "battery",
    "tyre",
    "chain",
    "brake",
];
const FRAMES: &[&str] = &[
    "Hoe kan ik {} {} regelen?",
    "Wat kost {} voor mijn {}?",
    "Waar vind ik {} bij {}?",
    "Kan ik {} en {} combineren?",
    "How do I change the {} of my {}?",
];

/// A tiny deterministic generator (SplitMix64), so the bench needs no extra dependency.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn question(&mut self) -> String {
        let frame = self.pick(FRAMES);
        let first = format!("{} {}", self.pick(WORDS), self.pick(WORDS));
        let second = self.pick(WORDS);
        frame.replacen("{}", &first, 1).replacen("{}", second, 1)
    }
}

fn synthetic_faq(seed: u64) -> (Vec<SourceFile>, Vec<String>) {
    let mut random = Seeded(seed);
    let mut sources = Vec::new();
    let mut jsonl = String::new();
    let mut questions = Vec::new();
    for number in 0..ENTRIES {
        // One file per thousand entries keeps each under the default file-size limit.
        if number > 0 && number % 1000 == 0 {
            sources.push(SourceFile {
                path: format!("synthetic-{}.jsonl", sources.len()),
                bytes: std::mem::take(&mut jsonl).into_bytes(),
            });
        }
        let question = random.question();
        let alternatives: Vec<String> = (0..3).map(|_| random.question()).collect();
        let lang = if number % 2 == 0 { "nl" } else { "en" };
        let line = serde_json::json!({
            "id": format!("entry-{number}"),
            "question": question,
            "alt_questions": alternatives,
            "answer": format!("Antwoord {number}."),
            "lang": lang,
        });
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
        questions.push(random.question());
    }
    sources.push(SourceFile {
        path: format!("synthetic-{}.jsonl", sources.len()),
        bytes: jsonl.into_bytes(),
    });
    (sources, questions)
}

fn bench(criterion: &mut Criterion) {
    let (sources, questions) = synthetic_faq(42);
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), sources.clone(), &mut |_| {}).unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let scope = CustomerScope::anonymous();

    // The percentile the target is stated in; criterion itself reports means.
    let mut durations: Vec<Duration> = questions
        .iter()
        .take(5_000)
        .map(|question| {
            let start = Instant::now();
            std::hint::black_box(kb.answer(question, Lang::Nl, &scope));
            start.elapsed()
        })
        .collect();
    durations.sort();
    let percentile = |p: f64| durations[((durations.len() as f64 * p) as usize).min(durations.len() - 1)];
    println!(
        "answer over {ENTRIES} entries ({} queries): p50 {:?}, p99 {:?}, max {:?}",
        durations.len(),
        percentile(0.50),
        percentile(0.99),
        durations[durations.len() - 1]
    );

    let mut group = criterion.benchmark_group("retrieval");
    let mut index = 0usize;
    group.bench_function("answer_10k_entries", |bencher| {
        bencher.iter(|| {
            index = (index + 1) % questions.len();
            kb.answer(&questions[index], Lang::Nl, &scope)
        })
    });
    group.finish();

    let mut group = criterion.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ENTRIES as u64));
    group.bench_function("import_10k_entries", |bencher| {
        bencher.iter(|| {
            let target = tempfile::tempdir().unwrap();
            import(target.path(), sources.clone(), &mut |_| {}).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

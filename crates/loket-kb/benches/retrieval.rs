//! Retrieval latency and import throughput over 10,000 synthetic FAQ entries.
//!
//! The generator is seeded, so every run measures the same knowledge base. Besides criterion's
//! mean estimates, `answer_p99` prints the 99th percentile of single `answer` calls, which is the
//! number the target (p99 ≤ 2 ms) is about.
//!
//! Hybrid retrieval is measured the same way with 384-dimensional vectors (MiniLM's size) from a
//! seeded stand-in encoder whose query vectors are computed before timing: the brute-force search
//! costs the same whatever the values, and encoding time is reported apart. With
//! `LOKET_TEST_ENCODER_DIR` set, the real encoder's per-query encoding time and the import rate
//! with embeddings are printed as well: a fresh import that encodes every phrasing, the same
//! entries as a plain FAQ (their question alone), and a re-import with a tenth of the entries
//! changed, which reuses the vectors of the rest.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_kb::sample::SplitMix;
use loket_kb::{
    AnswerConfig, CustomerScope, Embedder, ImportLimits, KnowledgeBase, Lang, NoScreen, SourceFile, import,
    import_embedded,
};

/// Entries in the measured knowledge base.
const ENTRIES: usize = 10_000;
/// Entries when `cargo test --all-targets` runs this bench once as a test (no `--bench`
/// argument): enough to exercise every path, small enough for a debug build.
const SMOKE_ENTRIES: usize = 300;

/// True under `cargo bench`; false when the bench runs as a smoke test.
fn measuring() -> bool {
    std::env::args().any(|argument| argument == "--bench")
}

/// How many entries this run uses.
fn entries() -> usize {
    if measuring() { ENTRIES } else { SMOKE_ENTRIES }
}
fn synthetic_faq(seed: u64) -> (Vec<SourceFile>, Vec<String>) {
    let mut random = SplitMix(seed);
    let mut sources = Vec::new();
    let mut jsonl = String::new();
    let mut questions = Vec::new();
    for number in 0..entries() {
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

/// Seeded pseudo-random unit vectors of MiniLM's dimension; query vectors are looked up from a
/// table filled before timing, so the measured time excludes encoding.
struct StandIn {
    precomputed: HashMap<String, Vec<f32>>,
}

const STAND_IN_DIMENSION: usize = 384;

impl StandIn {
    fn vector(text: &str) -> Vec<f32> {
        let seed = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut random = SplitMix(seed);
        let mut vector: Vec<f32> = (0..STAND_IN_DIMENSION)
            .map(|_| (random.next_u64() >> 40) as f32 / (1u64 << 24) as f32 - 0.5)
            .collect();
        let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
        vector.iter_mut().for_each(|value| *value /= norm);
        vector
    }
}

impl Embedder for StandIn {
    fn fingerprint(&self) -> String {
        "stand-in-384".to_owned()
    }
    fn dimension(&self) -> usize {
        STAND_IN_DIMENSION
    }
    fn embed(&self, text: &str) -> Vec<f32> {
        self.precomputed
            .get(text)
            .cloned()
            .unwrap_or_else(|| StandIn::vector(text))
    }
}

fn percentiles(mut durations: Vec<Duration>) -> String {
    durations.sort();
    let percentile = |p: f64| durations[((durations.len() as f64 * p) as usize).min(durations.len() - 1)];
    format!(
        "p50 {:?}, p99 {:?}, max {:?}",
        percentile(0.50),
        percentile(0.99),
        durations[durations.len() - 1]
    )
}

fn bench_dense(sources: &[SourceFile], questions: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let embedder = StandIn {
        precomputed: questions
            .iter()
            .map(|question| (question.clone(), StandIn::vector(question)))
            .collect(),
    };
    let embedder = Arc::new(embedder);
    import_embedded(
        dir.path(),
        sources.to_vec(),
        &ImportLimits::default(),
        &NoScreen,
        Some(embedder.as_ref()),
        &mut |_| {},
    )
    .unwrap();
    let kb = KnowledgeBase::open_with_encoder(dir.path(), AnswerConfig::default(), Some(embedder)).unwrap();
    assert!(kb.dense_enabled());
    let scope = CustomerScope::anonymous();
    let durations: Vec<Duration> = questions
        .iter()
        .take(if measuring() { 5_000 } else { 50 })
        .map(|question| {
            let start = Instant::now();
            std::hint::black_box(kb.answer(question, Lang::Nl, &scope));
            start.elapsed()
        })
        .collect();
    println!(
        "hybrid answer over {} entries, 384-d vectors, encoding excluded ({} queries): {}",
        entries(),
        durations.len(),
        percentiles(durations)
    );

    let Some(directory) = std::env::var_os("LOKET_TEST_ENCODER_DIR") else {
        println!("LOKET_TEST_ENCODER_DIR is not set: real-encoder timings skipped");
        return;
    };
    let encoder = loket_embed::Encoder::load(std::path::Path::new(&directory)).unwrap();
    let durations: Vec<Duration> = questions
        .iter()
        .take(if measuring() { 500 } else { 5 })
        .map(|question| {
            let start = Instant::now();
            std::hint::black_box(encoder.encode(question));
            start.elapsed()
        })
        .collect();
    println!(
        "encoding one question with the real encoder ({} queries): {}",
        durations.len(),
        percentiles(durations)
    );
    if !measuring() {
        return;
    }
    // The first 1,000 entries (one source file) with embeddings of all their phrasings.
    let target = tempfile::tempdir().unwrap();
    let tokens = report_tokens(&encoder, &sources[0]);
    let (entries, seconds) = timed_import(target.path(), sources[0].clone(), &encoder);
    println!(
        "import with embeddings (fresh, every phrasing encoded): {entries} entries (4 phrasings each, {tokens} tokens) in {seconds:.1} s, {:.0} entries/s",
        entries as f64 / seconds
    );
    // A plain FAQ: the same 1,000 entries with their question alone (no alternative phrasings).
    let plain = without_alternatives(&sources[0]);
    let tokens = report_tokens(&encoder, &plain);
    let (entries, seconds) = timed_import(tempfile::tempdir().unwrap().path(), plain, &encoder);
    println!(
        "import with embeddings, plain FAQ (one question each, {tokens} tokens): {entries} entries in {seconds:.1} s, {:.0} entries/s",
        entries as f64 / seconds
    );
    // The same entries again, one in ten with a changed question: the served generation's vectors
    // are reused for the unchanged phrasings, so only the changed ones are encoded.
    let edited = edit_every_tenth_question(&sources[0]);
    let (entries, seconds) = timed_import(target.path(), edited, &encoder);
    println!(
        "re-import with embeddings, 10% of the entries changed (their new questions encoded, the rest reused): {entries} entries in {seconds:.1} s, {:.0} entries/s",
        entries as f64 / seconds
    );
}

/// Imports `source` into `target` with embeddings from `encoder`: the public entries and the
/// seconds taken.
fn timed_import(target: &std::path::Path, source: SourceFile, encoder: &loket_embed::Encoder) -> (usize, f64) {
    let start = Instant::now();
    let report = import_embedded(
        target,
        vec![source],
        &ImportLimits::default(),
        &NoScreen,
        Some(encoder),
        &mut |_| {},
    )
    .unwrap();
    (report.public_entries, start.elapsed().as_secs_f64())
}

/// Tokens the encoder sees for all phrasings of the JSONL `source`, to put the import rate in
/// terms of the work done.
fn report_tokens(encoder: &loket_embed::Encoder, source: &SourceFile) -> usize {
    let text = std::str::from_utf8(&source.bytes).unwrap();
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let mut phrasings = vec![value["question"].as_str().unwrap().to_owned()];
            phrasings.extend(
                value["alt_questions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|alternative| alternative.as_str().unwrap().to_owned()),
            );
            phrasings
                .iter()
                .map(|phrasing| encoder.tokenize(phrasing).len())
                .sum::<usize>()
        })
        .sum()
}

/// `source` (JSONL) with every entry's alternative questions removed.
fn without_alternatives(source: &SourceFile) -> SourceFile {
    rewrite_entries(source, |_, value| {
        value["alt_questions"] = serde_json::Value::Array(Vec::new());
    })
}

/// `source` (JSONL) with the question of every tenth entry changed.
fn edit_every_tenth_question(source: &SourceFile) -> SourceFile {
    rewrite_entries(source, |number, value| {
        if number % 10 == 0 {
            let question = value["question"].as_str().unwrap().to_owned();
            value["question"] = serde_json::Value::String(format!("{question} (bijgewerkt)"));
        }
    })
}

/// `source` (JSONL) with `edit` applied to each entry, given its line number.
fn rewrite_entries(source: &SourceFile, mut edit: impl FnMut(usize, &mut serde_json::Value)) -> SourceFile {
    let text = std::str::from_utf8(&source.bytes).unwrap();
    let mut rewritten = String::new();
    for (number, line) in text.lines().enumerate() {
        let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
        edit(number, &mut value);
        rewritten.push_str(&value.to_string());
        rewritten.push('\n');
    }
    SourceFile {
        path: source.path.clone(),
        bytes: rewritten.into_bytes(),
    }
}

fn bench(criterion: &mut Criterion) {
    let (sources, questions) = synthetic_faq(42);
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), sources.clone(), &mut |_| {}).unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let scope = CustomerScope::anonymous();
    bench_dense(&sources, &questions);

    // The percentile the target is stated in; criterion itself reports means.
    let mut durations: Vec<Duration> = questions
        .iter()
        .take(if measuring() { 5_000 } else { 50 })
        .map(|question| {
            let start = Instant::now();
            std::hint::black_box(kb.answer(question, Lang::Nl, &scope));
            start.elapsed()
        })
        .collect();
    durations.sort();
    let percentile = |p: f64| durations[((durations.len() as f64 * p) as usize).min(durations.len() - 1)];
    println!(
        "answer over {} entries ({} queries): p50 {:?}, p99 {:?}, max {:?}",
        entries(),
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
    group.throughput(Throughput::Elements(entries() as u64));
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

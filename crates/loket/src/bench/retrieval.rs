//! `loket bench retrieval`: answers from the knowledge base, as a chat turn asks for them
//! (`loket_service::Knowledge::answer`, anonymous customer scope, lexical index), over seeded
//! synthetic FAQ bases of each `--entries` size. Each base is imported into a temporary data
//! directory first; the import time is reported, and the peak memory is counted from after the
//! import, so it is what serving the base costs.

use std::time::{Duration, Instant};

use anyhow::Context;
use loket_core::Locale;
use loket_core::conversation::BotReply;
use loket_kb::{CustomerScope, KnowledgeBase};
use loket_service::Knowledge;

use super::corpus::{self, Corpus};
use super::{Latencies, Options, Summary, resources};

/// Queries run once before timing, so the index's first-use costs are not measured.
const WARM_UP_QUERIES: usize = 100;

/// Runs the retrieval workload once per knowledge-base size and prints a summary line each.
pub fn run(options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(options.queries > 0, "--queries must be at least 1");
    for &entries in &options.entries {
        run_one(entries, options)?;
    }
    Ok(())
}

fn run_one(entries: usize, options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(entries > 0, "--entries must be at least 1");
    let corpus = Corpus::generate(corpus::SEED, entries);
    if let Some(directory) = &options.write_corpus {
        corpus.write(directory, entries)?;
    }
    let data_dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let started = Instant::now();
    loket_kb::import(data_dir.path(), corpus.sources.clone(), &mut |_| {})
        .with_context(|| format!("importing {entries} synthetic entries"))?;
    let import = started.elapsed();
    let knowledge = Knowledge::new(KnowledgeBase::open(data_dir.path()).context("opening the knowledge base")?);
    let scope = CustomerScope::anonymous();
    let questions: Vec<&String> = corpus.questions.iter().cycle().take(options.queries).collect();
    for question in corpus.questions.iter().cycle().take(WARM_UP_QUERIES) {
        let _ = knowledge.answer(question, Locale::Nl, &scope);
    }
    eprintln!(
        "retrieval: {entries} seeded FAQ entries (imported in {:.1} s), {} questions one at a time",
        import.as_secs_f64(),
        questions.len()
    );
    resources::reset_peak();
    let mut durations: Vec<Duration> = Vec::with_capacity(questions.len());
    let mut answered = 0u64;
    let cpu_before = resources::cpu_time();
    let started = Instant::now();
    for question in &questions {
        let start = Instant::now();
        let reply = knowledge.answer(std::hint::black_box(question), Locale::Nl, &scope);
        durations.push(start.elapsed());
        if matches!(reply, BotReply::Answer { .. }) {
            answered += 1;
        }
    }
    let wall = started.elapsed();
    let cpu = resources::cpu_between(cpu_before, resources::cpu_time());
    let latencies = Latencies::new(durations);
    let summary = Summary::new("retrieval")
        .count("entries", entries as u64)
        .count("queries", latencies.len() as u64)
        .value("import_s", Some(import.as_secs_f64()), 2)
        .value("throughput_per_s", Some(latencies.len() as f64 / wall.as_secs_f64()), 0);
    latencies
        .in_process(summary, cpu, "cpu_us_per_query")
        .count("answered", answered)
        .print();
    Ok(())
}

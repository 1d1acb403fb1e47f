//! `loket bench grounding`: the grounding verifier on seeded generated answers, one answer
//! sentence at a time on one thread, as the chat checks a streamed answer: each sentence of
//! `loket_guard::grounding::sentences` through `GroundingVerifier::check_sentence` against the
//! three passages the answer cites (so every timed call also indexes the passages).

use std::time::{Duration, Instant};

use loket_guard::grounding::{self, GroundingVerifier, sample};

use super::{Latencies, Options, Summary, resources};

/// Answers run once before timing, so first-use costs (lazy tables) are not measured.
const WARM_UP_ANSWERS: usize = 500;

/// Runs the grounding workload and prints its summary line.
pub fn run(options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(options.answers > 0, "--answers must be at least 1");
    let cases = sample::generate(sample::SEED, options.answers);
    let verifier = GroundingVerifier::new();
    for case in cases.iter().cycle().take(WARM_UP_ANSWERS) {
        for sentence in grounding::sentences(&case.answer) {
            let _ = verifier.check_sentence(&case.passages, sentence);
        }
    }
    let sentences: Vec<(&[&str], &str)> = cases
        .iter()
        .flat_map(|case| {
            grounding::sentences(&case.answer)
                .into_iter()
                .map(|sentence| (case.passages.as_slice(), sentence))
        })
        .collect();
    eprintln!(
        "grounding: {} seeded answers, {} sentences, each checked on its own against the answer's three passages",
        cases.len(),
        sentences.len()
    );
    resources::reset_peak();
    let mut durations: Vec<Duration> = Vec::with_capacity(sentences.len());
    let mut supported = 0u64;
    let cpu_before = resources::cpu_time();
    let started = Instant::now();
    for (passages, sentence) in &sentences {
        let start = Instant::now();
        let verdict = verifier.check_sentence(std::hint::black_box(passages), std::hint::black_box(sentence));
        durations.push(start.elapsed());
        supported += u64::from(verdict.supported);
    }
    let wall = started.elapsed();
    let cpu = resources::cpu_between(cpu_before, resources::cpu_time());
    let latencies = Latencies::new(durations);
    let summary = Summary::new("grounding")
        .count("answers", cases.len() as u64)
        .count("sentences", latencies.len() as u64)
        .value("throughput_per_s", Some(latencies.len() as f64 / wall.as_secs_f64()), 0);
    latencies
        .in_process(summary, cpu, "cpu_us_per_sentence")
        .count("supported", supported)
        .print();
    Ok(())
}

//! `loket bench guards`: the inbound guard pipeline a chat turn runs (step 2 of the pipeline in
//! ARCHITECTURE.md: normalise, personal data found and pseudonymised, special categories,
//! injection verdict, intent) over seeded chat messages, one at a time on one thread, through
//! `loket_service::inspection::Guards` exactly as the service calls it.

use std::time::{Duration, Instant};

use loket_core::Locale;
use loket_guard::pii::Placeholders;
use loket_service::inspection::Guards;

use loket_guard::sample;

use super::{Latencies, Options, Summary, resources};

/// Messages run once before timing, so first-use costs (lazy tables, caches) are not measured.
const WARM_UP_MESSAGES: usize = 1000;

/// Runs the guard workload and prints its summary line.
pub fn run(options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(options.messages > 0, "--messages must be at least 1");
    let texts = sample::generate(sample::SEED, options.messages);
    let guards = Guards::new();
    for text in texts.iter().cycle().take(WARM_UP_MESSAGES) {
        let _ = guards.inspect_customer(text, Locale::Nl, &mut Placeholders::new());
    }
    eprintln!(
        "guards: {} seeded messages through the inbound guard pipeline, one at a time, each as a new conversation",
        texts.len()
    );
    resources::reset_peak();
    let mut durations: Vec<Duration> = Vec::with_capacity(texts.len());
    let mut redacted = 0u64;
    let mut blocked = 0u64;
    let cpu_before = resources::cpu_time();
    let started = Instant::now();
    for text in &texts {
        let start = Instant::now();
        // Every message is its own conversation: fresh placeholders, as a new customer has.
        let inspection = guards.inspect_customer(std::hint::black_box(text), Locale::Nl, &mut Placeholders::new());
        durations.push(start.elapsed());
        match inspection {
            Ok(inspection) if !inspection.assignments.is_empty() => redacted += 1,
            Ok(_) => {}
            Err(_) => blocked += 1,
        }
    }
    let wall = started.elapsed();
    let cpu = resources::cpu_between(cpu_before, resources::cpu_time());
    let latencies = Latencies::new(durations);
    let summary = Summary::new("guards").count("messages", latencies.len() as u64).value(
        "throughput_per_s",
        Some(latencies.len() as f64 / wall.as_secs_f64()),
        0,
    );
    latencies
        .in_process(summary, cpu, "cpu_us_per_message")
        .count("redacted", redacted)
        .count("blocked", blocked)
        .print();
    Ok(())
}

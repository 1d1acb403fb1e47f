//! `loket bench`: reproducible, seeded workloads measured on this machine (issue 10).
//!
//! Every workload prints human-readable context on standard error and exactly one summary line
//! per run on standard output, `bench <workload> key=value ...`, with the unit in each key's name
//! (`p99_ms`, `cpu_us_per_message`). The keys of a workload do not change between runs, so
//! scripts (bench/reference/ratios.py, CI) can parse them. `--smoke` runs a tiny version of each
//! workload so CI knows the harness works; CI asserts that it runs, not how fast.
//!
//! # Layout
//! - `chat`: chat turns over HTTP, N concurrent customers, against an in-process server or any
//!   server with the minimal customer API (`--url`).
//! - `guards`: the inbound guard pipeline over seeded chat messages (`messages` builds them).
//! - `grounding`: the grounding verifier, sentence by sentence, over seeded generated answers.
//! - `retrieval`: knowledge-base answers over 10,000 and 100,000 synthetic FAQ entries
//!   (`corpus` builds them).
//! - `idle`: M idle widget live streams held open against a `loket serve` child process.
//! - `startup`: spawn of `loket serve` to `/readyz` 200 with a 10,000-entry knowledge base.
//! - `child`: a `loket serve` child process for the workloads that measure the server alone.
//! - `resources`: CPU time, resident memory and the open-file limit, of this process or another.
//!
//! Shared here: the summary line ([`Summary`]) and latency percentiles ([`Latencies`]).

mod chat;
mod child;
mod corpus;
mod grounding;
mod guards;
mod idle;
mod resources;
mod retrieval;
mod startup;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Which workload `loket bench` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Chat turns over HTTP with N concurrent customers.
    Chat,
    /// The inbound guard pipeline over seeded chat messages.
    Guards,
    /// The grounding verifier, one answer sentence at a time, over seeded generated answers.
    Grounding,
    /// Knowledge-base retrieval over synthetic FAQ entries.
    Retrieval,
    /// Idle widget live streams held open against a server process.
    Idle,
    /// Time from spawning `loket serve` to `/readyz` 200.
    Startup,
    /// Every workload above, one after the other.
    All,
}

/// The options of `loket bench`; each workload reads the ones it needs.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Concurrent customers (chat).
    #[arg(long, default_value_t = 64)]
    pub customers: usize,
    /// Turns per customer (chat).
    #[arg(long, default_value_t = 100)]
    pub turns: usize,
    /// Offered load in turns per second over all customers (chat): each customer sends on a
    /// fixed schedule and a turn is timed from its scheduled time (open loop). Without it, each
    /// customer sends the next question as soon as the reply is in (closed loop).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Drive the server at this base URL instead of one in this process (chat); it needs the
    /// minimal customer API described in BENCHMARKS.md.
    #[arg(long)]
    pub url: Option<String>,
    /// A process of the server behind --url, for its peak memory and CPU time; repeat for
    /// several worker processes (chat).
    #[arg(long = "server-pid")]
    pub server_pids: Vec<u32>,
    /// Sentence-encoder directory (chat, in-process server only): the knowledge base is
    /// imported with embeddings and answers with hybrid retrieval, and the encoding of one
    /// question is timed apart so a turn's cost splits into encoding and everything else.
    #[arg(long)]
    pub encoder: Option<PathBuf>,
    /// Messages through the guard pipeline (guards).
    #[arg(long, default_value_t = 10_000)]
    pub messages: usize,
    /// Generated answers whose sentences go through the grounding verifier (grounding).
    #[arg(long, default_value_t = 10_000)]
    pub answers: usize,
    /// Knowledge-base sizes, one run each (retrieval).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
    pub entries: Vec<usize>,
    /// Timed queries per knowledge base (retrieval).
    #[arg(long, default_value_t = 5_000)]
    pub queries: usize,
    /// Also write each synthetic knowledge base and its queries into this folder (retrieval), for
    /// bench/reference/bm25_compare.py.
    #[arg(long)]
    pub write_corpus: Option<PathBuf>,
    /// Idle live streams to hold open (idle).
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Knowledge-base entries indexed before the server starts (startup).
    #[arg(long, default_value_t = 10_000)]
    pub startup_entries: usize,
    /// Timed restarts (startup).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

impl Options {
    /// Tiny sizes for CI: every workload runs through every path in seconds, even in a debug
    /// build. Options that say where to connect or write are kept.
    pub fn smoke(self) -> Options {
        Options {
            customers: 4,
            turns: 10,
            messages: 500,
            answers: 200,
            entries: vec![300],
            queries: 50,
            connections: 50,
            startup_entries: 300,
            runs: 1,
            ..self
        }
    }
}

/// Runs `workload` (every workload for [`Workload::All`]) and prints its summary lines.
pub fn run(workload: Workload, options: &Options) -> anyhow::Result<()> {
    match workload {
        Workload::Chat => chat::run(options),
        Workload::Guards => guards::run(options),
        Workload::Grounding => grounding::run(options),
        Workload::Retrieval => retrieval::run(options),
        Workload::Idle => idle::run(options),
        Workload::Startup => startup::run(options),
        Workload::All => {
            // `--url` names a server for the chat workload only; `all` measures Loket itself.
            let local = Options {
                url: None,
                server_pids: Vec::new(),
                ..options.clone()
            };
            for workload in [
                Workload::Chat,
                Workload::Guards,
                Workload::Grounding,
                Workload::Retrieval,
                Workload::Idle,
                Workload::Startup,
            ] {
                run(workload, &local)?;
            }
            Ok(())
        }
    }
}

/// One run's result: `bench <workload> key=value ...` on one line, in the order the fields were
/// added. Keys carry their unit; values never contain spaces.
pub struct Summary {
    workload: &'static str,
    fields: Vec<(&'static str, String)>,
}

impl Summary {
    /// An empty summary of `workload`.
    pub fn new(workload: &'static str) -> Summary {
        Summary {
            workload,
            fields: Vec::new(),
        }
    }

    /// Adds a whole number.
    pub fn count(mut self, key: &'static str, value: impl Into<u64>) -> Summary {
        self.fields.push((key, value.into().to_string()));
        self
    }

    /// Adds a measurement with `decimals` places; a value that could not be measured (not on
    /// Linux, process gone) is written `na`, so the key is always present.
    pub fn value(mut self, key: &'static str, value: Option<f64>, decimals: usize) -> Summary {
        let text = match value {
            Some(value) if value.is_finite() => format!("{value:.decimals$}"),
            _ => "na".to_owned(),
        };
        self.fields.push((key, text));
        self
    }

    /// Adds a word; spaces become `_` so the line stays splittable on whitespace.
    pub fn word(mut self, key: &'static str, value: &str) -> Summary {
        self.fields.push((key, value.replace(char::is_whitespace, "_")));
        self
    }

    /// Prints the line to standard output.
    pub fn print(&self) {
        println!("{self}");
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "bench {}", self.workload)?;
        for (key, value) in &self.fields {
            write!(formatter, " {key}={value}")?;
        }
        Ok(())
    }
}

/// Measured durations, sorted, with nearest-rank percentiles.
pub struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    /// Sorts `durations`.
    pub fn new(mut durations: Vec<Duration>) -> Latencies {
        durations.sort_unstable();
        Latencies { sorted: durations }
    }

    /// How many durations there are.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The nearest-rank percentile: the smallest duration with at least `fraction` of all
    /// durations at or below it (`fraction` in 0..=1). Zero when there are no durations.
    pub fn percentile(&self, fraction: f64) -> Duration {
        let rank = (self.sorted.len() as f64 * fraction.clamp(0.0, 1.0)).ceil() as usize;
        let index = rank.saturating_sub(1).min(self.sorted.len().saturating_sub(1));
        self.sorted.get(index).copied().unwrap_or_default()
    }

    /// The mean duration; zero when there are none.
    pub fn mean(&self) -> Duration {
        match u32::try_from(self.sorted.len()) {
            Ok(count) if count > 0 => self.sorted.iter().sum::<Duration>() / count,
            _ => Duration::ZERO,
        }
    }

    /// The longest duration.
    pub fn max(&self) -> Duration {
        self.sorted.last().copied().unwrap_or_default()
    }

    /// Adds p50, p95, p99 and max in milliseconds (`p50_ms` ...) to `summary`.
    pub fn millis(&self, summary: Summary) -> Summary {
        let millis = |duration: Duration| Some(duration.as_secs_f64() * 1e3);
        summary
            .value("p50_ms", millis(self.percentile(0.50)), 3)
            .value("p95_ms", millis(self.percentile(0.95)), 3)
            .value("p99_ms", millis(self.percentile(0.99)), 3)
            .value("max_ms", millis(self.max()), 3)
    }

    /// The end of an in-process workload's line: p50, p95, p99 and max in microseconds, this
    /// process's peak RSS (`peak_rss_mib`), and `cpu_key` (such as `cpu_us_per_query`): the CPU
    /// time `cpu` spread over the measured items.
    pub fn in_process(&self, summary: Summary, cpu: Option<Duration>, cpu_key: &'static str) -> Summary {
        self.micros(summary)
            .value(
                "peak_rss_mib",
                mib(resources::own_memory().map(|memory| memory.peak_kib)),
                1,
            )
            .value(
                cpu_key,
                cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / self.len().max(1) as f64),
                1,
            )
    }

    /// Adds p50, p95, p99 and max in microseconds (`p50_us` ...) to `summary`.
    pub fn micros(&self, summary: Summary) -> Summary {
        let micros = |duration: Duration| Some(duration.as_secs_f64() * 1e6);
        summary
            .value("p50_us", micros(self.percentile(0.50)), 1)
            .value("p95_us", micros(self.percentile(0.95)), 1)
            .value("p99_us", micros(self.percentile(0.99)), 1)
            .value("max_us", micros(self.max()), 1)
    }
}

/// Mebibytes from kibibytes, for the `_mib` fields.
fn mib(kib: Option<u64>) -> Option<f64> {
    kib.map(|kib| kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Latencies {
        Latencies::new(values.iter().map(|value| Duration::from_millis(*value)).collect())
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let latencies = millis(&(1..=100).rev().collect::<Vec<_>>());
        assert_eq!(latencies.percentile(0.50), Duration::from_millis(50));
        assert_eq!(latencies.percentile(0.95), Duration::from_millis(95));
        assert_eq!(latencies.percentile(0.99), Duration::from_millis(99));
        assert_eq!(latencies.percentile(1.0), Duration::from_millis(100));
        assert_eq!(latencies.max(), Duration::from_millis(100));
        assert_eq!(latencies.mean(), Duration::from_micros(50_500));
        assert_eq!(Latencies::new(Vec::new()).mean(), Duration::ZERO);
    }

    #[test]
    fn a_small_sample_reports_its_largest_value_as_p99() {
        let latencies = millis(&[3, 1, 2]);
        assert_eq!(latencies.percentile(0.99), Duration::from_millis(3));
        assert_eq!(latencies.percentile(0.0), Duration::from_millis(1));
    }

    #[test]
    fn no_durations_give_zero_percentiles() {
        let latencies = millis(&[]);
        assert_eq!(latencies.len(), 0);
        assert_eq!(latencies.percentile(0.99), Duration::ZERO);
    }

    #[test]
    fn summary_line_is_workload_then_key_value_pairs() {
        let line = Summary::new("chat")
            .count("customers", 64u64)
            .value("throughput_per_s", Some(2345.678), 1)
            .value("peak_rss_mib", None, 1)
            .word("target", "in process")
            .to_string();
        assert_eq!(
            line,
            "bench chat customers=64 throughput_per_s=2345.7 peak_rss_mib=na target=in_process"
        );
    }

    #[test]
    fn latency_fields_carry_their_unit() {
        let line = millis(&[1, 2]).millis(Summary::new("chat")).to_string();
        assert_eq!(line, "bench chat p50_ms=1.000 p95_ms=2.000 p99_ms=2.000 max_ms=2.000");
        let line = millis(&[1]).micros(Summary::new("guards")).to_string();
        assert_eq!(
            line,
            "bench guards p50_us=1000.0 p95_us=1000.0 p99_us=1000.0 max_us=1000.0"
        );
    }

    #[test]
    fn smoke_keeps_where_to_connect() {
        let options = Options {
            customers: 64,
            turns: 100,
            rate: Some(2_000.0),
            url: Some("http://127.0.0.1:9".into()),
            server_pids: vec![7],
            encoder: Some("/models/encoder".into()),
            messages: 10_000,
            answers: 10_000,
            entries: vec![10_000, 100_000],
            queries: 5_000,
            write_corpus: None,
            connections: 10_000,
            startup_entries: 10_000,
            runs: 5,
        }
        .smoke();
        assert_eq!(options.url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(options.server_pids, vec![7]);
        assert_eq!(options.encoder, Some(PathBuf::from("/models/encoder")));
        assert_eq!(options.rate, Some(2_000.0));
        assert_eq!(options.entries, vec![300]);
        assert_eq!(options.connections, 50);
    }
}

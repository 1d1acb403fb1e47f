//! `loket bench startup`: how long `loket serve` takes from spawn to `/readyz` 200 with a
//! seeded synthetic FAQ knowledge base already indexed in its data directory.
//!
//! The base is imported once (as `loket kb import` would, without its screening, which does not
//! change the index) and the server is started once unmeasured, which creates the database, runs
//! the migrations and writes the master key: a first deployment, reported as `first_ms`. Then
//! `--runs` restarts are timed, each a fresh process killed after it became ready.

use std::time::Duration;

use anyhow::Context;

use super::child::ChildServer;
use super::corpus::{self, Corpus};
use super::{Latencies, Options, Summary};

/// Runs the startup workload and prints its summary line.
pub fn run(options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(options.runs > 0, "--runs must be at least 1");
    anyhow::ensure!(options.startup_entries > 0, "--startup-entries must be at least 1");
    let data_dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let corpus = Corpus::generate(corpus::SEED, options.startup_entries);
    loket_kb::import(data_dir.path(), corpus.sources, &mut |_| {})
        .with_context(|| format!("importing {} synthetic entries", options.startup_entries))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .context("building the HTTP client")?;
    let first = runtime.block_on(time_to_ready(data_dir.path(), &client))?;
    let mut durations = Vec::with_capacity(options.runs);
    for _ in 0..options.runs {
        durations.push(runtime.block_on(time_to_ready(data_dir.path(), &client))?);
    }
    eprintln!(
        "startup: loket serve with {} entries indexed, spawn to /readyz 200, {} restarts after a first start",
        options.startup_entries, options.runs
    );
    let latencies = Latencies::new(durations);
    let millis = |duration: Duration| Some(duration.as_secs_f64() * 1e3);
    Summary::new("startup")
        .count("entries", options.startup_entries as u64)
        .count("runs", latencies.len() as u64)
        .value("first_ms", millis(first), 1)
        .value("p50_ms", millis(latencies.percentile(0.50)), 1)
        .value("max_ms", millis(latencies.max()), 1)
        .print();
    Ok(())
}

/// Spawns a server on `data_dir`, waits for `/readyz` 200 serving a knowledge base, stops it.
async fn time_to_ready(data_dir: &std::path::Path, client: &reqwest::Client) -> anyhow::Result<Duration> {
    let server = ChildServer::spawn(data_dir, false, &[])?;
    let generation = server.wait_ready(client).await?;
    let elapsed = server.spawned.elapsed();
    anyhow::ensure!(generation.is_some(), "the server became ready without a knowledge base");
    drop(server);
    Ok(elapsed)
}

//! `loket bench`: reproducible workloads measured on this machine.
//!
//! `chat` (the default): a real server on 127.0.0.1 with SQLite (WAL, synchronous=FULL) in a
//! temporary data directory and the demo knowledge base; N concurrent customers each open a
//! conversation and send questions from a fixed, seeded list over HTTP. Reported: turns per
//! second, p50/p95/p99 of a turn (send → reply received), and the peak resident memory of the
//! process (server and clients together). `--smoke` runs a tiny version so CI knows the harness
//! works; CI asserts it runs, not how fast.

use std::time::{Duration, Instant};

use anyhow::Context;
use loket_core::config::Config;

/// Questions customers ask, cycled by a seeded generator: answers, abstentions, a request for a
/// person in between and personal data to redact.
const QUESTIONS: &[&str] = &[
    "Hoe lang heb ik bedenktijd?",
    "Wat kost verzending naar België?",
    "Kan ik betalen met iDEAL?",
    "Mijn IBAN is NL91ABNA0417164300, wanneer krijg ik mijn geld terug?",
    "Hoe lang duurt de levering?",
    "How long is the return period?",
    "Do you ship to Germany?",
    "Hebben jullie ook fietsen met een middenmotor op voorraad in Groningen?",
    "Is uw website bruikbaar met een schermlezer?",
    "Wat zijn jullie openingstijden?",
];

/// Options of a run.
pub struct Options {
    /// Concurrent customers.
    pub customers: usize,
    /// Turns per customer.
    pub turns: usize,
}

/// Runs the chat-turn workload and prints the results.
pub fn chat(options: Options) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(run(options))
}

async fn run(options: Options) -> anyhow::Result<()> {
    let directory = tempfile::tempdir().context("creating a temporary data directory")?;
    let mut config = Config::default();
    config.server.data_dir = directory.path().display().to_string();
    config.limits.requests_per_ip_per_minute = u32::MAX;
    config.limits.conversations_per_ip_per_hour = u32::MAX;
    config.limits.messages_per_conversation_per_minute = u32::MAX;
    // `LOKET_DATABASE_URL=postgres://…` runs the same workload on PostgreSQL.
    config.database.url = std::env::var("LOKET_DATABASE_URL").ok();
    let config = config
        .validate()
        .map_err(|problems| anyhow::anyhow!("invalid bench configuration: {problems:?}"))?;
    crate::prepare_demo(&config)?;
    let (loket, _) = crate::compose(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding")?;
    let address = format!("http://{}", listener.local_addr().context("local address")?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(loket_server::serve(listener, loket, async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.customers)
        .build()
        .context("client")?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for customer in 0..options.customers {
        let client = client.clone();
        let address = address.clone();
        let turns = options.turns;
        tasks.push(tokio::spawn(async move {
            customer_session(client, address, customer, turns).await
        }));
    }
    let mut latencies = Vec::with_capacity(options.customers * options.turns);
    for task in tasks {
        latencies.extend(task.await.context("customer task")??);
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    let _ = server.await;

    latencies.sort_unstable();
    let percentile = |fraction: f64| {
        let index = ((latencies.len() as f64 * fraction).ceil() as usize)
            .saturating_sub(1)
            .min(latencies.len().saturating_sub(1));
        latencies.get(index).copied().unwrap_or_default()
    };
    println!("workload: chat turns over HTTP (SQLite WAL synchronous=FULL, demo knowledge base, guards on)");
    println!(
        "customers: {}  turns: {}  wall: {:.2} s",
        options.customers,
        latencies.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "throughput: {:.0} turns/s",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency per turn: p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        millis(percentile(0.50)),
        millis(percentile(0.95)),
        millis(percentile(0.99)),
        millis(latencies.last().copied().unwrap_or_default())
    );
    if let Some(peak) = peak_rss_kib() {
        println!(
            "peak RSS (server and clients in one process): {:.1} MiB",
            peak as f64 / 1024.0
        );
    }
    Ok(())
}

async fn customer_session(
    client: reqwest::Client,
    address: String,
    customer: usize,
    turns: usize,
) -> anyhow::Result<Vec<Duration>> {
    let created: serde_json::Value = client
        .post(format!("{address}/api/v1/conversations"))
        .json(&serde_json::json!({ "locale": if customer % 4 == 3 { "en" } else { "nl" } }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = created["id"].as_str().context("conversation id")?.to_string();
    let token = created["token"].as_str().context("token")?.to_string();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ customer as u64;
    let mut latencies = Vec::with_capacity(turns);
    for _ in 0..turns {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let question = QUESTIONS[(seed >> 33) as usize % QUESTIONS.len()];
        let started = Instant::now();
        let response = client
            .post(format!("{address}/api/v1/conversations/{id}/messages"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "text": question }))
            .send()
            .await?;
        let status = response.status();
        let _ = response.bytes().await?;
        latencies.push(started.elapsed());
        anyhow::ensure!(status.is_success(), "a turn failed with {status}");
    }
    Ok(latencies)
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Peak resident set size of this process in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

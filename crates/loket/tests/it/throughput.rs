//! Chat-turn throughput of one instance on each backend, measured the same way: concurrent
//! customers send questions over HTTP to a `loket serve` child process (issue 9 target: on
//! PostgreSQL within 2x of SQLite).
//!
//! The test runs a small load on both backends so the harness is known to work and prints one
//! `throughput` line per backend; `LOKET_THROUGHPUT_TURNS=50` (turns per customer) makes it the
//! benchmark in BENCHMARKS.md. It asserts correctness (every turn answered), never speed.

use std::time::{Duration, Instant};

use crate::server::{self, Backend, Instance};

/// Concurrent customers.
const CUSTOMERS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_turns_run_on_both_backends_and_their_throughput_is_reported() {
    let turns = std::env::var("LOKET_THROUGHPUT_TURNS")
        .ok()
        .and_then(|turns| turns.parse().ok())
        .unwrap_or(3usize);
    let sqlite = turns_per_second(&Backend::Sqlite, turns).await;
    let Some(postgres) = server::fresh_postgres().await else {
        return;
    };
    let postgres = turns_per_second(&postgres, turns).await;
    println!(
        "throughput customers={CUSTOMERS} turns={turns} sqlite_turns_per_s={sqlite:.0} postgres_turns_per_s={postgres:.0} ratio={:.2}",
        sqlite / postgres
    );
}

async fn turns_per_second(backend: &Backend, turns: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let instance = Instance::start(dir.path(), backend).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(CUSTOMERS)
        .build()
        .unwrap();
    let mut customers = Vec::new();
    for _ in 0..CUSTOMERS {
        customers.push(server::open(&client, &instance.base).await.unwrap());
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (index, customer) in customers.into_iter().enumerate() {
        let (client, base) = (client.clone(), instance.base.clone());
        tasks.push(tokio::spawn(async move {
            for turn in 0..turns {
                let text = format!("Hoe lang duurt de levering? k{index}b{turn}");
                server::send(&client, &base, &customer, &text).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    (CUSTOMERS * turns) as f64 / started.elapsed().as_secs_f64()
}

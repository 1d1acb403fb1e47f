//! Crash safety (issue 9): customers send messages concurrently, the server is killed with
//! SIGKILL mid-load, restarted on the same data, and every message that got a 2xx must be
//! there, with seqs 1..n in every conversation (no gaps, no duplicates). The restarted
//! instance must serve the same conversations without manual steps.
//!
//! Each test does 3 runs; `LOKET_CRASH_RUNS=20` does more (the number in BENCHMARKS.md). Each
//! test prints one `crash-safety` summary line.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::server::{self, Backend, Instance};

/// Concurrent customers per run.
const CUSTOMERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_acknowledged_message_on_sqlite() {
    let mut total = Totals::default();
    for _ in 0..runs() {
        total.add(crash_run(&Backend::Sqlite).await);
    }
    total.report("sqlite");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_acknowledged_message_on_postgres() {
    let mut total = Totals::default();
    for _ in 0..runs() {
        let Some(backend) = server::fresh_postgres().await else {
            return;
        };
        total.add(crash_run(&backend).await);
    }
    total.report("postgres");
}

fn runs() -> usize {
    std::env::var("LOKET_CRASH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(3)
}

/// What one run found.
#[derive(Debug, Default)]
struct Outcome {
    acknowledged: usize,
    lost: Vec<String>,
    seq_faults: Vec<String>,
}

#[derive(Debug, Default)]
struct Totals {
    runs: usize,
    acknowledged: usize,
    lost: Vec<String>,
    seq_faults: Vec<String>,
}

impl Totals {
    fn add(&mut self, outcome: Outcome) {
        self.runs += 1;
        self.acknowledged += outcome.acknowledged;
        self.lost.extend(outcome.lost);
        self.seq_faults.extend(outcome.seq_faults);
    }

    fn report(&self, backend: &str) {
        println!(
            "crash-safety backend={backend} runs={} acknowledged={} lost={} seq_faults={}",
            self.runs,
            self.acknowledged,
            self.lost.len(),
            self.seq_faults.len()
        );
        assert!(self.acknowledged > 0, "no message was acknowledged");
        assert!(self.lost.is_empty(), "acknowledged messages lost: {:?}", self.lost);
        assert!(self.seq_faults.is_empty(), "seq faults: {:?}", self.seq_faults);
    }
}

async fn crash_run(backend: &Backend) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let mut instance = Instance::start(dir.path(), backend).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut customers = Vec::new();
    for _ in 0..CUSTOMERS {
        customers.push(server::open(&client, &instance.base).await.unwrap());
    }

    // Kill after a random number of acknowledged messages, while every customer is sending.
    let target = 10 + usize::from(uuid::Uuid::new_v4().as_bytes()[0] % 40);
    let acknowledged: Arc<Mutex<Vec<(usize, i64, String)>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let reached = Arc::new(Notify::new());
    let mut senders = Vec::new();
    for (index, customer) in customers.iter().enumerate() {
        let (client, base, customer) = (client.clone(), instance.base.clone(), customer.clone());
        let (acknowledged, count, reached) = (acknowledged.clone(), count.clone(), reached.clone());
        senders.push(tokio::spawn(async move {
            for turn in 0.. {
                let text = format!("vraag k{index}b{turn}");
                match server::send(&client, &base, &customer, &text).await {
                    Ok(seq) => {
                        acknowledged.lock().unwrap().push((index, seq, text));
                        if count.fetch_add(1, Ordering::SeqCst) + 1 == target {
                            reached.notify_one();
                        }
                    }
                    // The server is gone; what was not acknowledged may or may not be stored.
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::timeout(Duration::from_secs(120), reached.notified())
        .await
        .unwrap_or_else(|_| panic!("the load never reached {target} messages:\n{}", instance.log_tail()));
    instance.kill();
    for sender in senders {
        sender.await.unwrap();
    }

    let restarted = Instance::start(dir.path(), backend).await;
    let acknowledged = acknowledged.lock().unwrap().clone();
    let mut outcome = Outcome {
        acknowledged: acknowledged.len(),
        ..Outcome::default()
    };
    for (index, customer) in customers.iter().enumerate() {
        let messages = server::all_messages(&client, &restarted.base, customer).await;
        let seqs: Vec<i64> = messages.iter().map(|(seq, _, _)| *seq).collect();
        if seqs != (1..=seqs.len() as i64).collect::<Vec<_>>() {
            outcome
                .seq_faults
                .push(format!("{} conversation {index}: seqs {seqs:?}", backend.name()));
        }
        for (_, seq, text) in acknowledged.iter().filter(|(owner, _, _)| *owner == index) {
            let found = messages.iter().any(|(stored_seq, author, stored_text)| {
                stored_seq == seq && author == "customer" && stored_text == text
            });
            if !found {
                outcome
                    .lost
                    .push(format!("{} conversation {index}: seq {seq}", backend.name()));
            }
        }
        // The restarted instance serves the conversation on: the next message follows on.
        let next = server::send(&client, &restarted.base, customer, "nog een vraag")
            .await
            .unwrap_or_else(|error| panic!("after the restart: {error}\n{}", restarted.log_tail()));
        if next != seqs.len() as i64 + 1 {
            outcome.seq_faults.push(format!(
                "{} conversation {index}: after restart got seq {next}, expected {}",
                backend.name(),
                seqs.len() + 1
            ));
        }
    }
    outcome
}

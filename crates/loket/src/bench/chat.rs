//! `loket bench chat`: N concurrent customers each open a conversation and send questions from
//! a fixed list, picked by a per-customer seeded generator, over HTTP; a turn is timed from send
//! to the whole reply received.
//!
//! Closed loop by default: each customer sends its next question as soon as the reply is in, so
//! the run measures the most turns per second the server gives, and the latency is then about
//! customers / throughput (Little's law). With `--rate R` the load is open loop, as real
//! customers are: the customers together send R turns per second, each on a fixed schedule
//! (customer `c` sends at `start + (c / N + k) * N / R`), and a turn is timed from its scheduled
//! time, so a server that falls behind is charged for the wait too (no coordinated omission).
//!
//! Without `--url`, a real server runs in this process on 127.0.0.1 with SQLite (WAL,
//! synchronous=FULL, or PostgreSQL with `LOKET_DATABASE_URL`) in a temporary data directory and
//! the demo knowledge base; memory and CPU time are then those of the process, server and
//! clients together (`measured=process`). Every conversation is opened before the clock starts.
//! With `--encoder DIR` that server answers with hybrid retrieval, and the encoding of one
//! question is timed apart first, so a turn's mean splits into encoding and the rest
//! (`encode_mean_ms`, `rest_mean_ms`).
//!
//! With `--url`, any server with this minimal customer API is driven the same way (the Python
//! reference service in bench/reference/ has it):
//! - `POST /api/v1/conversations` with `{"locale":"nl"|"en"}` answers 2xx `{"id","token",...}`;
//! - `POST /api/v1/conversations/{id}/messages` with `Authorization: Bearer <token>` and
//!   `{"text"}` answers 2xx with the reply (the body is read, not interpreted).
//!
//! Memory and CPU time are then the server's, summed over the `--server-pid` processes
//! (`measured=server`; `na` without them), and the driver's own CPU time is reported apart.

use std::time::{Duration, Instant};

use anyhow::Context;
use loket_core::config::Config;

use super::{Latencies, Options, Summary, mib, resources};

/// Questions customers ask: answers, abstentions, a request for a person in between and
/// personal data to redact.
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

/// The seed every customer's question generator starts from (mixed with the customer's number).
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// Every fourth customer writes in English.
const ENGLISH_EVERY: usize = 4;

/// Runs the chat-turn workload and prints its summary line.
pub fn run(options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        options.customers > 0 && options.turns > 0,
        "--customers and --turns must be at least 1"
    );
    if let Some(rate) = options.rate {
        anyhow::ensure!(
            rate.is_finite() && rate > 0.0,
            "--rate must be a positive number of turns per second"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    anyhow::ensure!(
        options.url.is_none() || options.encoder.is_none(),
        "--encoder configures the in-process server; a server behind --url has its own configuration"
    );
    runtime.block_on(async {
        match &options.url {
            Some(url) => drive(options, url.trim_end_matches('/'), Target::External, None).await,
            None => in_process(options).await,
        }
    })
}

/// Rounds over [`QUESTIONS`] when timing the encoder apart.
const ENCODING_ROUNDS: usize = 10;

/// The time the encoder in `directory` takes for one question, over [`ENCODING_ROUNDS`] rounds of
/// [`QUESTIONS`] on this thread (the chat encodes the pseudonymised question, which has the same
/// words apart from the personal data). The encoder is dropped before the chat runs.
fn encoding_latencies(directory: &std::path::Path) -> anyhow::Result<Latencies> {
    let encoder = crate::load_encoder(Some(directory))?.context("an encoder directory was given")?;
    let mut durations = Vec::with_capacity(ENCODING_ROUNDS * QUESTIONS.len());
    for _ in 0..ENCODING_ROUNDS {
        for question in QUESTIONS {
            let started = Instant::now();
            std::hint::black_box(encoder.embed(question));
            durations.push(started.elapsed());
        }
    }
    Ok(Latencies::new(durations))
}

/// Where the measured server runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// In this process: memory and CPU time are the process's.
    InProcess,
    /// Elsewhere: memory and CPU time of the `--server-pid` processes.
    External,
}

async fn in_process(options: &Options) -> anyhow::Result<()> {
    let directory = tempfile::tempdir().context("creating a temporary data directory")?;
    let mut config = Config::default();
    config.server.data_dir = directory.path().display().to_string();
    config.limits.requests_per_ip_per_minute = u32::MAX;
    config.limits.conversations_per_ip_per_hour = u32::MAX;
    config.limits.messages_per_conversation_per_minute = u32::MAX;
    config.database.url = std::env::var("LOKET_DATABASE_URL").ok();
    config.answer.encoder_dir = options.encoder.clone();
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
    let encoding = match &options.encoder {
        Some(directory) => Some(encoding_latencies(directory)?),
        None => None,
    };
    let result = drive(options, &address, Target::InProcess, encoding).await;
    let _ = stop.send(());
    let _ = server.await;
    result
}

async fn drive(options: &Options, address: &str, target: Target, encoding: Option<Latencies>) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.customers)
        .build()
        .context("building the HTTP client")?;
    let server_pids: &[u32] = match target {
        Target::InProcess => &[],
        Target::External => &options.server_pids,
    };
    match target {
        Target::InProcess => resources::reset_peak(),
        Target::External => server_pids.iter().for_each(|pid| resources::reset_peak_of(*pid)),
    }
    // Every customer's conversation is opened (and its connection made) before the clock starts:
    // a turn's latency is the turn's, not that of 64 conversations being created at once, which
    // an open-loop schedule would otherwise charge to the first turns.
    let mut opening = tokio::task::JoinSet::new();
    for customer in 0..options.customers {
        let client = client.clone();
        let address = address.to_owned();
        opening.spawn(async move { open_conversation(&client, &address, customer).await });
    }
    let mut conversations = Vec::with_capacity(options.customers);
    while let Some(result) = opening.join_next().await {
        conversations.push(result.context("opening a conversation")??);
    }
    let server_cpu_before = server_cpu(server_pids);
    let cpu_before = resources::cpu_time();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for conversation in conversations {
        let client = client.clone();
        let address = address.to_owned();
        let turns = options.turns;
        let schedule = options
            .rate
            .map(|rate| Schedule::new(started, conversation.customer, options.customers, rate));
        tasks.spawn(async move { customer_session(client, address, conversation, turns, schedule).await });
    }
    let mut durations = Vec::with_capacity(options.customers * options.turns);
    while let Some(result) = tasks.join_next().await {
        durations.extend(result.context("customer task")??);
    }
    let wall = started.elapsed();
    let cpu = resources::cpu_between(cpu_before, resources::cpu_time());
    let server_cpu = resources::cpu_between(server_cpu_before, server_cpu(server_pids));
    let latencies = Latencies::new(durations);
    let turns = latencies.len() as f64;
    let per_turn = |cpu: Option<Duration>| cpu.map(|cpu| cpu.as_secs_f64() * 1e3 / turns);
    let (measured, peak_kib, cpu_per_turn) = match target {
        Target::InProcess => (
            "process",
            resources::own_memory().map(|memory| memory.peak_kib),
            per_turn(cpu),
        ),
        Target::External => ("server", server_peak_kib(server_pids), per_turn(server_cpu)),
    };
    eprintln!(
        "chat: {} customers x {} turns over HTTP against {}",
        options.customers,
        options.turns,
        match target {
            Target::InProcess => "an in-process server (SQLite WAL synchronous=FULL, demo knowledge base, guards on)",
            Target::External => address,
        }
    );
    let summary = Summary::new("chat")
        .word(
            "target",
            match target {
                Target::InProcess => "in-process",
                Target::External => address,
            },
        )
        .word("load", if options.rate.is_some() { "open" } else { "closed" })
        .value("offered_per_s", options.rate, 1)
        .count("customers", options.customers as u64)
        .count("turns", latencies.len() as u64)
        .value("wall_s", Some(wall.as_secs_f64()), 2)
        .value("throughput_per_s", Some(turns / wall.as_secs_f64()), 1);
    let summary = latencies.millis(summary);
    // With the encoder on, a turn's mean minus the mean encoding of one question (over the same
    // questions) is what everything else costs; meaningful with few customers, where turns do
    // not queue.
    let millis = |duration: Duration| Some(duration.as_secs_f64() * 1e3);
    let summary = match &encoding {
        Some(encoding) => summary
            .value("mean_ms", millis(latencies.mean()), 3)
            .value("encode_mean_ms", millis(encoding.mean()), 3)
            .value("encode_p99_ms", millis(encoding.percentile(0.99)), 3)
            .value(
                "rest_mean_ms",
                millis(latencies.mean().saturating_sub(encoding.mean())),
                3,
            ),
        None => summary,
    };
    summary
        .word("measured", measured)
        .value("peak_rss_mib", mib(peak_kib), 1)
        .value("cpu_ms_per_turn", cpu_per_turn, 3)
        .value(
            "client_cpu_ms_per_turn",
            match target {
                Target::InProcess => None,
                Target::External => per_turn(cpu),
            },
            3,
        )
        .print();
    Ok(())
}

/// CPU time of the server processes, summed; `None` when there are none or one is gone.
fn server_cpu(pids: &[u32]) -> Option<Duration> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|pid| resources::cpu_time_of(*pid)).sum()
}

/// Peak resident memory of the server processes, summed.
fn server_peak_kib(pids: &[u32]) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter()
        .map(|pid| resources::memory(*pid).map(|memory| memory.peak_kib))
        .sum()
}

/// When one customer sends, in open-loop runs.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    first: Instant,
    interval: Duration,
}

impl Schedule {
    /// Customer `customer` of `customers`, all together sending `rate` turns per second from
    /// `start`: every customer every `customers / rate` seconds, phases spread evenly.
    fn new(start: Instant, customer: usize, customers: usize, rate: f64) -> Schedule {
        let interval = Duration::from_secs_f64(customers as f64 / rate.max(f64::MIN_POSITIVE));
        let phase = interval.mul_f64(customer as f64 / customers.max(1) as f64);
        Schedule {
            first: start + phase,
            interval,
        }
    }

    /// The scheduled time of turn `turn` (from 0).
    fn at(&self, turn: usize) -> Instant {
        self.first + self.interval.mul_f64(turn as f64)
    }
}

/// A customer's open conversation.
struct Conversation {
    customer: usize,
    id: String,
    token: String,
}

/// Opens customer `customer`'s conversation (every fourth in English).
async fn open_conversation(client: &reqwest::Client, address: &str, customer: usize) -> anyhow::Result<Conversation> {
    let created: serde_json::Value = client
        .post(format!("{address}/api/v1/conversations"))
        .json(&serde_json::json!({ "locale": if customer % ENGLISH_EVERY == ENGLISH_EVERY - 1 { "en" } else { "nl" } }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Conversation {
        customer,
        id: created["id"].as_str().context("conversation id")?.to_owned(),
        token: created["token"].as_str().context("token")?.to_owned(),
    })
}

async fn customer_session(
    client: reqwest::Client,
    address: String,
    conversation: Conversation,
    turns: usize,
    schedule: Option<Schedule>,
) -> anyhow::Result<Vec<Duration>> {
    let Conversation { customer, id, token } = conversation;
    let mut questions = QuestionStream::new(customer);
    let mut latencies = Vec::with_capacity(turns);
    for turn in 0..turns {
        let question = questions.next_question();
        // Open loop: wait for the scheduled time (when not already late) and time the turn from
        // it; closed loop: from now.
        let started = match schedule {
            Some(schedule) => {
                let at = schedule.at(turn);
                tokio::time::sleep_until(at.into()).await;
                at
            }
            None => Instant::now(),
        };
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

/// One customer's questions: a linear congruential generator seeded with the customer's number.
struct QuestionStream(u64);

impl QuestionStream {
    fn new(customer: usize) -> QuestionStream {
        QuestionStream(SEED ^ customer as u64)
    }

    fn next_question(&mut self) -> &'static str {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        QUESTIONS[(self.0 >> 33) as usize % QUESTIONS.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_asks_the_same_questions_on_every_run() {
        let first: Vec<_> = (0..20)
            .map({
                let mut stream = QuestionStream::new(3);
                move |_| stream.next_question()
            })
            .collect();
        let second: Vec<_> = (0..20)
            .map({
                let mut stream = QuestionStream::new(3);
                move |_| stream.next_question()
            })
            .collect();
        assert_eq!(first, second);
    }

    #[test]
    fn customers_ask_different_sequences_covering_the_list() {
        let mut one = QuestionStream::new(0);
        let mut two = QuestionStream::new(1);
        let first: Vec<_> = (0..50).map(|_| one.next_question()).collect();
        let second: Vec<_> = (0..50).map(|_| two.next_question()).collect();
        assert_ne!(first, second);
        let distinct: std::collections::HashSet<_> = first.iter().chain(&second).collect();
        assert!(distinct.len() >= QUESTIONS.len() / 2);
    }

    #[test]
    fn an_open_loop_schedule_spreads_the_customers_and_keeps_the_rate() {
        let start = Instant::now();
        // 4 customers at 400 turns/s: each every 10 ms, phases 0, 2.5, 5 and 7.5 ms.
        let schedules: Vec<Schedule> = (0..4)
            .map(|customer| Schedule::new(start, customer, 4, 400.0))
            .collect();
        assert_eq!(schedules[0].at(0), start);
        assert_eq!(schedules[1].at(0) - start, Duration::from_micros(2_500));
        assert_eq!(schedules[3].at(2) - start, Duration::from_micros(27_500));
        // 100 turns of every customer span 100 intervals: 400 turns in one second.
        assert_eq!(schedules[0].at(100) - start, Duration::from_secs(1));
    }

    #[test]
    fn no_server_processes_means_no_server_figures() {
        assert_eq!(server_cpu(&[]), None);
        assert_eq!(server_peak_kib(&[]), None);
        assert!(server_cpu(&[std::process::id()]).is_some());
    }
}

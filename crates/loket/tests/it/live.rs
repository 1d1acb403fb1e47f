//! Live events across instances (issue 9): a customer sends through instance A while their
//! widget streams from instance B on the same PostgreSQL database; every message must reach B.
//!
//! The test takes 20 samples; `LOKET_LIVE_SAMPLES=500` takes more and its summary line is the
//! A→B latency benchmark in BENCHMARKS.md.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::{self, Backend, Instance};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_through_one_instance_reaches_a_stream_on_another() {
    let Some(backend) = server::fresh_postgres().await else {
        return;
    };
    let Backend::Postgres(_) = &backend else { unreachable!() };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Instance::start(dir_a.path(), &backend).await;
    let b = Instance::start(dir_b.path(), &backend).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let customer = server::open(&client, &a.base).await.unwrap();
    let known = server::all_messages(&client, &a.base, &customer).await;
    let after = known.last().map_or(0, |(seq, _, _)| *seq);
    let mut stream = client
        .get(format!(
            "{}/api/v1/conversations/{}/stream?after={after}",
            b.base, customer.id
        ))
        .bearer_auth(&customer.token)
        .timeout(Duration::from_secs(3600))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let mut events = SseReader::default();

    let samples = std::env::var("LOKET_LIVE_SAMPLES")
        .ok()
        .and_then(|samples| samples.parse().ok())
        .unwrap_or(20usize);
    let mut end_to_end = Vec::with_capacity(samples);
    let mut after_ack = Vec::with_capacity(samples);
    for turn in 0..samples {
        let started = Instant::now();
        let seq = server::send(&client, &a.base, &customer, &format!("vraag {turn}"))
            .await
            .unwrap();
        let acknowledged = started.elapsed();
        loop {
            let event = tokio::time::timeout(Duration::from_secs(10), events.next(&mut stream))
                .await
                .unwrap_or_else(|_| panic!("seq {seq} never reached instance B:\n{}", b.log_tail()));
            if event.0 == "message" && event.1["seq"].as_i64() == Some(seq) {
                assert_eq!(event.1["author"], "customer");
                break;
            }
        }
        let received = started.elapsed();
        end_to_end.push(received);
        after_ack.push(received.saturating_sub(acknowledged));
    }
    println!(
        "live-relay samples={samples} send_to_stream_p50_ms={:.1} p99_ms={:.1} ack_to_stream_p50_ms={:.1} p99_ms={:.1}",
        percentile(&mut end_to_end, 50),
        percentile(&mut end_to_end, 99),
        percentile(&mut after_ack, 50),
        percentile(&mut after_ack, 99),
    );
}

fn percentile(values: &mut [Duration], percent: usize) -> f64 {
    values.sort();
    let index = (values.len() * percent).div_ceil(100).saturating_sub(1);
    values[index.min(values.len() - 1)].as_secs_f64() * 1000.0
}

/// Splits a server-sent event stream into (event name, JSON data).
#[derive(Default)]
struct SseReader {
    buffer: String,
}

impl SseReader {
    async fn next(&mut self, response: &mut reqwest::Response) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim().to_string();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return (name, serde_json::from_str(&data).unwrap());
            }
            let chunk = response.chunk().await.unwrap().expect("the stream ended");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// A person is reachable from every instance (HUM-01, HUM-04): an agent whose console is
/// connected to instance A takes customers who talk to instance B. Each instance publishes its
/// agents at every maintenance pass (5 s); before the agent logs in, B says truthfully that
/// nobody is available, and only an agent who speaks the customer's language counts (HUM-08).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_on_one_instance_is_handed_over_to_an_agent_connected_to_another() {
    let Some(backend) = server::fresh_postgres().await else {
        return;
    };
    let Backend::Postgres(url) = &backend else {
        unreachable!()
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Open all day in UTC, and staff without a second factor, so the test does not depend on
    // the hour it runs at or on an authenticator app.
    let days = [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ]
    .map(|day| format!("LOKET_HOURS__{day}"));
    let mut settings = vec![
        ("LOKET_AUTH__SECOND_FACTOR", "optional"),
        ("LOKET_HOURS__TIMEZONE", "UTC"),
    ];
    settings.extend(days.iter().map(|day| (day.as_str(), "00:00-24:00")));
    let a = Instance::start_with(dir_a.path(), &backend, &settings).await;
    let b = Instance::start_with(dir_b.path(), &backend, &settings).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let ask_person = |customer: &server::Customer| {
        let client = &client;
        let request = client
            .post(format!("{}/api/v1/conversations/{}/handoff", b.base, customer.id))
            .bearer_auth(&customer.token)
            .json(&serde_json::json!({}));
        async move { server::get_json(request).await }
    };
    let before = server::open(&client, &b.base).await.unwrap();
    let turn = ask_person(&before).await;
    assert_eq!(turn["state"], "bot", "nobody is online yet: {turn}");
    assert_eq!(turn["messages"][0]["kind"], "unavailable");

    for (login, languages) in [("john", "en"), ("sanne", "nl")] {
        let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_loket"));
        add.args(["user", "add", "--data-dir"])
            .arg(dir_a.path())
            .args(["--database-url", url, "--role", "agent", "--ai-literacy", "LMS-7"])
            .args(["--languages", languages, "--password-stdin", login])
            .env("LOKET_LOG", "warn")
            .stdin(std::process::Stdio::piped());
        let mut child = add.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"correct-horse-battery").unwrap();
        assert!(child.wait().unwrap().success());
    }
    // John (English only) connects to A first: a Dutch customer on B is still told nobody who
    // speaks Dutch is there, once B has seen John.
    let console = |login: &'static str| {
        let base = a.base.clone();
        async move {
            let agent = reqwest::Client::builder().cookie_store(true).build().unwrap();
            let login = agent
                .post(format!("{base}/api/v1/agent/login"))
                .json(&serde_json::json!({ "username": login, "password": "correct-horse-battery" }))
                .send()
                .await
                .unwrap();
            assert!(
                login.status().is_success(),
                "{}",
                login.text().await.unwrap_or_default()
            );
            agent
                .get(format!("{base}/api/v1/agent/stream"))
                .timeout(Duration::from_secs(3600))
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
        }
    };
    let _john = console("john").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let customer = server::open(&client, &b.base).await.unwrap();
        let text = ask_person(&customer).await["messages"][0]["text"].to_string();
        if text.contains("Er is nu geen medewerker bereikbaar die Nederlands spreekt") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B never saw John: {text}\n{}\n{}",
            a.log_tail(),
            b.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let _sanne = console("sanne").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let customer = server::open(&client, &b.base).await.unwrap();
        let turn = ask_person(&customer).await;
        if turn["state"] == "waiting_for_agent" {
            assert_eq!(turn["messages"][0]["kind"], "handoff");
            break;
        }
        assert!(Instant::now() < deadline, "B never saw Sanne: {turn}\n{}", b.log_tail());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

//! `loket bench idle`: M idle widgets, each a conversation with its live stream open
//! (`GET /api/v1/conversations/{id}/stream`), held against a `loket serve --demo` child process.
//! Reported: how fast the streams opened (rate, and p50/p99 from connecting to the response
//! head), the server's resident memory before and after the streams were opened, the growth per
//! connection, its peak, and the server CPU time the opening took per connection.
//!
//! One conversation per stream, as a real widget has. The child gets limits that let one address
//! open that many (`LOKET_LIMITS__...`: conversations per IP, requests per IP, total streams);
//! the per-conversation stream limit is left as configured. The open-file limit of this process
//! (inherited by the child) is raised to fit the connections. Streams are opened with plain TCP
//! (one HTTP/1.1 request each, response head read, body left unread), so the client holds
//! nothing but sockets.

use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::child::ChildServer;
use super::{Latencies, Options, Summary, mib, resources};

/// Files this process and the server need besides the connections (database, index, logs,
/// runtime).
const FILE_MARGIN: u64 = 512;

/// Conversations created at the same time.
const CREATE_CONCURRENCY: usize = 32;

/// Streams being opened at the same time (below the listener's accept backlog).
const OPEN_CONCURRENCY: usize = 256;

/// Longest response head accepted from the server.
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// Runs the idle-connection workload and prints its summary line.
pub fn run(options: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(options.connections > 0, "--connections must be at least 1");
    // Each connection is one socket here and one in the child.
    resources::raise_open_files(options.connections as u64 + FILE_MARGIN)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(measure(options.connections))
}

async fn measure(connections: usize) -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let unlimited = u32::MAX.to_string();
    let server = ChildServer::spawn(
        data_dir.path(),
        true,
        &[
            ("LOKET_LIMITS__CONVERSATIONS_PER_IP_PER_HOUR", unlimited.clone()),
            ("LOKET_LIMITS__REQUESTS_PER_IP_PER_MINUTE", unlimited),
            (
                "LOKET_LIMITS__STREAM_CONNECTIONS",
                (connections + OPEN_CONCURRENCY).to_string(),
            ),
        ],
    )?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CREATE_CONCURRENCY)
        .build()
        .context("building the HTTP client")?;
    server.wait_ready(&client).await?;

    let conversations = create_conversations(&client, &server.base_url, connections).await?;
    let before = resources::memory(server.pid());
    let cpu_before = resources::cpu_time_of(server.pid());
    eprintln!(
        "idle: {connections} conversations created; opening one live stream each against loket serve (pid {})",
        server.pid()
    );
    let started = Instant::now();
    let (streams, open_latencies) = open_streams(&server.address, conversations).await?;
    let opening = started.elapsed();
    let open_latencies = Latencies::new(open_latencies);
    let after = resources::memory(server.pid());
    let cpu = resources::cpu_between(cpu_before, resources::cpu_time_of(server.pid()));
    let open_on_server = live_streams(&client, &server.base_url).await;
    if let Some(open) = open_on_server {
        anyhow::ensure!(
            open as usize == streams.len(),
            "the server reports {open} live streams, {} were opened",
            streams.len()
        );
    }
    let growth_kib = match (before, after) {
        (Some(before), Some(after)) => Some(after.rss_kib as f64 - before.rss_kib as f64),
        _ => None,
    };
    let millis = |duration: Duration| Some(duration.as_secs_f64() * 1e3);
    Summary::new("idle")
        .count("connections", streams.len() as u64)
        .value("open_s", Some(opening.as_secs_f64()), 2)
        .value("opens_per_s", Some(streams.len() as f64 / opening.as_secs_f64()), 0)
        .value("open_p50_ms", millis(open_latencies.percentile(0.50)), 2)
        .value("open_p99_ms", millis(open_latencies.percentile(0.99)), 2)
        .value("server_rss_before_mib", mib(before.map(|memory| memory.rss_kib)), 1)
        .value("server_rss_after_mib", mib(after.map(|memory| memory.rss_kib)), 1)
        .value(
            "server_kib_per_connection",
            growth_kib.map(|growth| growth / streams.len() as f64),
            2,
        )
        .value("server_peak_rss_mib", mib(after.map(|memory| memory.peak_kib)), 1)
        .value(
            "server_cpu_us_per_connection",
            cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / streams.len() as f64),
            1,
        )
        .print();
    drop(streams);
    Ok(())
}

/// A conversation's id and bearer token.
struct Conversation {
    id: String,
    token: String,
}

async fn create_conversations(
    client: &reqwest::Client,
    base_url: &str,
    count: usize,
) -> anyhow::Result<Vec<Conversation>> {
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..CREATE_CONCURRENCY.min(count) {
        let client = client.clone();
        let base_url = base_url.to_owned();
        // Worker w creates conversations w, w + C, w + 2C, ...
        let share = (worker..count).step_by(CREATE_CONCURRENCY).count();
        tasks.spawn(async move {
            let mut created = Vec::with_capacity(share);
            for _ in 0..share {
                let body: serde_json::Value = client
                    .post(format!("{base_url}/api/v1/conversations"))
                    .json(&serde_json::json!({ "locale": "nl" }))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                created.push(Conversation {
                    id: body["id"].as_str().context("conversation id")?.to_owned(),
                    token: body["token"].as_str().context("conversation token")?.to_owned(),
                });
            }
            anyhow::Ok(created)
        });
    }
    let mut conversations = Vec::with_capacity(count);
    while let Some(result) = tasks.join_next().await {
        conversations.extend(result.context("conversation task")??);
    }
    Ok(conversations)
}

/// Opens one stream per conversation, [`OPEN_CONCURRENCY`] at a time; returns the streams and
/// how long each took to answer.
async fn open_streams(
    address: &str,
    conversations: Vec<Conversation>,
) -> anyhow::Result<(Vec<TcpStream>, Vec<Duration>)> {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(OPEN_CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for conversation in conversations {
        let permit = permits.clone().acquire_owned().await.context("stream permits")?;
        let address = address.to_owned();
        tasks.spawn(async move {
            let started = Instant::now();
            let stream = open_stream(&address, &conversation).await;
            drop(permit);
            stream.map(|stream| (stream, started.elapsed()))
        });
    }
    let mut streams = Vec::with_capacity(tasks.len());
    let mut latencies = Vec::with_capacity(tasks.len());
    while let Some(result) = tasks.join_next().await {
        let (stream, latency) = result.context("stream task")??;
        streams.push(stream);
        latencies.push(latency);
    }
    Ok((streams, latencies))
}

/// Sends the stream request and reads the response head; the body (events) is left unread.
async fn open_stream(address: &str, conversation: &Conversation) -> anyhow::Result<TcpStream> {
    let mut stream = TcpStream::connect(address).await.context("connecting")?;
    let request = format!(
        "GET /api/v1/conversations/{}/stream HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream\r\n\r\n",
        conversation.id, conversation.token
    );
    stream
        .write_all(request.as_bytes())
        .await
        .context("sending the stream request")?;
    let mut head = Vec::with_capacity(512);
    let mut buffer = [0u8; 512];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        anyhow::ensure!(head.len() < MAX_HEAD_BYTES, "the stream's response head is too long");
        let read = stream.read(&mut buffer).await.context("reading the stream response")?;
        anyhow::ensure!(read > 0, "the server closed the stream before answering");
        head.extend_from_slice(&buffer[..read]);
    }
    let status = status_code(&head).context("the stream response has no status line")?;
    anyhow::ensure!(status == 200, "opening a stream answered {status}");
    Ok(stream)
}

/// The status code of an HTTP/1.x response head.
fn status_code(head: &[u8]) -> Option<u16> {
    let line = head.split(|byte| *byte == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    parts.next().filter(|version| version.starts_with("HTTP/1."))?;
    parts.next()?.parse().ok()
}

/// The server's `loket_live_streams` gauge, if its metrics answer.
async fn live_streams(client: &reqwest::Client, base_url: &str) -> Option<u64> {
    let text = client
        .get(format!("{base_url}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    gauge(&text, "loket_live_streams")
}

/// The value of an unlabelled gauge in Prometheus text format.
fn gauge(metrics: &str, name: &str) -> Option<u64> {
    metrics.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(' ')?;
        value.trim().parse::<f64>().ok().map(|value| value as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_read_from_the_first_line() {
        assert_eq!(
            status_code(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"),
            Some(200)
        );
        assert_eq!(status_code(b"HTTP/1.1 429 Too Many Requests\r\n\r\n"), Some(429));
        assert_eq!(status_code(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_code(b""), None);
    }

    #[test]
    fn the_gauge_is_found_among_other_metrics() {
        let metrics = "# TYPE loket_live_streams gauge\nloket_live_streams_total 9\nloket_live_streams 10000\nloket_agents_online 0\n";
        assert_eq!(gauge(metrics, "loket_live_streams"), Some(10_000));
        assert_eq!(gauge(metrics, "loket_open_tickets"), None);
    }
}

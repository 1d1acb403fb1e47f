//! One `loket serve` process on a free port, and the backends it can run on.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Which database an instance uses.
#[derive(Debug, Clone)]
pub enum Backend {
    /// `loket.sqlite3` in the data directory.
    Sqlite,
    /// A database on the test PostgreSQL server.
    Postgres(String),
}

impl Backend {
    /// The backend's name in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// A fresh PostgreSQL database, or `None` (after saying why) when the test should be skipped.
pub async fn fresh_postgres() -> Option<Backend> {
    let server = match std::env::var("LOKET_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("LOKET_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "LOKET_REQUIRE_POSTGRES=1 but LOKET_TEST_DATABASE_URL is not set"
            );
            eprintln!("skipped: LOKET_TEST_DATABASE_URL not set");
            return None;
        }
    };
    let name = format!("loket_it_{}", uuid::Uuid::new_v4().simple());
    Some(Backend::Postgres(
        loket_store_postgres::create_database(&server, &name).await.unwrap(),
    ))
}

/// A running `loket serve`.
pub struct Instance {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    log: PathBuf,
}

impl Instance {
    /// Starts `loket serve` on `data_dir` and waits until it is ready.
    pub async fn start(data_dir: &Path, backend: &Backend) -> Instance {
        Self::start_with(data_dir, backend, &[]).await
    }

    /// Like [`Instance::start`], with extra environment settings (after the defaults, so they win).
    pub async fn start_with(data_dir: &Path, backend: &Backend, settings: &[(&str, &str)]) -> Instance {
        let port = free_port();
        let log = data_dir.join(format!("serve-{port}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_loket"));
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            // The load comes from one address: lift the per-address and per-conversation limits.
            .env("LOKET_LIMITS__MESSAGES_PER_CONVERSATION_PER_MINUTE", "100000")
            .env("LOKET_LIMITS__REQUESTS_PER_IP_PER_MINUTE", "1000000")
            .env("LOKET_LIMITS__CONVERSATIONS_PER_IP_PER_HOUR", "100000")
            .env("LOKET_LOG", "warn")
            // One key for every instance and restart on the same data, as in a deployment.
            .env(
                "LOKET_MASTER_KEY",
                "5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0",
            )
            .env_remove("LOKET_CONFIG")
            .env_remove("LOKET_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        command.envs(settings.iter().copied());
        if let Backend::Postgres(url) = backend {
            command.arg("--database-url").arg(url);
        }
        let child = command.spawn().unwrap();
        let instance = Instance {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        instance.wait_ready().await;
        instance
    }

    /// Kills the process with SIGKILL: no shutdown, no flush, no goodbye.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        // A child process has no event to await: poll its readiness probe.
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.base)).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "loket serve did not become ready:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A customer's conversation: its id and bearer token.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub token: String,
}

/// Opens a conversation.
pub async fn open(client: &reqwest::Client, base: &str) -> reqwest::Result<Customer> {
    let created: Value = client
        .post(format!("{base}/api/v1/conversations"))
        .json(&serde_json::json!({ "locale": "nl" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Customer {
        id: created["id"].as_str().unwrap().to_string(),
        token: created["token"].as_str().unwrap().to_string(),
    })
}

/// Sends a customer message; on a 2xx returns the seq the server gave it.
pub async fn send(client: &reqwest::Client, base: &str, customer: &Customer, text: &str) -> reqwest::Result<i64> {
    let turn: Value = client
        .post(format!("{base}/api/v1/conversations/{}/messages", customer.id))
        .bearer_auth(&customer.token)
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    // The sender's own message comes first.
    Ok(turn["messages"][0]["seq"].as_i64().unwrap())
}

/// Imports the demo shop's knowledge base into `data_dir` with `loket kb import`.
pub fn import_demo(data_dir: &Path) {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/kb");
    let imported = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["kb", "import", "--data-dir"])
        .arg(data_dir)
        .arg(demo)
        .env("LOKET_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

/// Sends `request` and returns its JSON body; panics on an error status.
pub async fn get_json(request: reqwest::RequestBuilder) -> Value {
    request
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every message of a conversation as (seq, author, text), paging through the list endpoint.
pub async fn all_messages(client: &reqwest::Client, base: &str, customer: &Customer) -> Vec<(i64, String, String)> {
    let mut after = 0;
    let mut messages = Vec::new();
    loop {
        let page = get_json(
            client
                .get(format!(
                    "{base}/api/v1/conversations/{}/messages?after={after}",
                    customer.id
                ))
                .bearer_auth(&customer.token),
        )
        .await;
        let items = page["messages"].as_array().unwrap();
        if items.is_empty() {
            return messages;
        }
        for item in items {
            let seq = item["seq"].as_i64().unwrap();
            messages.push((
                seq,
                item["author"].as_str().unwrap().to_string(),
                item["text"].as_str().unwrap().to_string(),
            ));
            after = seq;
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

//! A `loket serve` child process: the same binary (`std::env::current_exe`), its own data
//! directory, listening on a port the kernel picks. Workloads that measure the server alone
//! (idle, startup) use it, so the load generator's memory and CPU time are not counted.
//!
//! The address is read from the line the server prints once it listens; its standard error is
//! drained for the rest of its life so it never blocks on a full pipe. The child is killed when
//! the handle is dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;

/// How long a server may take to start listening before the run fails.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// How long `/readyz` may keep answering something else than 200 after the server listens.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Pause between two `/readyz` requests while the server is not ready.
const READY_POLL: Duration = Duration::from_millis(2);

/// Lines of the child's standard error kept to explain a failed start.
const KEPT_ERROR_LINES: usize = 20;

/// The text before the address in the line `loket serve` prints once it listens.
const LISTENING_PREFIX: &str = "Loket serves on http://";

/// A running `loket serve`.
pub struct ChildServer {
    /// The process; killed on drop.
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// When the process was spawned.
    pub spawned: Instant,
}

impl ChildServer {
    /// Spawns `loket serve --data-dir DATA_DIR --listen 127.0.0.1:0` (plus `--demo` when
    /// `demo`) with request logging off and `environment` added, and waits until it listens.
    pub fn spawn(data_dir: &Path, demo: bool, environment: &[(&str, String)]) -> anyhow::Result<ChildServer> {
        let executable = std::env::current_exe().context("finding the loket executable")?;
        let mut command = Command::new(executable);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .env("LOKET_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if demo {
            command.arg("--demo");
        }
        for (name, value) in environment {
            command.env(name, value);
        }
        let spawned = Instant::now();
        let mut child = command.spawn().context("spawning loket serve")?;
        let stderr = child.stderr.take().context("the child's standard error")?;
        let (sender, receiver) = mpsc::channel::<Result<String, Vec<String>>>();
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut announced = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if announced {
                    continue;
                }
                if let Some(address) = listening_address(&line) {
                    announced = true;
                    let _ = sender.send(Ok(address.to_owned()));
                } else {
                    if kept.len() == KEPT_ERROR_LINES {
                        kept.remove(0);
                    }
                    kept.push(line);
                }
            }
            if !announced {
                let _ = sender.send(Err(kept));
            }
        });
        let mut server = ChildServer {
            child,
            base_url: String::new(),
            address: String::new(),
            spawned,
        };
        match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Ok(address)) => {
                server.base_url = format!("http://{address}");
                server.address = address;
                Ok(server)
            }
            Ok(Err(lines)) => anyhow::bail!("loket serve exited before listening:\n{}", lines.join("\n")),
            Err(_) => anyhow::bail!("loket serve did not listen within {} s", START_TIMEOUT.as_secs()),
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `/readyz` answers 200 and returns the served knowledge-base generation.
    pub async fn wait_ready(&self, client: &reqwest::Client) -> anyhow::Result<Option<String>> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.base_url)).send().await
                && response.status().is_success()
            {
                let body: serde_json::Value = response.json().await.context("reading /readyz")?;
                return Ok(body["knowledge_base"].as_str().map(str::to_owned));
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "/readyz did not answer 200 within {} s",
                READY_TIMEOUT.as_secs()
            );
            tokio::time::sleep(READY_POLL).await;
        }
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `127.0.0.1:PORT` in the server's "serves on" line.
fn listening_address(line: &str) -> Option<&str> {
    let rest = &line[line.find(LISTENING_PREFIX)? + LISTENING_PREFIX.len()..];
    let address = rest.split(['/', ' ']).next()?;
    (!address.is_empty()).then_some(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_read_from_the_listening_line() {
        let line =
            "Loket serves on http://127.0.0.1:41234/ (demo shop), http://127.0.0.1:41234/console/ (agent console)";
        assert_eq!(listening_address(line), Some("127.0.0.1:41234"));
    }

    #[test]
    fn other_lines_have_no_address() {
        assert_eq!(
            listening_address("demo knowledge base imported: 90 public entries"),
            None
        );
        assert_eq!(listening_address("Loket serves on http:///"), None);
    }
}

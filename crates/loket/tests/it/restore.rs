//! The restore drill of REQUIREMENTS RET-08: a conversation erased after a backup comes back when
//! that backup is restored, and `loket gdpr replay` erases it again from the erasure journal.

use std::path::Path;
use std::process::{Command, Output};

use crate::server::{self, Backend, Instance};

const MASTER_KEY: &str = "5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0de5ec0";

fn loket(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("LOKET_MASTER_KEY", MASTER_KEY)
        .env("LOKET_LOG", "warn")
        .env_remove("LOKET_CONFIG")
        .env_remove("LOKET_DATABASE_URL")
        .output()
        .unwrap()
}

/// Copies the SQLite database with its write-ahead log (a stopped server's files are a
/// consistent backup) from `from` to `to`, removing what `to` had.
fn copy_database(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let name = format!("loket.sqlite3{suffix}");
        let _ = std::fs::remove_file(to.join(&name));
        if from.join(&name).exists() {
            std::fs::copy(from.join(&name), to.join(&name)).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_is_replayed_after_a_backup_is_restored_ret_08() {
    let data = tempfile::tempdir().unwrap();
    let backup = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();

    let mut instance = Instance::start(data.path(), &Backend::Sqlite).await;
    let customer = server::open(&client, &instance.base).await.unwrap();
    server::send(&client, &instance.base, &customer, "Mijn IBAN is NL91ABNA0417164300")
        .await
        .unwrap();
    instance.kill();
    copy_database(data.path(), backup.path());

    let mut instance = Instance::start(data.path(), &Backend::Sqlite).await;
    let erased = client
        .delete(format!("{}/api/v1/conversations/{}", instance.base, customer.id))
        .bearer_auth(&customer.token)
        .send()
        .await
        .unwrap();
    assert!(erased.status().is_success(), "{}", instance.log_tail());
    instance.kill();
    let journal = std::fs::read_to_string(data.path().join("erasure-journal.jsonl")).unwrap();
    assert!(journal.contains(&customer.id), "{journal}");
    assert!(!journal.contains("NL91"), "{journal}");

    // The restore brings the conversation and its personal data back.
    copy_database(backup.path(), data.path());
    let export = ["gdpr", "export", "--conversation", customer.id.as_str()];
    let restored = loket(data.path(), &export);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(String::from_utf8_lossy(&restored.stdout).contains("NL91ABNA0417164300"));

    let replayed = loket(data.path(), &["gdpr", "replay"]);
    assert!(
        replayed.status.success(),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&replayed.stdout).unwrap();
    assert_eq!(report["erased"], 1, "{report}");
    assert_eq!(report["entries"], 1, "{report}");
    let gone = loket(data.path(), &export);
    assert!(!gone.status.success(), "the replayed conversation is still there");

    // A second replay finds nothing left to do.
    let again = loket(data.path(), &["gdpr", "replay"]);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (report["erased"].as_u64(), report["already_gone"].as_u64()),
        (Some(0), Some(1))
    );
}

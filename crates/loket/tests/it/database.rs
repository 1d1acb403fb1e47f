//! Backend choice (`--database-url`, `LOKET_DATABASE_URL`) and `loket migrate`.

use std::path::Path;
use std::process::Command;

use crate::server;

fn loket() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loket"));
    command.env_remove("LOKET_CONFIG").env_remove("LOKET_DATABASE_URL");
    command
}

#[test]
fn migrate_creates_the_sqlite_database_in_the_data_directory_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let output = loket()
        .arg("migrate")
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(dir.path().join("loket.sqlite3").exists());
    assert!(String::from_utf8_lossy(&output.stderr).contains("SQLite schema is up to date"));
}

#[test]
fn an_unreachable_postgres_fails_clearly_without_printing_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = loket()
        .arg("migrate")
        .arg("--data-dir")
        .arg(dir.path())
        .env(
            "LOKET_DATABASE_URL",
            "postgres://loket:hunter2-secret@127.0.0.1:1/loket",
        )
        .env("LOKET_DATABASE__ACQUIRE_TIMEOUT_SECONDS", "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("opening the PostgreSQL database"), "{stderr}");
    assert!(!stderr.contains("hunter2-secret"), "{stderr}");
}

#[test]
fn config_check_never_prints_the_database_url() {
    let output = loket()
        .args(["config", "check"])
        .env("LOKET_DATABASE_URL", "postgres://loket:hunter2-secret@db/loket")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("hunter2-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_brings_a_fresh_postgres_database_up_to_date_and_is_idempotent() {
    let Some(server::Backend::Postgres(url)) = server::fresh_postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = loket()
            .arg("migrate")
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--database-url")
            .arg(&url)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("PostgreSQL schema is up to date"), "{stderr}");
    }
    assert!(!dir.path().join("loket.sqlite3").exists());
}

#[test]
fn user_add_needs_a_recorded_ai_literacy_training_for_operators_gov_03() {
    let dir = tempfile::tempdir().unwrap();
    let add = |role: &str, name: &str, training: Option<&str>| {
        let mut command = loket();
        command
            .args(["user", "add", "--data-dir"])
            .arg(dir.path())
            .args(["--role", role]);
        if let Some(training) = training {
            command.args(["--ai-literacy", training]);
        }
        command.arg(name).output().unwrap()
    };
    for role in ["agent", "admin"] {
        let refused = add(role, "piet", None);
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("--ai-literacy"),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
    }
    let control = add("agent", "piet", Some("LMS\u{7}2026"));
    assert!(!control.status.success(), "a reference with a control character");
    let created = add("agent", "piet", Some("LMS-2026-0142"));
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    // An auditor operates nothing and needs none.
    let auditor = add("auditor", "oog", None);
    assert!(auditor.status.success(), "{}", String::from_utf8_lossy(&auditor.stderr));
}

/// `loket compliance report --format json` for the data directory `dir`.
fn compliance_report(dir: &Path) -> serde_json::Value {
    let report = loket()
        .args(["compliance", "report", "--format", "json", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    serde_json::from_slice(&report.stdout).unwrap()
}

/// The row `id` of the compliance report for `dir`, as JSON text (empty when missing).
fn report_row(dir: &Path, id: &str) -> String {
    compliance_report(dir)["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|section| section["rows"].as_array().into_iter().flatten())
        .find(|row| row["id"] == id)
        .map(|row| row.to_string())
        .unwrap_or_default()
}

/// HUM-08: each operator serves customers in the languages given at creation (both by
/// default); an unknown language is refused, and the compliance report counts operators per
/// language.
#[test]
fn user_add_records_the_languages_an_operator_serves_in_hum_08() {
    let dir = tempfile::tempdir().unwrap();
    let add = |name: &str, languages: Option<&str>| {
        let mut command = loket();
        command.args(["user", "add", "--data-dir"]).arg(dir.path()).args([
            "--role",
            "agent",
            "--ai-literacy",
            "LMS-2026-0142",
        ]);
        if let Some(languages) = languages {
            command.args(["--languages", languages]);
        }
        command.arg(name).output().unwrap()
    };
    for bad in ["de", "nl,fr", "", "nl-NL"] {
        let refused = add("piet", Some(bad));
        assert!(!refused.status.success(), "{bad:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("nl, en or nl,en"), "{bad:?}: {stderr}");
    }
    for (name, languages) in [("john", Some("en")), ("sanne", None), ("kees", Some("nl, en"))] {
        let created = add(name, languages);
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    }
    let counted = || {
        let report = compliance_report(dir.path()).to_string();
        ["Dutch: 2, in English: 3", "Dutch: 3, in English: 2"]
            .into_iter()
            .find(|counts| report.contains(&format!("operators serving customers in {counts}")))
            .map(str::to_owned)
    };
    assert_eq!(counted().as_deref(), Some("Dutch: 2, in English: 3"));
    // Languages change later: John learnt Dutch and Kees serves in Dutch only.
    let set = |name: &str, languages: &str| {
        loket()
            .args(["user", "languages", "--data-dir"])
            .arg(dir.path())
            .args(["--languages", languages, name])
            .output()
            .unwrap()
    };
    let changed = set("john", "nl,en");
    assert!(changed.status.success(), "{}", String::from_utf8_lossy(&changed.stderr));
    assert!(String::from_utf8_lossy(&changed.stdout).contains("`john` serves customers in nl, en"));
    assert!(set("kees", "nl").status.success());
    assert_eq!(counted().as_deref(), Some("Dutch: 3, in English: 2"));
    let unknown = set("nobody", "nl");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no staff account `nobody`"));
    assert!(!set("john", "fr").status.success());
}

#[test]
fn a_breach_not_notified_within_72_hours_shows_in_the_compliance_report_sec_10() {
    let dir = tempfile::tempdir().unwrap();
    let record = |extra: &[&str]| {
        loket()
            .args(["breach", "record", "--data-dir"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let long_ago = (chrono::Utc::now() - chrono::Duration::hours(100)).to_rfc3339();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(24)).to_rfc3339();
    let base = [
        "--reference",
        "DL-2026-07",
        "--kind",
        "misdirected_transcript",
        "--risk",
        "risk",
    ];
    for (bad, why) in [
        (vec!["--detected-at", tomorrow.as_str()], "discovered in the future"),
        (vec!["--detected-at", "gisteren"], "not a time"),
    ] {
        let refused = record(&[&base[..], &bad[..]].concat());
        assert!(!refused.status.success(), "{why}");
    }
    let refused = record(&[
        "--reference",
        "DL-2026-07",
        "--kind",
        "gossip",
        "--risk",
        "risk",
        "--detected-at",
        &long_ago,
    ]);
    assert!(!refused.status.success(), "an unknown kind");
    let recorded = record(&[&base[..], &["--detected-at", long_ago.as_str()][..]].concat());
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    assert!(String::from_utf8_lossy(&recorded.stderr).contains("not notified within 72 hours"));

    let row = report_row(dir.path(), "SEC-10");
    assert!(row.contains("\"status\":\"not_met\""), "{row}");
    assert!(row.contains("DL-2026-07"), "{row}");
}

/// `loket gdpr request` keeps the register of data subjects' requests from the command line
/// (PRIV-07, GDPR art. 12(3)): registering, extending within the first month, answering, and the
/// register as JSON, with the same refusals as the API.
#[test]
fn the_register_of_requests_works_from_the_command_line_priv_07() {
    let dir = tempfile::tempdir().unwrap();
    let request = |args: &[&str]| {
        let mut command = loket();
        command
            .args(["gdpr", "request"])
            .arg(args[0])
            .arg("--data-dir")
            .arg(dir.path())
            .args(&args[1..]);
        command.output().unwrap()
    };
    let json = |output: &std::process::Output| -> serde_json::Value {
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let old = (chrono::Utc::now() - chrono::Duration::days(45)).to_rfc3339();
    let registered = json(&request(&["register", "--reference", "AVG-1", "--right", "objection"]));
    assert_eq!(registered["standing"], "open");
    assert_eq!(registered["right"], "objection");
    let late = json(&request(&[
        "register",
        "--reference",
        "AVG-2",
        "--right",
        "access",
        "--received-at",
        &old,
    ]));
    assert_eq!(late["standing"], "overdue");
    for (args, why) in [
        (
            vec!["register", "--reference", "AVG-1", "--right", "access"],
            "reference_taken",
        ),
        (
            vec!["register", "--reference", "AVG-3", "--right", "forget"],
            "unknown right",
        ),
        (
            vec![
                "register",
                "--reference",
                "AVG-3",
                "--right",
                "access",
                "--received-at",
                "gisteren",
            ],
            "not a time",
        ),
        (vec!["extend", "--reference", "AVG-2"], "extension too late"),
        (
            vec!["answer", "--reference", "AVG-9", "--outcome", "fulfilled"],
            "unknown reference",
        ),
        (
            vec!["answer", "--reference", "AVG-1", "--outcome", "maybe"],
            "unknown outcome",
        ),
    ] {
        assert!(!request(&args).status.success(), "{why}");
    }
    let extended = json(&request(&["extend", "--reference", "AVG-1"]));
    assert!(extended["extension_possible_until"].is_null());
    let answered = json(&request(&["answer", "--reference", "AVG-1", "--outcome", "refused"]));
    assert_eq!(answered["standing"], "answered_in_time");
    let register = json(&request(&["list"]));
    assert_eq!(
        (register["open"].as_u64(), register["late"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(register["requests"][0]["reference"], "AVG-2");
    assert_eq!(register["requests"][1]["outcome"], "refused");
}

/// GOV-06: imports and rollbacks of the knowledge base from the command line are audited with
/// the generation they serve, and the compliance report counts them.
#[test]
fn knowledge_imports_and_rollbacks_are_audited_gov_06() {
    let dir = tempfile::tempdir().unwrap();
    crate::server::import_demo(dir.path());
    crate::server::import_demo(dir.path());
    let rolled = loket()
        .args(["kb", "rollback", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(rolled.status.success(), "{}", String::from_utf8_lossy(&rolled.stderr));
    let served = String::from_utf8_lossy(&rolled.stdout).to_string();
    let gov_06 = report_row(dir.path(), "GOV-06");
    assert!(
        gov_06.contains("knowledge imports audited: 2, rollbacks: 1"),
        "{gov_06}"
    );
    // The generation the rollback serves is the one the report names.
    let generation = served
        .split_whitespace()
        .find(|word| word.starts_with("gen-"))
        .expect("the rollback names the generation it serves");
    assert!(gov_06.contains(generation), "{gov_06} / {served}");
}

/// GOV-06: `loket serve --demo` imports the demo knowledge base into an empty data directory, and
/// that import is audited like any other; a second start finds it and imports nothing.
#[test]
fn the_demo_import_of_serve_demo_is_audited_gov_06() {
    let dir = tempfile::tempdir().unwrap();
    let serve_once = |dir: &Path| {
        let port = server::free_port();
        let mut child = loket()
            .args(["serve", "--demo", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(dir)
            .env("LOKET_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The audit records of the start are written before the server listens.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "loket serve --demo did not listen"
            );
            assert!(child.try_wait().unwrap().is_none(), "loket serve --demo exited");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    };
    serve_once(dir.path());
    let row = report_row(dir.path(), "GOV-06");
    assert!(row.contains("knowledge imports audited: 1, rollbacks: 0"), "{row}");
    serve_once(dir.path());
    let row = report_row(dir.path(), "GOV-06");
    assert!(row.contains("knowledge imports audited: 1, rollbacks: 0"), "{row}");
}

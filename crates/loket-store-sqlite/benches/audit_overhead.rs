//! What appending audit records costs a chat turn (issue 7 target: at most 10 % on the turn's
//! p99). Commits the same customer turn (a customer message and an answer) to a file-backed
//! database in WAL mode with `synchronous = FULL`, once with the turn's audit records (hash
//! chained, in the same transaction) and once without, alternating so both see the same disk.
//!
//! Run: `cargo bench -p loket-store-sqlite --bench audit_overhead`

use std::time::Instant;

use chrono::Utc;
use loket_core::audit::{AuditEvent, AuditKind};
use loket_core::config::Config;
use loket_core::{Author, Conversation, ConversationId, Locale, MessageKind, NewMessage};
use loket_store::{Commit, NewConversation, Store};
use loket_store_sqlite::SqliteStore;

/// Commits per variant under `cargo bench`.
const TURNS: usize = 2000;
/// Commits per variant when `cargo test --all-targets` runs this bench as a smoke test.
const SMOKE_TURNS: usize = 20;

fn message(author: Author, kind: MessageKind) -> NewMessage {
    NewMessage {
        author,
        kind,
        text: "Hoe lang duurt de levering naar België? Meestal twee werkdagen.".into(),
        author_label: "AI-assistent".into(),
        lang: Locale::Nl,
        citations: Vec::new(),
        offers_human: false,
        generated_by: None,
        suggestions: Vec::new(),
    }
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let directory = tempfile::tempdir().expect("temporary directory");
        let store = SqliteStore::open(directory.path(), 1).await.expect("database");
        let wording = loket_core::wording::Wording::new(&Config::default()).expect("wording");
        let now = Utc::now();
        let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let transition = Conversation::start(id.clone(), Locale::Nl, now, &wording);
        store
            .create_conversation(NewConversation {
                conversation: transition.conversation.clone(),
                token_hash: "hash".into(),
                data_key: b"key".to_vec(),
                subject: None,
                messages: transition.messages,
                audit: transition.audit,
                now,
            })
            .await
            .expect("conversation");
        let mut conversation = transition.conversation;
        let turns = if std::env::args().any(|argument| argument == "--bench") {
            TURNS
        } else {
            SMOKE_TURNS
        };
        let mut with_audit = Vec::with_capacity(turns);
        let mut without_audit = Vec::with_capacity(turns);
        for turn in 0..turns * 2 {
            let audited = turn % 2 == 0;
            let audit = if audited {
                vec![
                    AuditEvent::new(AuditKind::PiiRedacted, Some(&id), "system").count("IBAN", 1),
                    AuditEvent::new(AuditKind::AiAnswer, Some(&id), "system").id("faq-levering"),
                ]
            } else {
                Vec::new()
            };
            let commit = Commit {
                conversation: conversation.clone(),
                messages: vec![
                    message(Author::Customer, MessageKind::Text),
                    message(Author::Ai, MessageKind::Answer),
                ],
                audit,
                vault: Vec::new(),
                ticket: None,
                sensitive: false,
                now: Utc::now(),
            };
            let started = Instant::now();
            store.commit(commit).await.expect("commit");
            let micros = started.elapsed().as_secs_f64() * 1e6;
            conversation.version += 1;
            if audited {
                with_audit.push(micros);
            } else {
                without_audit.push(micros);
            }
        }
        for samples in [&mut with_audit, &mut without_audit] {
            samples.sort_by(f64::total_cmp);
        }
        let report = |name: &str, samples: &[f64]| {
            println!(
                "{name:<22} p50 {:>8.1} µs  p99 {:>8.1} µs",
                percentile(samples, 0.5),
                percentile(samples, 0.99)
            );
        };
        println!("commit of one chat turn, {turns} each, file-backed SQLite (WAL, synchronous=FULL)");
        report("without audit records", &without_audit);
        report("with 2 audit records", &with_audit);
        let overhead =
            |fraction: f64| (percentile(&with_audit, fraction) / percentile(&without_audit, fraction) - 1.0) * 100.0;
        println!(
            "audit overhead: p50 {:+.1} %, p99 {:+.1} %",
            overhead(0.5),
            overhead(0.99)
        );
    });
}

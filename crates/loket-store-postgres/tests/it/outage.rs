//! A database that is unreachable, slow or drops its connections: the store answers with
//! [`Error::Backend`] promptly (the server's 503) and recovers by itself.

use std::time::{Duration, Instant};

use chrono::Utc;
use loket_core::config::Config;
use loket_core::wording::Wording;
use loket_core::{Conversation, ConversationId, Locale};
use loket_store::{Commit, Error, NewConversation, Store};
use loket_store_postgres::{PgStore, PoolSettings};

use super::fresh_database;

#[tokio::test]
async fn an_unreachable_database_is_a_backend_error_that_names_no_secret() {
    let settings = PoolSettings {
        acquire_timeout: Duration::from_secs(2),
        ..PoolSettings::default()
    };
    // Port 1 on loopback: nothing listens there.
    let started = Instant::now();
    let refused = PgStore::connect("postgres://loket:s3cr3t-pw@127.0.0.1:1/loket", settings).await;
    match refused {
        Err(Error::Backend(description)) => assert!(!description.contains("s3cr3t-pw"), "{description}"),
        Err(other) => panic!("expected a backend error, got {other}"),
        Ok(_) => panic!("connected to nothing"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    let malformed = PgStore::connect("postgres://loket:s3cr3t-pw@[bad/loket", settings).await;
    assert!(matches!(malformed, Err(Error::Backend(description)) if !description.contains("s3cr3t-pw")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_recovers_after_the_server_dropped_every_connection() {
    let Some(url) = fresh_database().await else { return };
    let store = PgStore::connect(&url, PoolSettings::default()).await.unwrap();
    let id = create(&store).await;
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    let terminated: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert!(!terminated.is_empty());
    // The pool notices dead connections when it hands them out and opens new ones.
    let record = store.conversation(&id).await.unwrap();
    assert_eq!(record.conversation.id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_stuck_behind_a_lock_times_out_as_a_backend_error_and_changes_nothing() {
    let Some(url) = fresh_database().await else { return };
    let settings = PoolSettings {
        statement_timeout: Duration::from_millis(300),
        ..PoolSettings::default()
    };
    let store = PgStore::connect(&url, settings).await.unwrap();
    let id = create(&store).await;
    let conversation = store.conversation(&id).await.unwrap().conversation;
    // Another session holds the conversation's row: to the store the database is "slow".
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    let mut blocker = admin.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE")
        .bind(id.as_str())
        .execute(&mut *blocker)
        .await
        .unwrap();
    let commit = Commit {
        conversation: conversation.clone(),
        messages: Vec::new(),
        audit: Vec::new(),
        vault: Vec::new(),
        ticket: None,
        sensitive: false,
        now: Utc::now(),
    };
    let started = Instant::now();
    let slow = store.commit(commit.clone()).await;
    assert!(matches!(slow, Err(Error::Backend(_))), "{slow:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    blocker.rollback().await.unwrap();
    assert_eq!(store.conversation(&id).await.unwrap().conversation.version, 0);
    store.commit(commit).await.unwrap();
    assert_eq!(store.conversation(&id).await.unwrap().conversation.version, 1);
}

async fn create(store: &PgStore) -> ConversationId {
    let now = Utc::now();
    let wording = Wording::new(&Config::default()).unwrap();
    let transition = Conversation::start(
        ConversationId::from_uuid(uuid::Uuid::new_v4()),
        Locale::Nl,
        now,
        &wording,
    );
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
        .unwrap();
    transition.conversation.id
}

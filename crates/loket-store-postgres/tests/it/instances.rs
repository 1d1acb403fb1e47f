//! Several stores on one database, each with its own pool, as several `loket serve` instances
//! would be: claims, seqs and the audit chain stay correct across them.

use std::sync::Arc;

use chrono::Utc;
use loket_core::audit::{AuditEvent, AuditKind, verify_chain};
use loket_core::config::Config;
use loket_core::conversation::AgentRef;
use loket_core::wording::Wording;
use loket_core::{AgentId, Author, Conversation, ConversationId, ConversationState, Locale, MessageKind, NewMessage};
use loket_store::{Commit, Error, NewConversation, Store};
use loket_store_postgres::{Change, ChangeNotice, PgStore, PoolSettings};

use super::fresh_database;

async fn instances(count: usize) -> Option<Vec<Arc<PgStore>>> {
    let url = fresh_database().await?;
    // All instances start at once: the migrator's lock lets exactly one apply the schema.
    let connecting = (0..count).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { PgStore::connect(&url, PoolSettings::default()).await })
    });
    let mut stores = Vec::new();
    for handle in connecting {
        stores.push(Arc::new(handle.await.unwrap().unwrap()));
    }
    Some(stores)
}

async fn create(store: &PgStore) -> Conversation {
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
    transition.conversation
}

fn customer_message() -> NewMessage {
    NewMessage {
        author: Author::Customer,
        kind: MessageKind::Text,
        text: "hallo".into(),
        author_label: "U".into(),
        lang: Locale::Nl,
        citations: Vec::new(),
        offers_human: false,
        generated_by: None,
        suggestions: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_claiming_one_conversation_get_one_success_and_one_conflict() {
    let Some(stores) = instances(2).await else { return };
    let conversation = create(&stores[0]).await;
    let claims = stores.iter().enumerate().map(|(index, store)| {
        let mut claimed = conversation.clone();
        claimed.state = ConversationState::WithAgent;
        claimed.assigned_agent = Some(AgentRef {
            id: AgentId::parse(&format!("agent{index}")).unwrap(),
            display_name: format!("Agent {index}"),
        });
        let store = Arc::clone(store);
        tokio::spawn(async move {
            store
                .commit(Commit {
                    conversation: claimed,
                    messages: Vec::new(),
                    audit: vec![AuditEvent::new(AuditKind::HandoffAccepted, None, "agent")],
                    vault: Vec::new(),
                    ticket: None,
                    sensitive: false,
                    now: Utc::now(),
                })
                .await
        })
    });
    let mut outcomes = Vec::new();
    for claim in claims {
        outcomes.push(claim.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|outcome| outcome.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|outcome| matches!(outcome, Err(Error::Conflict)))
            .count(),
        1
    );
    let held = stores[1].conversation(&conversation.id).await.unwrap().conversation;
    assert_eq!(held.version, 1);
    assert_eq!(held.state, ConversationState::WithAgent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_on_three_instances_keep_one_linear_audit_chain_and_gapless_seqs() {
    let Some(stores) = instances(3).await else { return };
    let shared = create(&stores[0]).await;
    let mut writers = Vec::new();
    for (index, store) in stores.iter().enumerate() {
        for _ in 0..4 {
            let store = Arc::clone(store);
            let id = shared.id.clone();
            writers.push(tokio::spawn(async move {
                // Everyone writes to one conversation, retrying on conflict as the service does.
                let mut written = 0;
                while written < 5 {
                    let current = store.conversation(&id).await.unwrap().conversation;
                    let outcome = store
                        .commit(Commit {
                            conversation: current,
                            messages: vec![customer_message()],
                            audit: vec![AuditEvent::new(AuditKind::PiiRedacted, Some(&id), "customer")],
                            vault: Vec::new(),
                            ticket: None,
                            sensitive: false,
                            now: Utc::now(),
                        })
                        .await;
                    match outcome {
                        Ok(_) => written += 1,
                        Err(Error::Conflict) => {}
                        Err(other) => panic!("instance {index}: {other}"),
                    }
                }
                create(&store).await;
            }));
        }
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let messages = stores[2].messages(&shared.id, 0, 1000).await.unwrap();
    let seqs: Vec<i64> = messages.iter().map(|message| message.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    let customer = messages
        .iter()
        .filter(|message| message.message.author == Author::Customer)
        .count();
    assert_eq!(customer, 3 * 4 * 5);
    let records = stores[1].audit_records(0, 10_000).await.unwrap();
    // 13 conversations started (2 records each) and 60 commits with one record each.
    assert_eq!(verify_chain(records), Ok(13 * 2 + 60));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_on_one_instance_is_announced_to_the_others_by_ids_only() {
    let Some(stores) = instances(2).await else { return };
    let mut notices = stores[1].listen().await.unwrap();
    let conversation = create(&stores[0]).await;
    let commit = |conversation: &Conversation, state: ConversationState| {
        let mut after = conversation.clone();
        after.state = state;
        Commit {
            conversation: after,
            messages: vec![customer_message(), customer_message()],
            audit: Vec::new(),
            vault: Vec::new(),
            ticket: None,
            sensitive: false,
            now: Utc::now(),
        }
    };
    let stored = stores[0]
        .commit(commit(&conversation, ConversationState::WaitingForAgent))
        .await
        .unwrap();
    assert_eq!(
        next_notice(&mut notices).await,
        ChangeNotice {
            conversation: conversation.id.clone(),
            change: Change::Committed {
                first_seq: stored[0].seq,
                last_seq: stored[1].seq,
                state: Some(ConversationState::WaitingForAgent),
                ticket: false,
            },
        }
    );
    // A losing commit announces nothing, and an instance does not hear its own commits.
    let stale = stores[0]
        .commit(commit(&conversation, ConversationState::WaitingForAgent))
        .await;
    assert!(matches!(stale, Err(Error::Conflict)));
    let mut current = stores[1].conversation(&conversation.id).await.unwrap().conversation;
    stores[1]
        .commit(commit(&current, ConversationState::WaitingForAgent))
        .await
        .unwrap();
    current.version += 1;
    let last = stores[0]
        .commit(commit(&current, ConversationState::WaitingForAgent))
        .await
        .unwrap();
    assert_eq!(
        next_notice(&mut notices).await,
        ChangeNotice {
            conversation: conversation.id.clone(),
            change: Change::Committed {
                first_seq: last[0].seq,
                last_seq: last[1].seq,
                state: None,
                ticket: false,
            },
        }
    );
}

async fn next_notice(notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>) -> ChangeNotice {
    tokio::time::timeout(std::time::Duration::from_secs(10), notices.recv())
        .await
        .unwrap()
        .unwrap()
}

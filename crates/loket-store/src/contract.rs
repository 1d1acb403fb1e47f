//! The contract test suite: what every [`Store`] backend must do, written once and run against
//! each backend from its own tests (feature `contract`).
//!
//! Each case is a `pub async fn` that takes a fresh, empty store as `&dyn Store` and asserts
//! one behaviour of the trait. A backend runs them all with one line,
//! [`contract_tests!`](crate::contract_tests), which expands to one `#[tokio::test]` per case,
//! so a new case added to the list runs on every backend.
//!
//! # Layout
//! - the cases, grouped as the trait is: conversations and messages, vault and tickets, queue
//!   and stats, staff, webhooks, the audit chain, legal hold, retention, erasure, listings;
//! - [`contract_tests!`](crate::contract_tests), the list of cases;
//! - builders for conversations, messages and commits, last.

// This module is test code compiled into the library so that other crates' tests can call it:
// a failed expectation must panic, so unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use loket_core::audit::{AuditEvent, AuditKind, verify_chain, verify_chain_from};
use loket_core::config::Config;
use loket_core::conversation::AgentRef;
use loket_core::staff::Role;
use loket_core::wording::Wording;
use loket_core::{AgentId, Author, Conversation, ConversationId, ConversationState, Locale, MessageKind, NewMessage};

use crate::{
    Checkpoint, Commit, CountRequest, Erased, Error, Expiry, NewConversation, SecondFactor, SecondFactorChange,
    StaffAccount, StaffSession, Store, SubjectRef, Ticket, VaultEntry, WebhookDelivery,
};

/// Expands to one `#[tokio::test]` per contract case. `$fresh` is an async function returning
/// `Option<Arc<dyn Store>>`: a fresh, empty store, or `None` to skip (it says why).
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract_tests!(@cases $fresh;
            a_created_conversation_reads_back_with_its_messages_numbered_from_one,
            the_chain_continues_from_the_anchor_when_retention_removed_every_record,
            times_read_back_exactly_as_returned_at_microsecond_precision,
            a_stale_version_is_a_conflict_and_seqs_have_no_gaps,
            concurrent_commits_of_one_version_have_exactly_one_winner,
            concurrent_commits_to_different_conversations_all_succeed_with_gapless_seqs,
            commits_to_several_conversations_at_once_conflict_only_where_stale,
            an_ai_message_before_the_disclosure_is_refused,
            an_ai_message_stored_together_after_its_disclosure_is_accepted,
            suggested_questions_read_back_in_order_and_none_as_none,
            the_model_that_wrote_a_message_reads_back_through_create_and_commit,
            a_duplicate_conversation_id_is_a_conflict,
            an_unknown_conversation_is_not_found,
            messages_page_by_seq,
            the_vault_keeps_insertion_order_and_refuses_a_duplicate_placeholder,
            tickets_are_listed_per_conversation_and_open_ones_newest_first,
            the_queue_is_ordered_by_waiting_time_and_held_conversations_by_agent,
            stats_count_states_authors_audit_records_and_open_tickets,
            staff_accounts_are_unique_and_sessions_live_until_deleted,
            second_factor_changes_hold_only_under_their_conditions,
            the_cached_turn_context_is_the_stored_one,
            a_statutory_ground_keeps_a_conversation_until_its_own_period,
            concurrent_turns_leave_the_turn_context_stored,
            webhook_deliveries_are_listed_newest_first,
            the_audit_chain_verifies_across_commits,
            the_audit_chain_stays_linear_under_concurrent_writers,
            audit_records_of_one_kind_page_in_order_and_leave_out_the_others,
            a_legal_hold_stops_erasure_and_retention,
            retention_in_small_batches_removes_each_expired_record_once_and_counts_it,
            audit_retention_keeps_an_anchor_from_which_the_rest_still_verifies,
            erasure_removes_everything_attached_and_certifies_the_counts,
            checkpoints_are_kept_in_order_and_a_second_one_at_the_same_seq_conflicts,
            conversation_ids_page_in_id_order,
            conversations_of_a_subject_are_found_by_its_hash,
            a_failing_turn_among_concurrent_turns_leaves_the_others_stored,
            a_turn_context_is_the_conversation_its_data_key_and_its_vault,
            rate_counters_are_kept_only_by_a_shared_store_and_limit_per_key_and_window,
            each_instance_sees_the_agents_the_others_published_recently,
        );
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $fresh().await {
                    $crate::contract::$case(&*store).await;
                }
            }
        )*
    };
}

// ---- conversations and messages ----

/// A created conversation reads back as created, its messages numbered 1..n.
pub async fn a_created_conversation_reads_back_with_its_messages_numbered_from_one(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let subject = SubjectRef {
        hash: "subject-hash".into(),
        sealed: vec![0, 1, 2, 255],
    };
    let mut new = new_conversation(
        &transition.conversation,
        transition.messages.clone(),
        transition.audit,
        now,
    );
    new.subject = Some(subject.clone());
    new.data_key = vec![9, 8, 7, 0, 255];
    let stored = store.create_conversation(new).await.unwrap();
    let seqs: Vec<i64> = stored.iter().map(|message| message.seq).collect();
    assert_eq!(seqs, (1..=transition.messages.len() as i64).collect::<Vec<_>>());
    let record = store.conversation(&transition.conversation.id).await.unwrap();
    assert_eq!(record.conversation, transition.conversation);
    assert_eq!(record.token_hash, "token-hash");
    assert_eq!(record.subject, Some(subject));
    assert!(!record.legal_hold);
    assert!(!record.sensitive);
    assert_eq!(
        store.data_key(&transition.conversation.id).await.unwrap(),
        vec![9, 8, 7, 0, 255]
    );
    assert_eq!(
        store.messages(&transition.conversation.id, 0, 100).await.unwrap(),
        stored
    );
}

/// What a write returns is exactly what a later read returns, times included.
pub async fn times_read_back_exactly_as_returned_at_microsecond_precision(store: &dyn Store) {
    // A time with nanoseconds, which no backend stores.
    let now = DateTime::from_timestamp(1_750_000_000, 123_456_789).unwrap();
    let id = create(store, now).await;
    let conversation = store.conversation(&id).await.unwrap().conversation;
    let stored = store
        .commit(commit(&conversation, vec![customer_message("hallo")], now))
        .await
        .unwrap();
    assert_eq!(stored[0].created_at.timestamp_subsec_nanos(), 123_456_000);
    let read = store.messages(&id, stored[0].seq - 1, 1).await.unwrap();
    assert_eq!(read, stored);
    let head = store.audit_head().await.unwrap().unwrap();
    assert_eq!(head.at.timestamp_subsec_nanos(), 123_456_000);
}

/// A commit with a version that is no longer current fails and changes nothing.
pub async fn a_stale_version_is_a_conflict_and_seqs_have_no_gaps(store: &dyn Store) {
    let now = now();
    let id = create(store, now).await;
    let first = store.conversation(&id).await.unwrap().conversation;
    let base = store.messages(&id, 0, 100).await.unwrap().len() as i64;
    let stored = store
        .commit(commit(&first, vec![customer_message("a"), customer_message("b")], now))
        .await
        .unwrap();
    assert_eq!(
        stored.iter().map(|message| message.seq).collect::<Vec<_>>(),
        vec![base + 1, base + 2]
    );
    let stale = store.commit(commit(&first, vec![customer_message("c")], now)).await;
    assert!(matches!(stale, Err(Error::Conflict)), "{stale:?}");
    let current = store.conversation(&id).await.unwrap().conversation;
    assert_eq!(current.version, first.version + 1);
    store
        .commit(commit(&current, vec![customer_message("d")], now))
        .await
        .unwrap();
    let seqs: Vec<i64> = store
        .messages(&id, 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|message| message.seq)
        .collect();
    assert_eq!(seqs, (1..=base + 3).collect::<Vec<_>>());
}

/// Two writers that read the same version race (two agents claiming one conversation): one
/// wins, the other gets a conflict, and only the winner's message exists.
pub async fn concurrent_commits_of_one_version_have_exactly_one_winner(store: &dyn Store) {
    let now = now();
    let id = create(store, now).await;
    let read = store.conversation(&id).await.unwrap().conversation;
    let before = store.messages(&id, 0, 100).await.unwrap().len();
    let claims = (0..8).map(|agent| {
        let mut claimed = read.clone();
        claimed.state = ConversationState::WithAgent;
        claimed.assigned_agent = Some(AgentRef {
            id: AgentId::parse(&format!("agent{agent}")).unwrap(),
            display_name: format!("Agent {agent}"),
        });
        store.commit(commit(&claimed, vec![system_message()], now))
    });
    let results = join_all(claims).await;
    let winners = results.iter().filter(|result| result.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|result| matches!(result, Err(Error::Conflict)))
        .count();
    assert_eq!((winners, conflicts), (1, 7), "{results:?}");
    assert_eq!(store.messages(&id, 0, 100).await.unwrap().len(), before + 1);
    assert_eq!(
        store.conversation(&id).await.unwrap().conversation.version,
        read.version + 1
    );
}

/// Many conversations written at once: every commit succeeds and each conversation's seqs
/// are 1..n.
pub async fn concurrent_commits_to_different_conversations_all_succeed_with_gapless_seqs(store: &dyn Store) {
    let now = now();
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(create(store, now).await);
    }
    let writers = ids.iter().map(|id| async move {
        for round in 0..5 {
            let conversation = store.conversation(id).await.unwrap().conversation;
            store
                .commit(commit(&conversation, vec![customer_message(&format!("r{round}"))], now))
                .await
                .unwrap();
        }
    });
    join_all(writers).await;
    for id in &ids {
        let seqs: Vec<i64> = store
            .messages(id, 0, 100)
            .await
            .unwrap()
            .iter()
            .map(|message| message.seq)
            .collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
        let customer = store
            .messages(id, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|message| message.message.author == Author::Customer)
            .count();
        assert_eq!(customer, 5);
    }
    assert!(verify_chain(store.audit_records(0, 10_000).await.unwrap()).is_ok());
}

/// Commits to several conversations at once (one group in a store that groups turns), half of
/// them made from a version that is no longer current: exactly those are conflicts and change
/// nothing; every other one is stored whole (state, agent, version, the next message seq, its
/// audit record chained onto the existing chain).
pub async fn commits_to_several_conversations_at_once_conflict_only_where_stale(store: &dyn Store) {
    let now = now();
    let mut reads = Vec::new();
    for _ in 0..6 {
        let id = create(store, now).await;
        reads.push(store.conversation(&id).await.unwrap().conversation);
    }
    for read in reads.iter().step_by(2) {
        store
            .commit(commit(read, vec![customer_message("moved on")], now))
            .await
            .unwrap();
    }
    let mut before = Vec::new();
    for read in &reads {
        before.push(store.messages(&read.id, 0, 100).await.unwrap().len() as i64);
    }
    let claims = reads.iter().enumerate().map(|(number, read)| {
        let mut claimed = read.clone();
        claimed.state = ConversationState::WithAgent;
        claimed.assigned_agent = Some(AgentRef {
            id: AgentId::parse(&format!("agent{number}")).unwrap(),
            display_name: format!("Agent {number}"),
        });
        let mut claim = commit(&claimed, vec![system_message()], now);
        claim.audit = vec![AuditEvent::new(AuditKind::HandoffAccepted, Some(&read.id), "agent")];
        store.commit(claim)
    });
    let audit_before = store.audit_records(0, 10_000).await.unwrap().len();
    let results = join_all(claims).await;
    for (number, ((read, result), before)) in reads.iter().zip(&results).zip(&before).enumerate() {
        let stored = store.conversation(&read.id).await.unwrap().conversation;
        assert_eq!(stored.version, read.version + 1, "conversation {number}");
        if number % 2 == 0 {
            assert!(
                matches!(result, Err(Error::Conflict)),
                "conversation {number}: {result:?}"
            );
            assert_eq!(stored.assigned_agent, None, "conversation {number}");
            assert_eq!(
                store.messages(&read.id, 0, 100).await.unwrap().len() as i64,
                *before,
                "conversation {number}"
            );
        } else {
            let seqs: Vec<i64> = result.as_ref().unwrap().iter().map(|message| message.seq).collect();
            assert_eq!(seqs, vec![before + 1], "conversation {number}");
            assert_eq!(stored.state, ConversationState::WithAgent, "conversation {number}");
            assert_eq!(
                stored.assigned_agent.map(|agent| agent.display_name),
                Some(format!("Agent {number}"))
            );
        }
    }
    // The three commits that went through appended one record each, onto the existing chain.
    let records = store.audit_records(0, 10_000).await.unwrap();
    assert_eq!(records.len(), audit_before + 3);
    assert_eq!(verify_chain(records), Ok((audit_before + 3) as u64));
}

/// The database itself refuses an AI message in a conversation without a disclosure (DIS-01).
pub async fn an_ai_message_before_the_disclosure_is_refused(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let refused = store
        .create_conversation(new_conversation(
            &transition.conversation,
            vec![ai_message()],
            Vec::new(),
            now,
        ))
        .await;
    assert!(matches!(refused, Err(Error::Backend(_))), "{refused:?}");
    assert!(matches!(
        store.conversation(&transition.conversation.id).await,
        Err(Error::NotFound)
    ));
}

/// The approved questions offered with an abstention are stored with it, in order; a message
/// without any reads back without any.
pub async fn suggested_questions_read_back_in_order_and_none_as_none(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let mut messages = transition.messages.clone();
    let mut abstention = ai_message();
    abstention.kind = MessageKind::Abstention;
    abstention.citations = Vec::new();
    abstention.suggestions = vec![
        loket_core::Suggestion {
            entry_id: "retour-nl".into(),
            question: "Hoe kan ik mijn bestelling retourneren?".into(),
        },
        loket_core::Suggestion {
            entry_id: "kosten-retour-nl".into(),
            question: "Wie betaalt de kosten van een \"retour\"?".into(),
        },
    ];
    messages.push(abstention.clone());
    messages.push(system_message());
    let stored = create_started(store, transition.clone(), messages, now).await;
    let read = store.messages(&transition.conversation.id, 0, 100).await.unwrap();
    assert_eq!(read, stored);
    let abstention_read = read
        .iter()
        .find(|message| message.message.kind == MessageKind::Abstention);
    assert_eq!(abstention_read.unwrap().message.suggestions, abstention.suggestions);
    assert!(read.last().unwrap().message.suggestions.is_empty());
}

/// The language model that wrote an AI message is kept with it, through a new conversation and
/// through a group commit; a message without one reads back without one (DIS-10).
pub async fn the_model_that_wrote_a_message_reads_back_through_create_and_commit(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let mut messages = transition.messages.clone();
    let mut generated = ai_message();
    generated.generated_by = Some("openai:mistral-small-2506".into());
    messages.push(generated.clone());
    let created = create_started(store, transition.clone(), messages, now).await;
    let conversation = store
        .conversation(&transition.conversation.id)
        .await
        .unwrap()
        .conversation;
    let mut local = ai_message();
    local.generated_by = Some("local:smollm2-135m-instruct.gguf".into());
    let committed = store
        .commit(commit(&conversation, vec![customer_message("vraag"), local], now))
        .await
        .unwrap();
    let read = store.messages(&transition.conversation.id, 0, 100).await.unwrap();
    assert_eq!(read, [created, committed].concat());
    let models: Vec<Option<&str>> = read
        .iter()
        .map(|message| message.message.generated_by.as_deref())
        .collect();
    assert_eq!(
        models,
        [
            None,
            Some("openai:mistral-small-2506"),
            None,
            Some("local:smollm2-135m-instruct.gguf")
        ]
    );
}

/// Stores the conversation `transition` started, with `messages` instead of the transition's own.
async fn create_started(
    store: &dyn Store,
    transition: loket_core::conversation::Transition,
    messages: Vec<NewMessage>,
    now: DateTime<Utc>,
) -> Vec<loket_core::StoredMessage> {
    store
        .create_conversation(new_conversation(
            &transition.conversation,
            messages,
            transition.audit,
            now,
        ))
        .await
        .unwrap()
}

/// An AI message in the same write as the disclosure before it is accepted: the database checks
/// each row against the rows written before it.
pub async fn an_ai_message_stored_together_after_its_disclosure_is_accepted(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let mut messages = transition.messages.clone();
    messages.push(ai_message());
    let stored = create_started(store, transition.clone(), messages, now).await;
    assert_eq!(stored.last().unwrap().message.author, Author::Ai);
    assert_eq!(
        store.messages(&transition.conversation.id, 0, 100).await.unwrap(),
        stored
    );
}

/// Creating a conversation whose id exists is a conflict and leaves the first one alone.
pub async fn a_duplicate_conversation_id_is_a_conflict(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let new = new_conversation(&transition.conversation, transition.messages, transition.audit, now);
    store.create_conversation(new.clone()).await.unwrap();
    let again = store.create_conversation(new).await;
    assert!(matches!(again, Err(Error::Conflict)), "{again:?}");
    assert_eq!(store.audit_records(0, 100).await.unwrap().len(), transition_audit_len());
}

/// Reads of a conversation that does not exist say so; a commit to it is a conflict.
pub async fn an_unknown_conversation_is_not_found(store: &dyn Store) {
    let now = now();
    let transition = start(now);
    let id = &transition.conversation.id;
    assert!(matches!(store.conversation(id).await, Err(Error::NotFound)));
    assert!(matches!(store.data_key(id).await, Err(Error::NotFound)));
    assert!(store.messages(id, 0, 10).await.unwrap().is_empty());
    let hold = AuditEvent::new(AuditKind::LegalHold, Some(id), "admin:root");
    assert!(matches!(
        store.set_legal_hold(id, true, hold, now).await,
        Err(Error::NotFound)
    ));
    let orphan = store
        .commit(commit(&transition.conversation, vec![customer_message("x")], now))
        .await;
    assert!(matches!(orphan, Err(Error::Conflict)), "{orphan:?}");
    assert!(store.audit_records(0, 10).await.unwrap().is_empty());
}

/// `messages(after, limit)` pages through a conversation without overlap or omission.
pub async fn messages_page_by_seq(store: &dyn Store) {
    let now = now();
    let id = create(store, now).await;
    let mut conversation = store.conversation(&id).await.unwrap().conversation;
    for index in 0..10 {
        store
            .commit(commit(&conversation, vec![customer_message(&format!("m{index}"))], now))
            .await
            .unwrap();
        conversation.version += 1;
    }
    let total = store.messages(&id, 0, 1000).await.unwrap().len();
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.messages(&id, after, 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        after = page.last().unwrap().seq;
        seen.extend(page.into_iter().map(|message| message.seq));
    }
    assert_eq!(seen, (1..=total as i64).collect::<Vec<_>>());
    assert!(store.messages(&id, total as i64, 10).await.unwrap().is_empty());
}

// ---- vault and tickets ----

/// Vault entries come back in the order they were stored; a placeholder stored twice in one
/// conversation is a conflict and the commit is undone as a whole.
pub async fn the_vault_keeps_insertion_order_and_refuses_a_duplicate_placeholder(store: &dyn Store) {
    let now = now();
    let id = create(store, now).await;
    let conversation = store.conversation(&id).await.unwrap().conversation;
    let entries: Vec<VaultEntry> = ["[IBAN_1]", "[EMAIL_1]", "[BSN_1]"]
        .iter()
        .map(|placeholder| VaultEntry {
            placeholder: (*placeholder).into(),
            kind: placeholder.trim_matches(['[', ']']).split('_').next().unwrap().into(),
            sealed: format!("sealed {placeholder}").into_bytes(),
        })
        .collect();
    let mut first = commit(&conversation, vec![customer_message("[IBAN_1]")], now);
    first.vault = entries.clone();
    store.commit(first).await.unwrap();
    assert_eq!(store.vault(&id).await.unwrap(), entries);
    let mut conversation = conversation;
    conversation.version += 1;
    let mut duplicate = commit(&conversation, vec![customer_message("again")], now);
    duplicate.vault = vec![entries[0].clone()];
    let result = store.commit(duplicate).await;
    assert!(matches!(result, Err(Error::Conflict)), "{result:?}");
    assert_eq!(
        store.conversation(&id).await.unwrap().conversation.version,
        conversation.version
    );
    assert_eq!(store.vault(&id).await.unwrap(), entries);
}

/// Tickets are listed per conversation oldest first, and open tickets newest first.
pub async fn tickets_are_listed_per_conversation_and_open_ones_newest_first(store: &dyn Store) {
    let now = now();
    let first = create(store, now).await;
    let second = create(store, now).await;
    let mut made = Vec::new();
    for (index, id) in [&first, &second, &first].into_iter().enumerate() {
        let conversation = store.conversation(id).await.unwrap().conversation;
        let mut change = commit(&conversation, vec![system_message()], now);
        let ticket = ticket(
            id,
            now + Duration::seconds(index as i64),
            if index == 1 { "done" } else { "open" },
        );
        change.ticket = Some(ticket.clone());
        store.commit(change).await.unwrap();
        made.push(ticket);
    }
    assert_eq!(
        store.tickets(&first).await.unwrap(),
        vec![made[0].clone(), made[2].clone()]
    );
    assert_eq!(store.tickets(&second).await.unwrap(), vec![made[1].clone()]);
    assert_eq!(
        store.open_tickets().await.unwrap(),
        vec![made[2].clone(), made[0].clone()]
    );
}

// ---- queue, agents and stats ----

/// The queue lists waiting conversations longest waiting first, numbered from 1; `held_by`
/// lists an agent's conversations.
pub async fn the_queue_is_ordered_by_waiting_time_and_held_conversations_by_agent(store: &dyn Store) {
    let now = now();
    let mut waiting = Vec::new();
    for minutes_ago in [5, 20, 10] {
        let id = create(store, now).await;
        let mut conversation = store.conversation(&id).await.unwrap().conversation;
        conversation.state = ConversationState::WaitingForAgent;
        conversation.waiting_since = Some(now - Duration::minutes(minutes_ago));
        store.commit(commit(&conversation, Vec::new(), now)).await.unwrap();
        waiting.push((minutes_ago, id));
    }
    let held = create(store, now).await;
    let mut conversation = store.conversation(&held).await.unwrap().conversation;
    conversation.state = ConversationState::WithAgent;
    conversation.assigned_agent = Some(AgentRef {
        id: AgentId::parse("sanne").unwrap(),
        display_name: "Sanne".into(),
    });
    store.commit(commit(&conversation, Vec::new(), now)).await.unwrap();
    create(store, now).await;

    let queue = store.queue().await.unwrap();
    let order: Vec<(&ConversationId, u32)> = queue
        .iter()
        .map(|entry| (&entry.conversation.id, entry.position))
        .collect();
    assert_eq!(order, vec![(&waiting[1].1, 1), (&waiting[2].1, 2), (&waiting[0].1, 3)]);
    let by_sanne = store.held_by(&AgentId::parse("sanne").unwrap()).await.unwrap();
    assert_eq!(by_sanne.len(), 1);
    assert_eq!(by_sanne[0].id, held);
    assert_eq!(by_sanne[0].assigned_agent.as_ref().unwrap().display_name, "Sanne");
    assert!(
        store
            .held_by(&AgentId::parse("piet").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}

/// Stats count conversations per state, messages per author, audit records and open tickets.
pub async fn stats_count_states_authors_audit_records_and_open_tickets(store: &dyn Store) {
    let empty = store.stats().await.unwrap();
    assert_eq!(empty, crate::Stats::default());
    let now = now();
    let first = create(store, now).await;
    create(store, now).await;
    let mut conversation = store.conversation(&first).await.unwrap().conversation;
    conversation.state = ConversationState::Closed;
    let mut change = commit(
        &conversation,
        vec![customer_message("a"), ai_message(), system_message()],
        now,
    );
    change.ticket = Some(ticket(&first, now, "open"));
    store.commit(change).await.unwrap();
    let stats = store.stats().await.unwrap();
    let disclosures = start(now).messages.len() as i64;
    assert_eq!(stats.conversations, 2);
    assert_eq!(
        (stats.bot, stats.closed, stats.waiting_for_agent, stats.with_agent),
        (1, 1, 0, 0)
    );
    assert_eq!(stats.messages_customer, 1);
    assert_eq!(stats.messages_ai, 1);
    assert_eq!(
        stats.messages_system + stats.messages_agent + stats.messages_ai + stats.messages_customer,
        2 * disclosures + 3
    );
    assert_eq!(stats.audit_records, 2 * transition_audit_len() as i64);
    assert_eq!(stats.open_tickets, 1);
}

// ---- staff ----

/// A login can be created once; a session reads back, is touched, and is gone after deletion.
pub async fn staff_accounts_are_unique_and_sessions_live_until_deleted(store: &dyn Store) {
    let now = now();
    let account = StaffAccount {
        id: AgentId::parse("sanne").unwrap(),
        display_name: "Sanne".into(),
        role: Role::Admin,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: now,
        ai_literacy: Some("LMS-2026-0142".into()),
        languages: vec![Locale::Nl, Locale::En],
        second_factor: SecondFactor::default(),
    };
    let created = AuditEvent::new(AuditKind::StaffCreated, None, "cli");
    store.create_staff(&account, created.clone()).await.unwrap();
    assert_eq!(store.staff(&account.id).await.unwrap(), account);
    // Operators (agents and admins) are counted, and those without a recorded AI-literacy
    // training apart (GOV-03); an auditor operates nothing.
    // Each reads back with the languages it serves customers in (HUM-08).
    for (login, role, training, languages) in [
        ("piet", Role::Agent, None, vec![Locale::En]),
        ("oog", Role::Auditor, None, vec![Locale::Nl, Locale::En]),
        ("kees", Role::Agent, Some("certificaat 7"), vec![Locale::Nl]),
    ] {
        let other = StaffAccount {
            id: AgentId::parse(login).unwrap(),
            role,
            ai_literacy: training.map(str::to_owned),
            languages,
            ..account.clone()
        };
        store
            .create_staff(&other, AuditEvent::new(AuditKind::StaffCreated, None, "cli"))
            .await
            .unwrap();
        assert_eq!(store.staff(&other.id).await.unwrap(), other);
    }
    // Languages change with an audit record in the same transaction, and only for an account
    // that exists.
    let kees = AgentId::parse("kees").unwrap();
    let changed = AuditEvent::new(AuditKind::StaffLanguagesChanged, None, "cli");
    store
        .set_staff_languages(&kees, &[Locale::Nl, Locale::En], changed.clone(), now)
        .await
        .unwrap();
    assert_eq!(store.staff(&kees).await.unwrap().languages, [Locale::Nl, Locale::En]);
    store
        .set_staff_languages(&kees, &[Locale::Nl], changed.clone(), now)
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_staff_languages(&AgentId::parse("nobody").unwrap(), &[Locale::Nl], changed, now)
            .await,
        Err(Error::NotFound)
    ));
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.operators, stats.operators_without_ai_literacy), (3, 1));
    // Sanne (admin) serves both languages, Piet English, Kees Dutch; the auditor serves nobody.
    assert_eq!((stats.operators_serving_dutch, stats.operators_serving_english), (2, 2));
    assert!(matches!(
        store.create_staff(&account, created).await,
        Err(Error::Conflict)
    ));
    assert!(matches!(
        store.staff(&AgentId::parse("nobody").unwrap()).await,
        Err(Error::NotFound)
    ));
    let session = StaffSession {
        token_hash: "session-hash".into(),
        staff_id: account.id.clone(),
        csrf_token: "csrf".into(),
        created_at: now,
        last_seen_at: now,
    };
    let login = AuditEvent::new(AuditKind::StaffLogin, None, "agent:sanne");
    store.create_session(&session, login).await.unwrap();
    assert_eq!(store.session("session-hash").await.unwrap(), session);
    let later = now + Duration::minutes(3);
    store.touch_session("session-hash", later).await.unwrap();
    assert_eq!(store.session("session-hash").await.unwrap().last_seen_at, later);
    let logout = AuditEvent::new(AuditKind::StaffLogout, None, "agent:sanne");
    store.delete_session("session-hash", Some(logout), later).await.unwrap();
    assert!(matches!(store.session("session-hash").await, Err(Error::NotFound)));
    let kinds = audit_kinds(store).await;
    assert_eq!(
        kinds,
        vec![
            AuditKind::StaffCreated,
            AuditKind::StaffCreated,
            AuditKind::StaffCreated,
            AuditKind::StaffCreated,
            AuditKind::StaffLanguagesChanged,
            AuditKind::StaffLanguagesChanged,
            AuditKind::StaffLogin,
            AuditKind::StaffLogout
        ]
    );
}

/// SEC-09: a secret is set up in two steps, each code's step and each recovery code is accepted
/// once, and a reset removes everything and ends the member's sessions; a change whose
/// condition fails writes nothing, not even its audit record.
pub async fn second_factor_changes_hold_only_under_their_conditions(store: &dyn Store) {
    let now = now();
    let id = AgentId::parse("sanne").unwrap();
    let account = StaffAccount {
        id: id.clone(),
        display_name: "Sanne".into(),
        role: Role::Agent,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: now,
        ai_literacy: None,
        languages: vec![Locale::En],
        second_factor: SecondFactor::default(),
    };
    store
        .create_staff(&account, AuditEvent::new(AuditKind::StaffCreated, None, "cli"))
        .await
        .unwrap();
    assert_eq!(store.stats().await.unwrap().staff_without_second_factor, 1);
    let change = |change: SecondFactorChange| store.change_second_factor(&id, change, vec![], now);
    assert!(
        !change(SecondFactorChange::UseStep(5)).await.unwrap(),
        "nothing in use yet"
    );
    assert!(change(SecondFactorChange::Begin { sealed: vec![1] }).await.unwrap());
    assert!(
        change(SecondFactorChange::Begin { sealed: vec![2] }).await.unwrap(),
        "a new start replaces"
    );
    let enable = |sealed: u8| SecondFactorChange::Enable {
        sealed: vec![sealed],
        step: 100,
        recovery_hashes: vec!["r1".into(), "r2".into()],
    };
    assert!(
        !change(enable(1)).await.unwrap(),
        "only the pending secret can be enabled"
    );
    let enabled = AuditEvent::new(AuditKind::StaffSecondFactorEnabled, None, "agent:sanne");
    assert!(
        store
            .change_second_factor(&id, enable(2), vec![enabled], now)
            .await
            .unwrap()
    );
    let stored = store.staff(&id).await.unwrap().second_factor;
    assert_eq!(
        stored,
        SecondFactor {
            totp_sealed: Some(vec![2]),
            pending_sealed: None,
            last_step: Some(100),
            recovery_hashes: vec!["r1".into(), "r2".into()],
        }
    );
    assert_eq!(store.stats().await.unwrap().staff_without_second_factor, 0);
    assert!(
        !change(SecondFactorChange::Begin { sealed: vec![3] }).await.unwrap(),
        "one in use"
    );
    assert!(
        !change(SecondFactorChange::UseStep(100)).await.unwrap(),
        "the confirming code is spent"
    );
    assert!(change(SecondFactorChange::UseStep(101)).await.unwrap());
    assert!(!change(SecondFactorChange::UseStep(101)).await.unwrap(), "no replay");
    assert!(!change(SecondFactorChange::UseStep(99)).await.unwrap(), "no older code");
    // Concurrent logins with one code: exactly one is accepted.
    let racing = futures_util::future::join_all((0..4).map(|_| change(SecondFactorChange::UseStep(102)))).await;
    assert_eq!(
        racing
            .into_iter()
            .filter(|accepted| *accepted.as_ref().unwrap())
            .count(),
        1
    );
    assert!(change(SecondFactorChange::UseRecoveryCode("r1".into())).await.unwrap());
    assert!(
        !change(SecondFactorChange::UseRecoveryCode("r1".into())).await.unwrap(),
        "used once"
    );
    assert!(!change(SecondFactorChange::UseRecoveryCode("r9".into())).await.unwrap());
    assert_eq!(
        store.staff(&id).await.unwrap().second_factor.recovery_hashes,
        vec!["r2".to_string()]
    );
    let session = StaffSession {
        token_hash: "second-factor-session".into(),
        staff_id: id.clone(),
        csrf_token: "csrf".into(),
        created_at: now,
        last_seen_at: now,
    };
    store
        .create_session(&session, AuditEvent::new(AuditKind::StaffLogin, None, "agent:sanne"))
        .await
        .unwrap();
    let reset = AuditEvent::new(AuditKind::StaffSecondFactorReset, None, "cli");
    assert!(
        store
            .change_second_factor(&id, SecondFactorChange::Reset, vec![reset], now)
            .await
            .unwrap()
    );
    assert_eq!(store.staff(&id).await.unwrap().second_factor, SecondFactor::default());
    assert!(matches!(
        store.session("second-factor-session").await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        store
            .change_second_factor(
                &AgentId::parse("nobody").unwrap(),
                SecondFactorChange::Reset,
                vec![],
                now
            )
            .await,
        Err(Error::NotFound)
    ));
    let kinds = audit_kinds(store).await;
    assert_eq!(
        kinds,
        vec![
            AuditKind::StaffCreated,
            AuditKind::StaffSecondFactorEnabled,
            AuditKind::StaffLogin,
            AuditKind::StaffSecondFactorReset
        ]
    );
}

// ---- webhooks ----

/// Delivery attempts come back newest first, limited.
pub async fn webhook_deliveries_are_listed_newest_first(store: &dyn Store) {
    let now = now();
    let mut attempts = Vec::new();
    for attempt in 1..=4u32 {
        let delivery = WebhookDelivery {
            delivery: "d1".into(),
            event: "handoff.requested".into(),
            url: "https://example.invalid/hook".into(),
            attempt,
            status: if attempt == 4 { Some(200) } else { None },
            outcome: if attempt == 4 { "delivered" } else { "retrying" }.into(),
            at: now + Duration::seconds(i64::from(attempt)),
        };
        store.record_webhook_delivery(&delivery).await.unwrap();
        attempts.push(delivery);
    }
    attempts.reverse();
    assert_eq!(store.webhook_deliveries(3).await.unwrap(), attempts[..3].to_vec());
    assert_eq!(store.webhook_deliveries(10).await.unwrap(), attempts);
}

// ---- the audit chain ----

/// Records written by creations, commits and plain appends form one verifiable chain.
pub async fn the_audit_chain_verifies_across_commits(store: &dyn Store) {
    let now = now();
    for _ in 0..3 {
        let id = create(store, now).await;
        let conversation = store.conversation(&id).await.unwrap().conversation;
        let mut change = commit(&conversation, vec![customer_message("x")], now);
        change.audit = vec![AuditEvent::new(AuditKind::PiiRedacted, Some(&id), "customer").count("IBAN", 1)];
        store.commit(change).await.unwrap();
    }
    store
        .append_audit(vec![AuditEvent::new(AuditKind::ConfigLoaded, None, "system")], now)
        .await
        .unwrap();
    let records = store.audit_records(0, 1000).await.unwrap();
    let expected = 3 * (transition_audit_len() + 1) + 1;
    assert_eq!(records.len(), expected);
    assert_eq!(verify_chain(records.clone()), Ok(expected as u64));
    assert_eq!(store.audit_head().await.unwrap().as_ref(), records.last());
    let paged = store.audit_records(2, 3).await.unwrap();
    assert_eq!(paged, records[2..5].to_vec());
}

/// The registers read their own kinds of record: indexed kinds and any other kind alike come
/// back in seq order, paged by `after` and `limit`, without the records of other kinds.
pub async fn audit_records_of_one_kind_page_in_order_and_leave_out_the_others(store: &dyn Store) {
    let now = now();
    let kinds = [
        AuditKind::ConfigLoaded,
        AuditKind::RightsRequestRecorded,
        AuditKind::BreachRecorded,
        AuditKind::RightsRequestRecorded,
        AuditKind::ReportGenerated,
        AuditKind::RightsRequestRecorded,
        AuditKind::ConfigLoaded,
    ];
    for (index, kind) in kinds.iter().enumerate() {
        let event = AuditEvent::new(*kind, None, "cli").attribute("reference", format!("R-{index}"));
        store.append_audit(vec![event], now).await.unwrap();
    }
    let all = store.audit_records(0, 100).await.unwrap();
    for kind in [
        AuditKind::RightsRequestRecorded,
        AuditKind::BreachRecorded,
        AuditKind::ConfigLoaded,
    ] {
        let expected: Vec<_> = all.iter().filter(|record| record.event.kind == kind).cloned().collect();
        assert_eq!(
            store.audit_records_of_kind(kind, 0, 100).await.unwrap(),
            expected,
            "{kind:?}"
        );
    }
    let requests = store
        .audit_records_of_kind(AuditKind::RightsRequestRecorded, 0, 100)
        .await
        .unwrap();
    assert_eq!(requests.len(), 3);
    let second_page = store
        .audit_records_of_kind(AuditKind::RightsRequestRecorded, requests[0].seq, 1)
        .await
        .unwrap();
    assert_eq!(second_page, requests[1..2].to_vec());
    assert!(
        store
            .audit_records_of_kind(AuditKind::AdviceDeclined, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Writers appending at the same time (other instances, on PostgreSQL) never fork the chain.
pub async fn the_audit_chain_stays_linear_under_concurrent_writers(store: &dyn Store) {
    let now = now();
    let writers = (0..16).map(|index| async move {
        if index % 2 == 0 {
            create(store, now).await;
        } else {
            let events = vec![
                AuditEvent::new(AuditKind::ConfigLoaded, None, "system"),
                AuditEvent::new(AuditKind::KnowledgeImported, None, "cli"),
            ];
            store.append_audit(events, now).await.unwrap();
        }
    });
    join_all(writers).await;
    let records = store.audit_records(0, 1000).await.unwrap();
    let expected = 8 * transition_audit_len() + 8 * 2;
    assert_eq!(verify_chain(records), Ok(expected as u64));
}

// ---- legal hold, retention, erasure ----

/// A conversation under legal hold is neither erased nor expired, until the hold is lifted.
pub async fn a_legal_hold_stops_erasure_and_retention(store: &dyn Store) {
    let old = now() - Duration::days(400);
    let id = seeded_conversation(store, "HOLD", old, false).await;
    let hold = AuditEvent::new(AuditKind::LegalHold, Some(&id), "admin:root");
    store.set_legal_hold(&id, true, hold.clone(), now()).await.unwrap();
    assert!(store.conversation(&id).await.unwrap().legal_hold);
    let erase = AuditEvent::new(AuditKind::SubjectErased, Some(&id), "admin:root");
    let refused = store.erase_conversations(std::slice::from_ref(&id), erase, now()).await;
    assert!(matches!(refused, Err(Error::Conflict)), "{refused:?}");
    let run = AuditEvent::new(AuditKind::RetentionRun, None, "system");
    for expiry in [
        Expiry::Transcripts(now()),
        Expiry::SensitiveTranscripts(now()),
        Expiry::Vault(now()),
        Expiry::Tickets(now()),
    ] {
        assert_eq!(store.expire(expiry, 10, run.clone(), now()).await.unwrap(), 0);
    }
    assert_eq!(store.vault(&id).await.unwrap().len(), 1);
    assert_eq!(store.tickets(&id).await.unwrap().len(), 1);
    store.set_legal_hold(&id, false, hold, now()).await.unwrap();
    assert!(!store.conversation(&id).await.unwrap().legal_hold);
    assert_eq!(
        store.expire(Expiry::Transcripts(now()), 10, run, now()).await.unwrap(),
        1
    );
    assert!(verify_chain(store.audit_records(0, 1000).await.unwrap()).is_ok());
}

/// RET-03: a conversation tagged with a statutory ground is skipped by the ordinary periods,
/// vault included, and removed by its ground's period (unless held); a ground the configuration
/// no longer lists falls back to the ordinary period; removing the tag restores the ordinary
/// periods.
pub async fn a_statutory_ground_keeps_a_conversation_until_its_own_period(store: &dyn Store) {
    let old = now() - Duration::days(400);
    let tagged = seeded_conversation(store, "MIFID", old, true).await;
    let retired = seeded_conversation(store, "RETIRED", old, false).await;
    let untagged = seeded_conversation(store, "UNTAGGED", old, false).await;
    let plain = seeded_conversation(store, "PLAIN", old, false).await;
    let tag = |id: &ConversationId, ground: Option<&str>| {
        let event = AuditEvent::new(AuditKind::StatutoryRetention, Some(id), "admin:root")
            .attribute("ground", ground.unwrap_or("none"));
        (id.clone(), ground.map(str::to_owned), event)
    };
    for (id, ground) in [
        (&tagged, Some("mifid_ii")),
        (&retired, Some("retired")),
        (&untagged, Some("wwft")),
        (&untagged, None),
    ] {
        let (id, ground, event) = tag(id, ground);
        store.set_statutory_ground(&id, ground, event, now()).await.unwrap();
    }
    assert_eq!(
        store.conversation(&tagged).await.unwrap().statutory_ground.as_deref(),
        Some("mifid_ii")
    );
    assert_eq!(store.conversation(&untagged).await.unwrap().statutory_ground, None);
    assert_eq!(store.stats().await.unwrap().statutory_kept, 2);
    let unknown = ConversationId::from_uuid(uuid::Uuid::new_v4());
    let (_, ground, event) = tag(&unknown, Some("mifid_ii"));
    assert!(matches!(
        store.set_statutory_ground(&unknown, ground, event, now()).await,
        Err(Error::NotFound)
    ));
    let run = AuditEvent::new(AuditKind::RetentionRun, None, "system");
    let expire = |expiry: Expiry| store.expire(expiry, 10, run.clone(), now());
    // The ordinary periods take the untagged (and the untagged-again) conversations only.
    assert_eq!(expire(Expiry::SensitiveTranscripts(now())).await.unwrap(), 0);
    assert_eq!(expire(Expiry::Transcripts(now())).await.unwrap(), 2);
    assert_eq!(expire(Expiry::Vault(now())).await.unwrap(), 0);
    for gone in [&untagged, &plain] {
        assert!(matches!(store.conversation(gone).await, Err(Error::NotFound)));
    }
    assert_eq!(store.vault(&tagged).await.unwrap().len(), 1);
    // Not yet at the ground's own time; a ground no longer configured gets the ordinary one.
    let ground = |before| Expiry::StatutoryTranscripts {
        ground: "mifid_ii".into(),
        before,
    };
    assert_eq!(expire(ground(old - Duration::days(1))).await.unwrap(), 0);
    let unlisted = Expiry::UnlistedStatutoryTranscripts {
        listed: vec!["mifid_ii".into(), "wwft".into()],
        before: now(),
    };
    assert_eq!(expire(unlisted).await.unwrap(), 1);
    assert!(matches!(store.conversation(&retired).await, Err(Error::NotFound)));
    // A legal hold still wins.
    let hold = AuditEvent::new(AuditKind::LegalHold, Some(&tagged), "admin:root");
    store.set_legal_hold(&tagged, true, hold.clone(), now()).await.unwrap();
    assert_eq!(expire(ground(now())).await.unwrap(), 0);
    store.set_legal_hold(&tagged, false, hold, now()).await.unwrap();
    assert_eq!(expire(ground(now())).await.unwrap(), 1);
    assert!(matches!(store.conversation(&tagged).await, Err(Error::NotFound)));
    assert!(verify_chain(store.audit_records(0, 1000).await.unwrap()).is_ok());
}

/// Retention removes at most `limit` per call, oldest first, each record once, and counts what
/// it removed in one audit record per non-empty batch (RET-02).
pub async fn retention_in_small_batches_removes_each_expired_record_once_and_counts_it(store: &dyn Store) {
    let now = now();
    let old = now - Duration::days(100);
    let mut expired = Vec::new();
    for index in 0..5 {
        expired.push(seeded_conversation(store, &format!("OLD-{index}"), old, false).await);
    }
    let recent = seeded_conversation(store, "NEW", now, false).await;
    let sensitive = seeded_conversation(store, "SENSITIVE", now - Duration::days(10), true).await;
    assert!(store.conversation(&sensitive).await.unwrap().sensitive);
    assert!(!store.conversation(&recent).await.unwrap().sensitive);

    let run = AuditEvent::new(AuditKind::RetentionRun, None, "system");
    let cutoff = now - Duration::days(90);
    let mut removed = Vec::new();
    loop {
        let batch = store.expire(Expiry::Vault(cutoff), 2, run.clone(), now).await.unwrap();
        removed.push(batch);
        if batch == 0 {
            break;
        }
    }
    assert_eq!(removed, vec![2, 2, 1, 0]);
    assert_eq!(store.vault(&recent).await.unwrap().len(), 1);
    assert_eq!(
        store
            .expire(Expiry::Tickets(now - Duration::days(5)), 4, run.clone(), now)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .expire(
                Expiry::SensitiveTranscripts(now - Duration::days(7)),
                10,
                run.clone(),
                now
            )
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .expire(Expiry::Transcripts(cutoff), 3, run.clone(), now)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .expire(Expiry::Transcripts(cutoff), 3, run.clone(), now)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .expire(Expiry::Transcripts(cutoff), 3, run.clone(), now)
            .await
            .unwrap(),
        0
    );
    for id in expired.iter().chain([&sensitive]) {
        assert!(matches!(store.conversation(id).await, Err(Error::NotFound)));
        assert!(store.messages(id, 0, 10).await.unwrap().is_empty());
    }
    assert_eq!(store.tickets(&recent).await.unwrap().len(), 1);
    assert_eq!(
        store.messages(&recent, 0, 10).await.unwrap().len(),
        transition_messages_len() + 1
    );

    let delivery = |at| WebhookDelivery {
        delivery: "d".into(),
        event: "ticket.created".into(),
        url: "https://example.invalid/hook".into(),
        attempt: 1,
        status: Some(200),
        outcome: "delivered".into(),
        at,
    };
    store.record_webhook_delivery(&delivery(old)).await.unwrap();
    store.record_webhook_delivery(&delivery(now)).await.unwrap();
    assert_eq!(
        store.expire(Expiry::DeliveryLog(cutoff), 10, run, now).await.unwrap(),
        1
    );
    assert_eq!(store.webhook_deliveries(10).await.unwrap(), vec![delivery(now)]);

    let records = store.audit_records(0, 1000).await.unwrap();
    let counts: Vec<(String, i64)> = records
        .iter()
        .filter(|record| record.event.kind == AuditKind::RetentionRun)
        .flat_map(|record| record.event.counts.clone())
        .collect();
    let total = |store_name: &str| -> i64 {
        counts
            .iter()
            .filter(|(name, _)| name == store_name)
            .map(|(_, count)| count)
            .sum()
    };
    assert_eq!(total("vault"), 5);
    assert_eq!(total("tickets"), 4);
    assert_eq!(total("sensitive_transcripts"), 1);
    assert_eq!(total("transcripts"), 5);
    assert_eq!(total("delivery_log"), 1);
    // One record per non-empty batch: 3 vault, 1 tickets, 1 sensitive, 2 transcripts, 1 log.
    assert_eq!(counts.len(), 8);
    assert!(verify_chain(records).is_ok());
}

/// Audit retention removes the oldest records and their checkpoints, and keeps the last removed
/// record's hash as the anchor from which the remaining chain verifies.
pub async fn audit_retention_keeps_an_anchor_from_which_the_rest_still_verifies(store: &dyn Store) {
    let now = now();
    let old = now - Duration::days(800);
    seeded_conversation(store, "A", old, false).await;
    let old_records = store.audit_records(0, 100).await.unwrap().len() as i64;
    seeded_conversation(store, "B", now, false).await;
    assert_eq!(store.audit_anchor().await.unwrap(), None);
    let checkpoint = Checkpoint {
        seq: 2,
        hash: store.audit_records(0, 10).await.unwrap()[1].hash.clone(),
        at: DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap(),
        public_key: "ab".into(),
        signature: "cd".into(),
    };
    store.append_checkpoint(&checkpoint).await.unwrap();
    assert_eq!(store.checkpoints().await.unwrap(), vec![checkpoint]);
    let removed = store
        .expire(
            Expiry::Audit(now - Duration::days(730)),
            100,
            AuditEvent::new(AuditKind::RetentionRun, None, "system"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(removed as i64, old_records);
    let anchor = store.audit_anchor().await.unwrap().unwrap();
    assert_eq!(anchor.seq, old_records);
    assert!(store.checkpoints().await.unwrap().is_empty());
    let rest = store.audit_records(0, 100).await.unwrap();
    assert_eq!(rest[0].seq, old_records + 1);
    assert_eq!(
        verify_chain_from(anchor.seq, &anchor.hash, rest.clone()),
        Ok(rest.len() as u64)
    );
    assert!(verify_chain(rest.clone()).is_err());
    assert_eq!(store.audit_head().await.unwrap().as_ref(), rest.last());
}

/// When audit retention removed every record, the next record continues the chain from the
/// anchor instead of starting a new chain at seq 1.
pub async fn the_chain_continues_from_the_anchor_when_retention_removed_every_record(store: &dyn Store) {
    let now = now();
    let old = now - Duration::days(800);
    store
        .append_audit(vec![AuditEvent::new(AuditKind::ConfigLoaded, None, "system")], old)
        .await
        .unwrap();
    // Cut off in the future: the retention run's own record is the only one left.
    let removed = store
        .expire(
            Expiry::Audit(now - Duration::days(1)),
            100,
            AuditEvent::new(AuditKind::RetentionRun, None, "system"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let removed = store
        .expire(
            Expiry::Audit(now + Duration::days(1)),
            100,
            AuditEvent::new(AuditKind::RetentionRun, None, "system"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let anchor = store.audit_anchor().await.unwrap().unwrap();
    assert_eq!(anchor.seq, 2);
    let rest = store.audit_records(0, 100).await.unwrap();
    assert_eq!(rest.iter().map(|record| record.seq).collect::<Vec<_>>(), vec![3]);
    assert_eq!(verify_chain_from(anchor.seq, &anchor.hash, rest), Ok(1));
}

/// Erasure removes conversations with messages, vault entries and tickets, certifies the
/// counts in its audit record, leaves other conversations alone, and is harmless when repeated.
pub async fn erasure_removes_everything_attached_and_certifies_the_counts(store: &dyn Store) {
    let now = now();
    let keep = seeded_conversation(store, "KEEP-ME-9931", now, false).await;
    let erase_one = seeded_conversation(store, "ERASE-1", now, false).await;
    let erase_two = seeded_conversation(store, "ERASE-2", now, true).await;
    let ids = vec![erase_one.clone(), erase_two.clone()];
    let erased = store
        .erase_conversations(&ids, AuditEvent::new(AuditKind::SubjectErased, None, "admin:root"), now)
        .await
        .unwrap();
    let per_conversation = transition_messages_len() as u64 + 1;
    assert_eq!(
        erased,
        Erased {
            conversations: 2,
            messages: 2 * per_conversation,
            vault_entries: 2,
            tickets: 2
        }
    );
    for id in &ids {
        assert!(matches!(store.conversation(id).await, Err(Error::NotFound)));
        assert!(store.messages(id, 0, 10).await.unwrap().is_empty());
        assert!(store.vault(id).await.unwrap().is_empty());
        assert!(store.tickets(id).await.unwrap().is_empty());
    }
    assert_eq!(
        store.messages(&keep, 0, 10).await.unwrap().len(),
        per_conversation as usize
    );
    assert_eq!(store.vault(&keep).await.unwrap().len(), 1);
    let head = store.audit_head().await.unwrap().unwrap();
    assert_eq!(head.event.kind, AuditKind::SubjectErased);
    assert_eq!(head.event.counts.get("conversations"), Some(&2));
    assert_eq!(head.event.counts.get("messages"), Some(&(2 * per_conversation as i64)));
    assert_eq!(head.event.counts.get("vault_entries"), Some(&2));
    assert_eq!(head.event.counts.get("tickets"), Some(&2));
    let again = store
        .erase_conversations(&ids, AuditEvent::new(AuditKind::SubjectErased, None, "admin:root"), now)
        .await
        .unwrap();
    assert_eq!(again, Erased::default());
    assert!(verify_chain(store.audit_records(0, 1000).await.unwrap()).is_ok());
}

/// Checkpoints come back oldest first; a second checkpoint at the same seq is a conflict.
pub async fn checkpoints_are_kept_in_order_and_a_second_one_at_the_same_seq_conflicts(store: &dyn Store) {
    let at = DateTime::from_timestamp_micros(now().timestamp_micros()).unwrap();
    let checkpoint = |seq: i64| Checkpoint {
        seq,
        hash: format!("{seq:064}"),
        at,
        public_key: "key".into(),
        signature: format!("signature {seq}"),
    };
    store.append_checkpoint(&checkpoint(9)).await.unwrap();
    store.append_checkpoint(&checkpoint(4)).await.unwrap();
    assert_eq!(store.checkpoints().await.unwrap(), vec![checkpoint(4), checkpoint(9)]);
    assert!(matches!(
        store.append_checkpoint(&checkpoint(9)).await,
        Err(Error::Conflict)
    ));
    assert!(store.audit_records(0, 10).await.unwrap().is_empty());
}

// ---- listings ----

/// `conversation_ids` pages through all conversations in id order without overlap.
pub async fn conversation_ids_page_in_id_order(store: &dyn Store) {
    let now = now();
    let mut created = BTreeSet::new();
    for _ in 0..7 {
        created.insert(create(store, now).await);
    }
    let mut after: Option<ConversationId> = None;
    let mut seen = Vec::new();
    loop {
        let page = store.conversation_ids(after.as_ref(), 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        after = page.last().cloned();
        seen.extend(page);
    }
    assert_eq!(seen, created.into_iter().collect::<Vec<_>>());
}

/// The conversations of an identified customer are found by the subject hash, oldest first.
pub async fn conversations_of_a_subject_are_found_by_its_hash(store: &dyn Store) {
    let now = now();
    let mut theirs = Vec::new();
    for (index, subject) in ["alice", "bob", "alice"].iter().enumerate() {
        let at = now + Duration::seconds(index as i64);
        let transition = start(at);
        let mut new = new_conversation(&transition.conversation, transition.messages, transition.audit, at);
        new.subject = Some(SubjectRef {
            hash: format!("hash-{subject}"),
            sealed: subject.as_bytes().to_vec(),
        });
        store.create_conversation(new).await.unwrap();
        if *subject == "alice" {
            theirs.push(transition.conversation.id);
        }
    }
    create(store, now).await;
    assert_eq!(store.conversations_of_subject("hash-alice").await.unwrap(), theirs);
    assert!(store.conversations_of_subject("hash-nobody").await.unwrap().is_empty());
}

// ---- group commit ----

/// Turns written at one moment may share a transaction (group commit): a stale turn and a turn
/// the database refuses fail alone, and every other turn is stored, with its vault entry and its
/// audit records, in one unbroken chain.
pub async fn a_failing_turn_among_concurrent_turns_leaves_the_others_stored(store: &dyn Store) {
    let now = now();
    let mut conversations = Vec::new();
    for _ in 0..40 {
        let id = create(store, now).await;
        conversations.push(store.conversation(&id).await.unwrap().conversation);
    }
    let before = store.audit_records(0, 10_000).await.unwrap().len();
    // Every fourth turn is stale (a concurrent change won); the rest store an answer, a vault
    // entry and an audit record.
    let turns = conversations
        .iter()
        .enumerate()
        .map(|(index, conversation)| async move {
            let mut conversation = conversation.clone();
            if index % 4 == 0 {
                conversation.version += 7;
            }
            let mut change = commit(&conversation, vec![ai_message()], now);
            change.audit = vec![AuditEvent::new(AuditKind::AiAnswer, Some(&conversation.id), "system")];
            change.vault = vec![VaultEntry {
                placeholder: "[IBAN_1]".into(),
                kind: "IBAN".into(),
                sealed: format!("sealed {index}").into_bytes(),
            }];
            store.commit(change).await
        });
    // Among them, new conversations whose first message is an AI message: refused (DIS-01).
    let refused = (0..4).map(|_| async {
        let transition = start(now);
        let id = transition.conversation.id.clone();
        let result = store
            .create_conversation(new_conversation(
                &transition.conversation,
                vec![ai_message()],
                transition.audit,
                now,
            ))
            .await;
        (id, result)
    });
    let (results, refused) = futures_util::future::join(join_all(turns), join_all(refused)).await;
    for (index, result) in results.into_iter().enumerate() {
        if index % 4 == 0 {
            assert!(matches!(result, Err(Error::Conflict)), "turn {index}: {result:?}");
        } else {
            assert_eq!(result.unwrap()[0].seq, transition_messages_len() as i64 + 1);
        }
    }
    for (id, result) in refused {
        assert!(matches!(result, Err(Error::Backend(_))), "{result:?}");
        assert!(matches!(store.conversation(&id).await, Err(Error::NotFound)));
    }
    for (index, conversation) in conversations.iter().enumerate() {
        let stored = store.messages(&conversation.id, 0, 10).await.unwrap();
        let vault = store.vault(&conversation.id).await.unwrap();
        let answered = index % 4 != 0;
        assert_eq!(stored.len(), transition_messages_len() + usize::from(answered));
        assert_eq!(vault.len(), usize::from(answered));
    }
    let records = store.audit_records(0, 10_000).await.unwrap();
    assert_eq!(records.len(), before + 30, "the failed turns left no audit record");
    assert!(verify_chain(records).is_ok());
}

/// A turn's context reads back what the three separate reads return, vault in insertion order.
pub async fn a_turn_context_is_the_conversation_its_data_key_and_its_vault(store: &dyn Store) {
    let now = now();
    let id = seeded_conversation(store, "ctx", now, false).await;
    let conversation = store.conversation(&id).await.unwrap().conversation;
    let mut change = commit(&conversation, vec![customer_message("more")], now);
    change.vault = vec![
        VaultEntry {
            placeholder: "[PHONE_1]".into(),
            kind: "PHONE".into(),
            sealed: b"phone".to_vec(),
        },
        VaultEntry {
            placeholder: "[EMAIL_1]".into(),
            kind: "EMAIL".into(),
            sealed: Vec::new(),
        },
    ];
    store.commit(change).await.unwrap();
    let context = store.turn_context(&id, None).await.unwrap();
    assert_eq!(context.counted, None);
    assert_eq!(context.record, store.conversation(&id).await.unwrap());
    assert_eq!(context.data_key, store.data_key(&id).await.unwrap());
    assert_eq!(context.vault, store.vault(&id).await.unwrap());
    let placeholders: Vec<&str> = context.vault.iter().map(|entry| entry.placeholder.as_str()).collect();
    assert_eq!(placeholders, ["[IBAN_1]", "[PHONE_1]", "[EMAIL_1]"]);
    // A conversation without vault entries has an empty vault, not an error.
    let plain = create(store, now).await;
    assert!(store.turn_context(&plain, None).await.unwrap().vault.is_empty());
    let unknown = ConversationId::from_uuid(uuid::Uuid::new_v4());
    assert!(matches!(store.turn_context(&unknown, None).await, Err(Error::NotFound)));
}

/// The turn context read after every kind of change is what the separate reads return: a store
/// that keeps recent contexts in memory (SQLite) follows its commits column by column as the
/// database does (times in microseconds, the locale the commit does not write, the version it
/// increments, the vault it appends to), and forgets what a legal hold, retention, a lost race
/// or an erasure changed.
pub async fn the_cached_turn_context_is_the_stored_one(store: &dyn Store) {
    async fn assert_stored(store: &dyn Store, id: &ConversationId, after: &str) {
        let context = store.turn_context(id, None).await.unwrap();
        assert_eq!(context.record, store.conversation(id).await.unwrap(), "after {after}");
        assert_eq!(context.data_key, store.data_key(id).await.unwrap(), "after {after}");
        assert_eq!(context.vault, store.vault(id).await.unwrap(), "after {after}");
    }
    let at = now() - Duration::days(400);
    let id = seeded_conversation(store, "cache", at, false).await;
    assert_stored(store, &id, "creation").await;
    let agent = AgentRef {
        id: AgentId::parse("sanne").unwrap(),
        display_name: "Sanne".into(),
    };
    // Nanoseconds the database drops, and every column a commit writes.
    let later = at + Duration::nanoseconds(1_234_567_891);
    type Change<'a> = Box<dyn Fn(&mut Commit) + 'a>;
    let changes: Vec<(&str, Change<'_>)> = vec![
        (
            "a handover",
            Box::new(|change: &mut Commit| {
                change.conversation.state = ConversationState::WaitingForAgent;
                change.conversation.waiting_since = Some(later);
                change.conversation.handover_reason = Some(loket_core::HandoverReason::Crisis);
                change.conversation.last_activity_at = later;
            }),
        ),
        (
            "an agent taking it",
            Box::new(|change: &mut Commit| {
                change.conversation.state = ConversationState::WithAgent;
                change.conversation.assigned_agent = Some(agent.clone());
                change.conversation.waiting_since = None;
            }),
        ),
        (
            "abstentions, a fingerprint, a disclosure and a locale the commit does not write",
            Box::new(|change: &mut Commit| {
                change.conversation.consecutive_abstentions = 2;
                change.conversation.last_question_fingerprint = Some("fingerprint".into());
                change.conversation.last_disclosure_at = Some(later + Duration::nanoseconds(999));
                change.conversation.locale = Locale::En;
            }),
        ),
        (
            "special-category data and a vault entry",
            Box::new(|change: &mut Commit| {
                change.sensitive = true;
                change.vault = vec![VaultEntry {
                    placeholder: "[PHONE_1]".into(),
                    kind: "PHONE".into(),
                    sealed: b"phone".to_vec(),
                }];
            }),
        ),
    ];
    for (name, change_with) in &changes {
        let conversation = store.turn_context(&id, None).await.unwrap().record.conversation;
        let mut change = commit(&conversation, vec![customer_message(name)], later);
        change_with(&mut change);
        store.commit(change).await.unwrap();
        assert_stored(store, &id, name).await;
    }
    // A commit on a stale version loses, and the context is still the stored one.
    let mut stale = store.turn_context(&id, None).await.unwrap().record.conversation;
    stale.version -= 1;
    let lost = store
        .commit(commit(&stale, vec![customer_message("stale")], later))
        .await;
    assert!(matches!(lost, Err(Error::Conflict)), "{lost:?}");
    assert_stored(store, &id, "a lost race").await;
    // A legal hold and its release.
    let hold = AuditEvent::new(AuditKind::LegalHold, Some(&id), "admin:root");
    store.set_legal_hold(&id, true, hold.clone(), now()).await.unwrap();
    assert!(store.turn_context(&id, None).await.unwrap().record.legal_hold);
    store.set_legal_hold(&id, false, hold, now()).await.unwrap();
    assert_stored(store, &id, "a legal hold").await;
    // Retention of the vault (the conversation's last activity is 400 days old).
    let run = AuditEvent::new(AuditKind::RetentionRun, None, "system");
    assert_eq!(store.expire(Expiry::Vault(now()), 10, run, now()).await.unwrap(), 2);
    assert!(store.turn_context(&id, None).await.unwrap().vault.is_empty());
    assert_stored(store, &id, "retention").await;
    // Erasure.
    let erase = AuditEvent::new(AuditKind::SubjectErased, Some(&id), "admin:root");
    store
        .erase_conversations(std::slice::from_ref(&id), erase, now())
        .await
        .unwrap();
    assert!(matches!(store.turn_context(&id, None).await, Err(Error::NotFound)));
}

/// Concurrent turns on one conversation, retried on a lost race, with legal holds placed and
/// lifted between them: afterwards the turn context is still the stored one (a store that keeps
/// contexts in memory applies commits that finish out of order correctly).
pub async fn concurrent_turns_leave_the_turn_context_stored(store: &dyn Store) {
    let id = create(store, now()).await;
    let worker = |worker: usize| {
        let id = id.clone();
        async move {
            for round in 0..6 {
                loop {
                    let mut conversation = store.turn_context(&id, None).await.unwrap().record.conversation;
                    conversation.consecutive_abstentions = u32::try_from(worker * 10 + round).unwrap();
                    conversation.last_activity_at = now();
                    let mut change = commit(&conversation, vec![customer_message("turn")], now());
                    change.vault = vec![VaultEntry {
                        placeholder: format!("[NAME_{worker}_{round}]"),
                        kind: "NAME".into(),
                        sealed: b"name".to_vec(),
                    }];
                    match store.commit(change).await {
                        Ok(_) => break,
                        Err(Error::Conflict) => continue,
                        Err(error) => panic!("{error:?}"),
                    }
                }
            }
        }
    };
    let holds = async {
        for round in 0..6 {
            let hold = AuditEvent::new(AuditKind::LegalHold, Some(&id), "admin:root");
            store.set_legal_hold(&id, round % 2 == 0, hold, now()).await.unwrap();
        }
    };
    futures_util::future::join(join_all((0..5).map(worker)), holds).await;
    let context = store.turn_context(&id, None).await.unwrap();
    assert_eq!(context.record, store.conversation(&id).await.unwrap());
    assert_eq!(context.vault, store.vault(&id).await.unwrap());
    assert_eq!(context.vault.len(), 30);
}

// ---- rate counters ----

/// A shared store counts rate-limited events per key in fixed windows, alone or with a turn's
/// context; an embedded store refuses, because its single process counts in memory.
pub async fn rate_counters_are_kept_only_by_a_shared_store_and_limit_per_key_and_window(store: &dyn Store) {
    let now = now();
    if !store.shared() {
        assert!(matches!(
            store.count_event("key", 3, 60, now).await,
            Err(Error::Backend(_))
        ));
        return;
    }
    for _ in 0..3 {
        assert!(store.count_event("a", 3, 60, now).await.unwrap());
    }
    assert!(!store.count_event("a", 3, 60, now).await.unwrap());
    assert!(
        !store
            .count_event("a", 3, 60, now + Duration::seconds(59))
            .await
            .unwrap()
    );
    assert!(store.count_event("b", 3, 60, now).await.unwrap(), "keys count apart");
    // The window closes 60 s after its first event and the next event opens a new one.
    assert!(
        store
            .count_event("a", 3, 60, now + Duration::seconds(60))
            .await
            .unwrap()
    );
    assert!(
        store
            .count_event("a", 3, 60, now + Duration::seconds(61))
            .await
            .unwrap()
    );
    assert!(
        store
            .count_event("a", 3, 60, now + Duration::seconds(62))
            .await
            .unwrap()
    );
    assert!(
        !store
            .count_event("a", 3, 60, now + Duration::seconds(63))
            .await
            .unwrap()
    );
    // Concurrent counts of one key never let more than the limit through.
    let counts = (0..20).map(|_| store.count_event("c", 5, 60, now));
    let allowed = join_all(counts)
        .await
        .into_iter()
        .filter(|allowed| *allowed.as_ref().unwrap())
        .count();
    assert_eq!(allowed, 5);
    // A turn's context counts with the conversation's own token only.
    let id = create(store, now).await;
    let count = |token_hash: &str| CountRequest {
        key: "turns".into(),
        limit: 2,
        window_seconds: 60,
        now,
        token_hash: token_hash.into(),
    };
    let stranger = store.turn_context(&id, Some(&count("not-the-hash"))).await.unwrap();
    assert_eq!(stranger.counted, Some(false));
    for expected in [true, true, false] {
        let context = store.turn_context(&id, Some(&count("token-hash"))).await.unwrap();
        assert_eq!(context.counted, Some(expected));
        assert_eq!(context.record.conversation.id, id);
    }
}

// ---- builders ----

/// The current time at the precision every backend stores (microseconds), so values written
/// compare equal to values read.
/// The kinds of the first ten audit records, in order.
async fn audit_kinds(store: &dyn Store) -> Vec<AuditKind> {
    store
        .audit_records(0, 10)
        .await
        .unwrap()
        .iter()
        .map(|record| record.event.kind)
        .collect()
}

fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

fn wording() -> Wording {
    Wording::new(&Config::default()).unwrap()
}

fn start(now: DateTime<Utc>) -> loket_core::conversation::Transition {
    let id = ConversationId::from_uuid(uuid::Uuid::new_v4());
    let mut transition = Conversation::start(id, Locale::Nl, now, &wording());
    // What a read returns: times at microsecond precision.
    let conversation = &mut transition.conversation;
    conversation.created_at = truncate(conversation.created_at);
    conversation.last_activity_at = truncate(conversation.last_activity_at);
    conversation.last_disclosure_at = conversation.last_disclosure_at.map(truncate);
    conversation.waiting_since = conversation.waiting_since.map(truncate);
    transition
}

fn truncate(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time.timestamp_micros()).unwrap()
}

fn transition_audit_len() -> usize {
    start(now()).audit.len()
}

fn transition_messages_len() -> usize {
    start(now()).messages.len()
}

/// Creates a conversation as the service does and returns its id.
async fn create(store: &dyn Store, now: DateTime<Utc>) -> ConversationId {
    let transition = start(now);
    store
        .create_conversation(new_conversation(
            &transition.conversation,
            transition.messages,
            transition.audit,
            now,
        ))
        .await
        .unwrap();
    transition.conversation.id
}

fn new_conversation(
    conversation: &Conversation,
    messages: Vec<NewMessage>,
    audit: Vec<AuditEvent>,
    now: DateTime<Utc>,
) -> NewConversation {
    NewConversation {
        conversation: conversation.clone(),
        token_hash: "token-hash".into(),
        data_key: b"key".to_vec(),
        subject: None,
        messages,
        audit,
        now,
    }
}

fn commit(conversation: &Conversation, messages: Vec<NewMessage>, now: DateTime<Utc>) -> Commit {
    Commit {
        conversation: conversation.clone(),
        messages,
        audit: Vec::new(),
        vault: Vec::new(),
        ticket: None,
        sensitive: false,
        now,
    }
}

fn customer_message(text: &str) -> NewMessage {
    NewMessage {
        author: Author::Customer,
        kind: MessageKind::Text,
        text: text.into(),
        author_label: "U".into(),
        lang: Locale::Nl,
        citations: Vec::new(),
        offers_human: false,
        generated_by: None,
        suggestions: Vec::new(),
    }
}

fn ai_message() -> NewMessage {
    NewMessage {
        author: Author::Ai,
        kind: MessageKind::Answer,
        text: "antwoord".into(),
        author_label: "AI-assistent".into(),
        lang: Locale::Nl,
        citations: vec![loket_core::Citation {
            id: "faq-1".into(),
            title: "Retourneren".into(),
            url: None,
        }],
        offers_human: true,
        generated_by: None,
        suggestions: Vec::new(),
    }
}

fn system_message() -> NewMessage {
    NewMessage {
        author: Author::System,
        kind: MessageKind::Notice,
        text: "notice".into(),
        author_label: "Systeem".into(),
        lang: Locale::Nl,
        citations: Vec::new(),
        offers_human: false,
        generated_by: None,
        suggestions: Vec::new(),
    }
}

fn ticket(id: &ConversationId, at: DateTime<Utc>, status: &str) -> Ticket {
    Ticket {
        id: uuid::Uuid::now_v7().to_string(),
        conversation_id: id.clone(),
        kind: "callback".into(),
        name: "[NAME_1]".into(),
        phone: "[PHONE_1]".into(),
        email: String::new(),
        preferred_time: "morning".into(),
        note: "note".into(),
        created_at: truncate(at),
        status: status.into(),
    }
}

/// A conversation with a customer message, a vault entry and a ticket, all carrying `seed`.
async fn seeded_conversation(store: &dyn Store, seed: &str, at: DateTime<Utc>, sensitive: bool) -> ConversationId {
    let transition = start(at);
    let id = transition.conversation.id.clone();
    store
        .create_conversation(new_conversation(
            &transition.conversation,
            transition.messages,
            transition.audit,
            at,
        ))
        .await
        .unwrap();
    let mut change = commit(
        &transition.conversation,
        vec![customer_message(&format!("code {seed}"))],
        at,
    );
    change.audit = vec![AuditEvent::new(AuditKind::PiiRedacted, Some(&id), "customer")];
    change.vault = vec![VaultEntry {
        placeholder: "[IBAN_1]".into(),
        kind: "IBAN".into(),
        sealed: format!("vault {seed}").into_bytes(),
    }];
    change.ticket = Some(ticket(&id, at, "open"));
    change.sensitive = sensitive;
    store.commit(change).await.unwrap();
    id
}

/// HUM-01, HUM-04: with several instances, each publishes the agents connected to it and sees
/// those of the others (not its own), each agent once with all their languages, until an
/// instance's publication is older than `since`; a new publication replaces the previous one.
/// A store only one process uses has no others.
pub async fn each_instance_sees_the_agents_the_others_published_recently(store: &dyn Store) {
    let now = now();
    let (sanne, john) = (AgentId::parse("sanne").unwrap(), AgentId::parse("john").unwrap());
    let a = vec![(sanne.clone(), vec![Locale::Nl, Locale::En])];
    let seen = store
        .share_presence("a", &a, now, now - Duration::seconds(15))
        .await
        .unwrap();
    if !store.shared() {
        assert!(seen.is_empty());
        return;
    }
    assert!(seen.is_empty(), "only instance a has published");
    let b = vec![(john.clone(), vec![Locale::En]), (sanne.clone(), vec![Locale::Nl])];
    let later = now + Duration::seconds(5);
    let seen = store
        .share_presence("b", &b, later, later - Duration::seconds(15))
        .await
        .unwrap();
    assert_eq!(seen, a, "b sees a's agents");
    let seen = store
        .share_presence("a", &a, later, later - Duration::seconds(15))
        .await
        .unwrap();
    assert_eq!(seen, b, "a sees b's agents, sorted");
    // c sees Sanne once, with the languages of both publications.
    let seen = store
        .share_presence("c", &[], later, later - Duration::seconds(15))
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![
            (john.clone(), vec![Locale::En]),
            (sanne.clone(), vec![Locale::Nl, Locale::En])
        ]
    );
    // b publishes that John left; a stops publishing and is forgotten after 15 seconds.
    let much_later = now + Duration::seconds(21);
    let seen = store
        .share_presence(
            "b",
            &[(sanne.clone(), vec![Locale::Nl])],
            much_later,
            much_later - Duration::seconds(15),
        )
        .await
        .unwrap();
    assert!(seen.is_empty(), "a published at +5 s: {seen:?}");
    let seen = store
        .share_presence("c", &[], much_later, much_later - Duration::seconds(15))
        .await
        .unwrap();
    assert_eq!(seen, vec![(sanne, vec![Locale::Nl])]);
}

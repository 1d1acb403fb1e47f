//! The group committer's writer: a thread of its own that owns a synchronous SQLite connection
//! (rusqlite, over the same SQLite library as sqlx) and writes each group of chat turns (new
//! conversations and commits, see [`loket_store::group`]) in one transaction, with one fsync,
//! without leaving the thread.
//!
//! sqlx runs each SQLite connection on a worker thread and hands every statement, `BEGIN` and
//! `COMMIT` over to it and back. A group of chat turns took four such round trips (six thread
//! wake-ups, since sqlx's `BEGIN` and `COMMIT` wait for an acknowledgement), and with both cores
//! busy each wake-up waited about 0.2 ms for a core, on the one path every chat turn waits for.
//! Here a group costs one wake-up, the committer's when turns arrive.
//!
//! A group is `BEGIN IMMEDIATE`, per commit one `UPDATE … RETURNING` of its conversation row
//! (which checks the version the turn read and reserves its messages' seqs), per new conversation
//! one `INSERT`, one `INSERT` per message, vault entry and ticket, one read of the audit chain's
//! head, one `INSERT` per audit record, and `COMMIT`. Each statement is prepared once for the
//! connection's life; executing it is a call, not a thread hand-off.
//!
//! The store's other writes (legal holds, erasure, retention, staff) keep their sqlx writer
//! connection; SQLite lets one transaction write at a time, and each side waits for the other
//! through the busy timeout, so the two never interleave inside a transaction.

use std::cell::RefCell;
use std::time::Duration;

use chrono::{DateTime, Utc};
use loket_core::audit::AuditEvent;
use loket_core::{ConversationId, StoredMessage};
use loket_store::group::{self, GroupError, Job, Turn, TurnResults};
use loket_store::{Commit, Error, NewConversation, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::{AUDIT_HEAD, agent_id, agent_name, chain, from_micros, micros};

/// Where the committer's connection opens the database.
pub(crate) struct Target {
    /// A file path, or a `file:` URI when `uri`.
    pub(crate) filename: String,
    pub(crate) uri: bool,
}

impl Target {
    /// A database file.
    pub(crate) fn file(path: &std::path::Path) -> Self {
        Self {
            filename: path.to_string_lossy().into_owned(),
            uri: false,
        }
    }
}

/// Starts the committer thread on `target` with the pragmas every connection of the store has,
/// writing groups of at most `max_group` turns from `jobs` until every sender is gone. Returns
/// once the connection is open, or the reason it did not open.
pub(crate) fn start(
    target: Target,
    busy_timeout: Duration,
    jobs: tokio::sync::mpsc::Receiver<Job>,
    max_group: usize,
) -> Result<()> {
    let (opened, open_result) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("sqlite-committer".into())
        .spawn(move || {
            let started = open(&target, busy_timeout).and_then(|connection| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .map_err(|error| Error::Backend(format!("start the group committer: {error}")))?;
                Ok((connection, runtime))
            });
            let (connection, runtime) = match started {
                Ok(started) => {
                    let _ = opened.send(Ok(()));
                    started
                }
                Err(error) => {
                    let _ = opened.send(Err(error));
                    return;
                }
            };
            let connection = RefCell::new(connection);
            runtime.block_on(group::run(jobs, max_group, |turns| {
                std::future::ready(write_turns(&mut connection.borrow_mut(), turns))
            }));
        })
        .map_err(|error| Error::Backend(format!("start the group committer: {error}")))?;
    open_result
        .recv()
        .map_err(|_| Error::Backend("the group committer stopped while opening".into()))?
}

pub(crate) fn open(target: &Target, busy_timeout: Duration) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if target.uri {
        flags |= OpenFlags::SQLITE_OPEN_URI;
    }
    let connection = Connection::open_with_flags(&target.filename, flags).map_err(failed("open database"))?;
    connection.busy_timeout(busy_timeout).map_err(failed("open database"))?;
    // Every statement of a group is kept prepared; a group uses at most seven.
    connection.set_prepared_statement_cache_capacity(16);
    // The same settings as the store's sqlx connections (`SqliteStore::open`); WAL mode is a
    // property of the file, set when the store opened it.
    connection
        .execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;
             PRAGMA wal_autocheckpoint = 0;",
        )
        .map_err(failed("configure database"))?;
    Ok(connection)
}

/// Applies `turns` in one transaction and commits it.
pub(crate) fn write_turns(db: &mut Connection, turns: Vec<Turn>) -> std::result::Result<TurnResults, GroupError> {
    let transaction = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|error| GroupError::Failed(failed("begin")(error)))?;
    match apply_turns(&transaction, turns) {
        // A commit that fails rolls the transaction back (rusqlite), so the next group starts
        // clean.
        Ok(results) => transaction
            .commit()
            .map(|()| results)
            .map_err(|error| GroupError::Failed(failed("commit")(error))),
        Err(error) => match transaction.rollback() {
            Ok(()) => Err(GroupError::Refused(error)),
            Err(_) => Err(GroupError::Failed(error)),
        },
    }
}

/// Writes every turn in order, then the group's audit records at the chain's head.
fn apply_turns(db: &Connection, turns: Vec<Turn>) -> Result<TurnResults> {
    let mut results = Vec::with_capacity(turns.len());
    let mut audit: Vec<(AuditEvent, DateTime<Utc>)> = Vec::new();
    for turn in turns {
        match turn {
            Turn::Create(mut new) => {
                let (events, now) = (std::mem::take(&mut new.audit), new.now);
                results.push(Ok(apply_create(db, *new)?));
                audit.extend(events.into_iter().map(|event| (event, now)));
            }
            Turn::Commit(mut commit) => {
                let (events, now) = (std::mem::take(&mut commit.audit), commit.now);
                match apply_commit(db, *commit)? {
                    Some(stored) => {
                        results.push(Ok(stored));
                        audit.extend(events.into_iter().map(|event| (event, now)));
                    }
                    None => results.push(Err(Error::Conflict)),
                }
            }
        }
    }
    if !audit.is_empty() {
        let head = db
            .prepare_cached(AUDIT_HEAD)
            .and_then(|mut read| read.query_row([], |row| Ok((row.get(0)?, row.get(1)?))).optional())
            .map_err(failed("read audit head"))?;
        for (record, ids, counts, attributes) in chain(head, audit)? {
            let conversation = record.event.conversation.as_ref().map(ConversationId::as_str);
            db.prepare_cached(
                "INSERT INTO audit_log (seq, at, kind, conversation_id, actor, ids, counts, attributes, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    record.seq,
                    micros(record.at),
                    record.event.kind.as_str(),
                    conversation,
                    record.event.actor.as_str(),
                    ids.as_str(),
                    counts.as_str(),
                    attributes.as_str(),
                    record.prev_hash.as_str(),
                    record.hash.as_str(),
                ])
            })
            .map_err(classify("insert audit record"))?;
        }
    }
    Ok(results)
}

/// Inserts a new conversation and its messages.
fn apply_create(db: &Connection, new: NewConversation) -> Result<Vec<StoredMessage>> {
    let NewConversation {
        conversation,
        token_hash,
        data_key,
        subject,
        messages,
        now,
        ..
    } = new;
    let (agent, agent_name) = (agent_id(&conversation), agent_name(&conversation));
    db.prepare_cached(
        "INSERT INTO conversations (id, token_hash, data_key, locale, state, assigned_agent, assigned_agent_name,
            created_at, last_activity_at, last_disclosure_at, waiting_since, consecutive_abstentions,
            last_question_fingerprint, subject_hash, subject_sealed, next_seq, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 0)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            conversation.id.as_str(),
            token_hash.as_str(),
            data_key.as_slice(),
            conversation.locale.as_str(),
            conversation.state.as_str(),
            agent.as_deref(),
            agent_name.as_deref(),
            micros(conversation.created_at),
            micros(conversation.last_activity_at),
            conversation.last_disclosure_at.map(micros),
            conversation.waiting_since.map(micros),
            i64::from(conversation.consecutive_abstentions),
            conversation.last_question_fingerprint.as_deref(),
            subject.as_ref().map(|subject| subject.hash.as_str()),
            subject.as_ref().map(|subject| subject.sealed.as_slice()),
            (1 + messages.len() as i64),
        ])
    })
    .map_err(classify("insert conversation"))?;
    insert_messages(db, &conversation.id, 1, messages, now)
}

/// Updates the conversation row of `commit` if it still has the version the turn read, and
/// stores its messages, vault entries and ticket; `None` (a version conflict) when it had not.
fn apply_commit(db: &Connection, commit: Commit) -> Result<Option<Vec<StoredMessage>>> {
    let conversation = &commit.conversation;
    let (agent, agent_name) = (agent_id(conversation), agent_name(conversation));
    let next_seq: Option<i64> = db
        .prepare_cached(
            "UPDATE conversations SET state = ?3, assigned_agent = ?4, assigned_agent_name = ?5,
                    last_activity_at = ?6, last_disclosure_at = ?7, waiting_since = ?8,
                    consecutive_abstentions = ?9, last_question_fingerprint = ?10,
                    version = version + 1, next_seq = next_seq + ?11,
                    sensitive_at = CASE WHEN ?12 THEN COALESCE(sensitive_at, ?13) ELSE sensitive_at END,
                    handover_reason = ?14
                 WHERE id = ?1 AND version = ?2 RETURNING next_seq",
        )
        .and_then(|mut update| {
            update
                .query_row(
                    params![
                        conversation.id.as_str(),
                        conversation.version,
                        conversation.state.as_str(),
                        agent.as_deref(),
                        agent_name.as_deref(),
                        micros(conversation.last_activity_at),
                        conversation.last_disclosure_at.map(micros),
                        conversation.waiting_since.map(micros),
                        i64::from(conversation.consecutive_abstentions),
                        conversation.last_question_fingerprint.as_deref(),
                        (commit.messages.len() as i64),
                        commit.sensitive,
                        micros(commit.now),
                        conversation.handover_reason.map(|reason| reason.as_str()),
                    ],
                    |row| row.get(0),
                )
                .optional()
        })
        .map_err(failed("update conversation"))?;
    let Some(next_seq) = next_seq else {
        return Ok(None);
    };
    let Commit {
        conversation,
        messages,
        vault,
        ticket,
        now,
        ..
    } = commit;
    let first_seq = next_seq - messages.len() as i64;
    let stored = insert_messages(db, &conversation.id, first_seq, messages, now)?;
    for entry in &vault {
        db.prepare_cached("INSERT INTO vault (conversation_id, placeholder, kind, sealed) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut statement| {
                statement.execute(params![
                    conversation.id.as_str(),
                    entry.placeholder.as_str(),
                    entry.kind.as_str(),
                    entry.sealed.as_slice(),
                ])
            })
            .map_err(classify("insert vault entry"))?;
    }
    if let Some(ticket) = ticket {
        db.prepare_cached(
            "INSERT INTO tickets (id, conversation_id, kind, name, phone, email, preferred_time, note, created_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                ticket.id.as_str(),
                ticket.conversation_id.as_str(),
                ticket.kind.as_str(),
                ticket.name.as_str(),
                ticket.phone.as_str(),
                ticket.email.as_str(),
                ticket.preferred_time.as_str(),
                ticket.note.as_str(),
                micros(ticket.created_at),
                ticket.status.as_str(),
            ])
        })
        .map_err(classify("insert ticket"))?;
    }
    Ok(Some(stored))
}

/// Inserts `messages` of `conversation` with seqs from `first_seq` on, in order (the disclosure
/// trigger of an AI message sees a disclosure inserted before it), and returns them as stored.
fn insert_messages(
    db: &Connection,
    conversation: &ConversationId,
    first_seq: i64,
    messages: Vec<loket_core::NewMessage>,
    now: DateTime<Utc>,
) -> Result<Vec<StoredMessage>> {
    // Stored times have microsecond precision; return exactly what a later read returns.
    let now = from_micros(micros(now));
    let mut stored = Vec::with_capacity(messages.len());
    for (offset, message) in messages.into_iter().enumerate() {
        let citations =
            serde_json::to_string(&message.citations).map_err(|_| Error::Backend("encode citations".into()))?;
        let suggestions = loket_store::encode_suggestions(&message.suggestions)?;
        let stored_message = StoredMessage {
            id: uuid::Uuid::now_v7().to_string(),
            conversation_id: conversation.clone(),
            seq: first_seq + offset as i64,
            created_at: now,
            message,
        };
        let message = &stored_message.message;
        let parameters = params![
            stored_message.id.as_str(),
            conversation.as_str(),
            stored_message.seq,
            message.author.as_str(),
            message.kind.as_str(),
            message.text.as_str(),
            message.author_label.as_str(),
            message.lang.as_str(),
            citations.as_str(),
            message.offers_human,
            micros(now),
            suggestions.as_str(),
            message.generated_by.as_deref(),
        ];
        db.prepare_cached(
            "INSERT INTO messages (id, conversation_id, seq, author, kind, text, author_label, lang, citations,
                offers_human, created_at, suggestions, generated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .and_then(|mut statement| statement.execute(parameters))
        .map_err(classify("insert message"))?;
        stored.push(stored_message);
    }
    Ok(stored)
}

/// Maps an error of `operation` to a content-free backend error (SQLite's messages name tables,
/// columns and constraints, never bound values).
fn failed(operation: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |error| Error::Backend(format!("{operation}: {error}"))
}

/// Like [`failed`], but a unique violation becomes [`Error::Conflict`].
fn classify(operation: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |error| match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ) =>
        {
            Error::Conflict
        }
        _ => failed(operation)(error),
    }
}

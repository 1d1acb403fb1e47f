//! The SQLite backend of the [`Store`] contract: Loket's embedded default.
//!
//! One database file in the data directory, in WAL mode with `synchronous = FULL`, so a commit
//! that returned is on disk. Writes go through a pool of exactly one connection, which
//! serialises them (SQLite allows one writer at a time anyway) and makes the audit chain's
//! "read the last hash, append the next record" step race-free; reads use a separate pool.
//!
//! Times are stored as microseconds since the Unix epoch.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use loket_core::audit::{AuditEvent, AuditKind, AuditRecord, GENESIS_HASH};
use loket_core::conversation::AgentRef;
use loket_core::staff::Role;
use loket_core::{
    AgentId, Author, Conversation, ConversationId, ConversationState, Locale, MessageKind, NewMessage, StoredMessage,
};
use loket_store::{
    Commit, ConversationRecord, Error, QueueEntry, Result, StaffAccount, StaffSession, Stats, Store, Ticket,
    VaultEntry, WebhookDelivery,
};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlSafeStr, Sqlite, Transaction};

/// The file name of the database inside the data directory.
pub const DATABASE_FILE: &str = "loket.sqlite3";

/// A SQLite-backed store.
#[derive(Clone)]
pub struct SqliteStore {
    /// One connection: all writes, serialised.
    writer: SqlitePool,
    /// Several connections for reads, which WAL lets run beside the writer.
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and runs the migrations.
    pub async fn open(data_dir: &Path, read_connections: u32) -> Result<Self> {
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::with_options(options, read_connections).await
    }

    /// Opens a private in-memory database (for tests and benchmarks of everything but the disk).
    pub async fn in_memory() -> Result<Self> {
        let name = format!("file:loket-{}?mode=memory&cache=shared", uuid::Uuid::new_v4());
        let options = SqliteConnectOptions::from_str(&name)
            .map_err(backend("open"))?
            .foreign_keys(true);
        Self::with_options(options, 1).await
    }

    async fn with_options(options: SqliteConnectOptions, read_connections: u32) -> Result<Self> {
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(backend("open database"))?;
        migrator()
            .run(&writer)
            .await
            .map_err(|error| Error::Backend(format!("migrate: {error}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(read_connections.max(1))
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.read_only(false))
            .await
            .map_err(backend("open database for reading"))?;
        Ok(Self { writer, reader })
    }

    /// Closes both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend("begin"))
    }
}

/// The embedded migrations.
pub fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "init".into(),
            MigrationType::Simple,
            include_str!("../migrations/0001_init.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "webhook deliveries".into(),
            MigrationType::Simple,
            include_str!("../migrations/0002_webhook_deliveries.sql").into_sql_str(),
            false,
        ),
    ])
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        token_hash: &str,
        data_key: &[u8],
        messages: Vec<NewMessage>,
        audit: Vec<AuditEvent>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredMessage>> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO conversations (id, token_hash, data_key, locale, state, assigned_agent, assigned_agent_name,
                created_at, last_activity_at, last_disclosure_at, waiting_since, consecutive_abstentions,
                last_question_fingerprint, next_seq, version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0)",
        )
        .bind(conversation.id.as_str())
        .bind(token_hash)
        .bind(data_key)
        .bind(conversation.locale.as_str())
        .bind(conversation.state.as_str())
        .bind(
            conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.id.as_str().to_string()),
        )
        .bind(
            conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.display_name.clone()),
        )
        .bind(micros(conversation.created_at))
        .bind(micros(conversation.last_activity_at))
        .bind(conversation.last_disclosure_at.map(micros))
        .bind(conversation.waiting_since.map(micros))
        .bind(i64::from(conversation.consecutive_abstentions))
        .bind(conversation.last_question_fingerprint.as_deref())
        .execute(&mut *transaction)
        .await
        .map_err(classify("insert conversation"))?;
        let stored = insert_messages(&mut transaction, &conversation.id, messages, now).await?;
        append_audit(&mut transaction, audit, now).await?;
        transaction.commit().await.map_err(backend("commit"))?;
        Ok(stored)
    }

    async fn conversation(&self, id: &ConversationId) -> Result<ConversationRecord> {
        let row = sqlx::query("SELECT * FROM conversations WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read conversation"))?
            .ok_or(Error::NotFound)?;
        let token_hash: String = row.try_get("token_hash").map_err(backend("read conversation"))?;
        Ok(ConversationRecord {
            conversation: conversation_from_row(&row)?,
            token_hash,
        })
    }

    async fn commit(&self, commit: Commit) -> Result<Vec<StoredMessage>> {
        let mut transaction = self.begin().await?;
        let conversation = &commit.conversation;
        let updated = sqlx::query(
            "UPDATE conversations SET state = ?, assigned_agent = ?, assigned_agent_name = ?, last_activity_at = ?,
                last_disclosure_at = ?, waiting_since = ?, consecutive_abstentions = ?, last_question_fingerprint = ?,
                version = version + 1
             WHERE id = ? AND version = ?",
        )
        .bind(conversation.state.as_str())
        .bind(
            conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.id.as_str().to_string()),
        )
        .bind(
            conversation
                .assigned_agent
                .as_ref()
                .map(|agent| agent.display_name.clone()),
        )
        .bind(micros(conversation.last_activity_at))
        .bind(conversation.last_disclosure_at.map(micros))
        .bind(conversation.waiting_since.map(micros))
        .bind(i64::from(conversation.consecutive_abstentions))
        .bind(conversation.last_question_fingerprint.as_deref())
        .bind(conversation.id.as_str())
        .bind(conversation.version)
        .execute(&mut *transaction)
        .await
        .map_err(backend("update conversation"))?;
        if updated.rows_affected() != 1 {
            return Err(Error::Conflict);
        }
        let stored = insert_messages(&mut transaction, &conversation.id, commit.messages, commit.now).await?;
        for entry in commit.vault {
            sqlx::query("INSERT INTO vault (conversation_id, placeholder, kind, sealed) VALUES (?, ?, ?, ?)")
                .bind(conversation.id.as_str())
                .bind(&entry.placeholder)
                .bind(&entry.kind)
                .bind(&entry.sealed)
                .execute(&mut *transaction)
                .await
                .map_err(classify("insert vault entry"))?;
        }
        if let Some(ticket) = commit.ticket {
            sqlx::query(
                "INSERT INTO tickets (id, conversation_id, kind, name, phone, email, preferred_time, note, created_at, status)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&ticket.id)
            .bind(ticket.conversation_id.as_str())
            .bind(&ticket.kind)
            .bind(&ticket.name)
            .bind(&ticket.phone)
            .bind(&ticket.email)
            .bind(&ticket.preferred_time)
            .bind(&ticket.note)
            .bind(micros(ticket.created_at))
            .bind(&ticket.status)
            .execute(&mut *transaction)
            .await
            .map_err(classify("insert ticket"))?;
        }
        append_audit(&mut transaction, commit.audit, commit.now).await?;
        transaction.commit().await.map_err(backend("commit"))?;
        Ok(stored)
    }

    async fn messages(&self, id: &ConversationId, after: i64, limit: u32) -> Result<Vec<StoredMessage>> {
        let rows = sqlx::query("SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?")
            .bind(id.as_str())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read messages"))?;
        rows.iter().map(message_from_row).collect()
    }

    async fn data_key(&self, id: &ConversationId) -> Result<Vec<u8>> {
        sqlx::query_scalar("SELECT data_key FROM conversations WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read data key"))?
            .ok_or(Error::NotFound)
    }

    async fn vault(&self, id: &ConversationId) -> Result<Vec<VaultEntry>> {
        let rows = sqlx::query("SELECT placeholder, kind, sealed FROM vault WHERE conversation_id = ? ORDER BY rowid")
            .bind(id.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read vault"))?;
        rows.iter()
            .map(|row| {
                Ok(VaultEntry {
                    placeholder: row.try_get("placeholder").map_err(backend("read vault"))?,
                    kind: row.try_get("kind").map_err(backend("read vault"))?,
                    sealed: row.try_get("sealed").map_err(backend("read vault"))?,
                })
            })
            .collect()
    }

    async fn append_audit(&self, events: Vec<AuditEvent>, now: DateTime<Utc>) -> Result<()> {
        let mut transaction = self.begin().await?;
        append_audit(&mut transaction, events, now).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn audit_records(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn conversation_audit(&self, id: &ConversationId) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE conversation_id = ? ORDER BY seq")
            .bind(id.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn queue(&self) -> Result<Vec<QueueEntry>> {
        let rows =
            sqlx::query("SELECT * FROM conversations WHERE state = 'waiting_for_agent' ORDER BY waiting_since, id")
                .fetch_all(&self.reader)
                .await
                .map_err(backend("read queue"))?;
        rows.iter()
            .enumerate()
            .map(|(index, row)| {
                Ok(QueueEntry {
                    conversation: conversation_from_row(row)?,
                    position: u32::try_from(index + 1).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    async fn held_by(&self, agent: &AgentId) -> Result<Vec<Conversation>> {
        let rows = sqlx::query(
            "SELECT * FROM conversations WHERE state = 'with_agent' AND assigned_agent = ? ORDER BY last_activity_at DESC",
        )
        .bind(agent.as_str())
        .fetch_all(&self.reader)
        .await
        .map_err(backend("read held conversations"))?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn stats(&self) -> Result<Stats> {
        let mut stats = Stats::default();
        let states = sqlx::query("SELECT state, COUNT(*) AS n FROM conversations GROUP BY state")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("count conversations"))?;
        for row in states {
            let state: String = row.try_get("state").map_err(backend("count conversations"))?;
            let count: i64 = row.try_get("n").map_err(backend("count conversations"))?;
            stats.conversations += count;
            match ConversationState::parse(&state) {
                Some(ConversationState::Bot) => stats.bot = count,
                Some(ConversationState::WaitingForAgent) => stats.waiting_for_agent = count,
                Some(ConversationState::WithAgent) => stats.with_agent = count,
                Some(ConversationState::Closed) => stats.closed = count,
                None => {}
            }
        }
        let authors = sqlx::query("SELECT author, COUNT(*) AS n FROM messages GROUP BY author")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("count messages"))?;
        for row in authors {
            let author: String = row.try_get("author").map_err(backend("count messages"))?;
            let count: i64 = row.try_get("n").map_err(backend("count messages"))?;
            match Author::parse(&author) {
                Some(Author::Ai) => stats.messages_ai = count,
                Some(Author::Agent) => stats.messages_agent = count,
                Some(Author::Customer) => stats.messages_customer = count,
                Some(Author::System) => stats.messages_system = count,
                None => {}
            }
        }
        stats.audit_records = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.reader)
            .await
            .map_err(backend("count audit records"))?;
        stats.open_tickets = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status = 'open'")
            .fetch_one(&self.reader)
            .await
            .map_err(backend("count tickets"))?;
        Ok(stats)
    }

    async fn create_staff(&self, account: &StaffAccount, audit: AuditEvent) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query("INSERT INTO staff (id, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(account.id.as_str())
            .bind(&account.display_name)
            .bind(account.role.as_str())
            .bind(&account.password_hash)
            .bind(micros(account.created_at))
            .execute(&mut *transaction)
            .await
            .map_err(classify("insert staff"))?;
        append_audit(&mut transaction, vec![audit], account.created_at).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn staff(&self, id: &AgentId) -> Result<StaffAccount> {
        let row = sqlx::query("SELECT * FROM staff WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read staff"))?
            .ok_or(Error::NotFound)?;
        let role: String = row.try_get("role").map_err(backend("read staff"))?;
        Ok(StaffAccount {
            id: id.clone(),
            display_name: row.try_get("display_name").map_err(backend("read staff"))?,
            role: Role::parse(&role).ok_or_else(|| Error::Backend("unknown staff role".into()))?,
            password_hash: row.try_get("password_hash").map_err(backend("read staff"))?,
            created_at: from_micros(row.try_get("created_at").map_err(backend("read staff"))?),
        })
    }

    async fn create_session(&self, session: &StaffSession, audit: AuditEvent) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&session.token_hash)
        .bind(session.staff_id.as_str())
        .bind(&session.csrf_token)
        .bind(micros(session.created_at))
        .bind(micros(session.last_seen_at))
        .execute(&mut *transaction)
        .await
        .map_err(classify("insert session"))?;
        append_audit(&mut transaction, vec![audit], session.created_at).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn session(&self, token_hash: &str) -> Result<StaffSession> {
        let row = sqlx::query("SELECT * FROM staff_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend("read session"))?
            .ok_or(Error::NotFound)?;
        let staff_id: String = row.try_get("staff_id").map_err(backend("read session"))?;
        Ok(StaffSession {
            token_hash: token_hash.to_string(),
            staff_id: AgentId::parse(&staff_id).map_err(|_| Error::Backend("bad staff id in session".into()))?,
            csrf_token: row.try_get("csrf_token").map_err(backend("read session"))?,
            created_at: from_micros(row.try_get("created_at").map_err(backend("read session"))?),
            last_seen_at: from_micros(row.try_get("last_seen_at").map_err(backend("read session"))?),
        })
    }

    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(micros(now))
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(backend("touch session"))?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str, audit: Option<AuditEvent>, now: DateTime<Utc>) -> Result<()> {
        let mut transaction = self.begin().await?;
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *transaction)
            .await
            .map_err(backend("delete session"))?;
        append_audit(&mut transaction, audit.into_iter().collect(), now).await?;
        transaction.commit().await.map_err(backend("commit"))
    }

    async fn open_tickets(&self) -> Result<Vec<Ticket>> {
        let rows = sqlx::query("SELECT * FROM tickets WHERE status = 'open' ORDER BY created_at DESC LIMIT 500")
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read tickets"))?;
        rows.iter()
            .map(|row| {
                let read = backend("read tickets");
                let conversation_id: String = row.try_get("conversation_id").map_err(&read)?;
                Ok(Ticket {
                    id: row.try_get("id").map_err(&read)?,
                    conversation_id: ConversationId::parse(&conversation_id)
                        .map_err(|_| Error::Backend("bad conversation id in ticket".into()))?,
                    kind: row.try_get("kind").map_err(&read)?,
                    name: row.try_get("name").map_err(&read)?,
                    phone: row.try_get("phone").map_err(&read)?,
                    email: row.try_get("email").map_err(&read)?,
                    preferred_time: row.try_get("preferred_time").map_err(&read)?,
                    note: row.try_get("note").map_err(&read)?,
                    created_at: from_micros(row.try_get("created_at").map_err(&read)?),
                    status: row.try_get("status").map_err(&read)?,
                })
            })
            .collect()
    }

    async fn record_webhook_delivery(&self, delivery: &WebhookDelivery) -> Result<()> {
        self.insert_delivery(delivery).await
    }

    async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>> {
        self.read_deliveries(limit).await
    }
}

impl SqliteStore {
    async fn insert_delivery(&self, delivery: &WebhookDelivery) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_deliveries (delivery, event, url, attempt, status, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&delivery.delivery)
        .bind(&delivery.event)
        .bind(&delivery.url)
        .bind(i64::from(delivery.attempt))
        .bind(delivery.status.map(i64::from))
        .bind(&delivery.outcome)
        .bind(micros(delivery.at))
        .execute(&self.writer)
        .await
        .map_err(backend("record webhook delivery"))?;
        Ok(())
    }

    async fn read_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>> {
        let rows = sqlx::query("SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend("read webhook deliveries"))?;
        rows.iter()
            .map(|row| {
                let read = backend("read webhook deliveries");
                let attempt: i64 = row.try_get("attempt").map_err(&read)?;
                let status: Option<i64> = row.try_get("status").map_err(&read)?;
                Ok(WebhookDelivery {
                    delivery: row.try_get("delivery").map_err(&read)?,
                    event: row.try_get("event").map_err(&read)?,
                    url: row.try_get("url").map_err(&read)?,
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    status: status.and_then(|status| u16::try_from(status).ok()),
                    outcome: row.try_get("outcome").map_err(&read)?,
                    at: from_micros(row.try_get("at").map_err(&read)?),
                })
            })
            .collect()
    }
}

async fn insert_messages(
    transaction: &mut Transaction<'static, Sqlite>,
    conversation_id: &ConversationId,
    messages: Vec<NewMessage>,
    now: DateTime<Utc>,
) -> Result<Vec<StoredMessage>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let first_seq: i64 = sqlx::query_scalar("SELECT next_seq FROM conversations WHERE id = ?")
        .bind(conversation_id.as_str())
        .fetch_optional(&mut **transaction)
        .await
        .map_err(backend("read next seq"))?
        .ok_or(Error::NotFound)?;
    // Stored times have microsecond precision; return exactly what a later read returns.
    let now = from_micros(micros(now));
    let mut stored = Vec::with_capacity(messages.len());
    for (offset, message) in messages.into_iter().enumerate() {
        let seq = first_seq + offset as i64;
        let id = uuid::Uuid::now_v7().to_string();
        let citations =
            serde_json::to_string(&message.citations).map_err(|_| Error::Backend("encode citations".into()))?;
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, author, kind, text, author_label, lang, citations, offers_human, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(conversation_id.as_str())
        .bind(seq)
        .bind(message.author.as_str())
        .bind(message.kind.as_str())
        .bind(&message.text)
        .bind(&message.author_label)
        .bind(message.lang.as_str())
        .bind(citations)
        .bind(message.offers_human)
        .bind(micros(now))
        .execute(&mut **transaction)
        .await
        .map_err(classify("insert message"))?;
        stored.push(StoredMessage {
            id,
            conversation_id: conversation_id.clone(),
            seq,
            created_at: now,
            message,
        });
    }
    sqlx::query("UPDATE conversations SET next_seq = ? WHERE id = ?")
        .bind(first_seq + stored.len() as i64)
        .bind(conversation_id.as_str())
        .execute(&mut **transaction)
        .await
        .map_err(backend("advance seq"))?;
    Ok(stored)
}

async fn append_audit(
    transaction: &mut Transaction<'static, Sqlite>,
    events: Vec<AuditEvent>,
    now: DateTime<Utc>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **transaction)
        .await
        .map_err(backend("read audit head"))?;
    let (mut seq, mut prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    // Stored times have microsecond precision; hash exactly what is stored.
    let at = from_micros(micros(now));
    for event in events {
        seq += 1;
        let record = AuditRecord::chained(seq, at, event, &prev_hash);
        let encode =
            |value: serde_json::Result<String>| value.map_err(|_| Error::Backend("encode audit record".into()));
        sqlx::query(
            "INSERT INTO audit_log (seq, at, kind, conversation_id, actor, ids, counts, attributes, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(record.seq)
        .bind(micros(record.at))
        .bind(record.event.kind.as_str())
        .bind(record.event.conversation.as_ref().map(|id| id.as_str().to_string()))
        .bind(&record.event.actor)
        .bind(encode(serde_json::to_string(&record.event.ids))?)
        .bind(encode(serde_json::to_string(&record.event.counts))?)
        .bind(encode(serde_json::to_string(&record.event.attributes))?)
        .bind(&record.prev_hash)
        .bind(&record.hash)
        .execute(&mut **transaction)
        .await
        .map_err(backend("append audit record"))?;
        prev_hash = record.hash;
    }
    Ok(())
}

fn conversation_from_row(row: &SqliteRow) -> Result<Conversation> {
    let read = backend("read conversation");
    let id: String = row.try_get("id").map_err(&read)?;
    let locale: String = row.try_get("locale").map_err(&read)?;
    let state: String = row.try_get("state").map_err(&read)?;
    let agent: Option<String> = row.try_get("assigned_agent").map_err(&read)?;
    let agent_name: Option<String> = row.try_get("assigned_agent_name").map_err(&read)?;
    let corrupt = |what: &str| Error::Backend(format!("stored conversation has an invalid {what}"));
    let assigned_agent = match (agent, agent_name) {
        (Some(agent), Some(display_name)) => Some(AgentRef {
            id: AgentId::parse(&agent).map_err(|_| corrupt("agent"))?,
            display_name,
        }),
        _ => None,
    };
    let abstentions: i64 = row.try_get("consecutive_abstentions").map_err(&read)?;
    Ok(Conversation {
        id: ConversationId::parse(&id).map_err(|_| corrupt("id"))?,
        locale: Locale::parse(&locale).ok_or_else(|| corrupt("locale"))?,
        state: ConversationState::parse(&state).ok_or_else(|| corrupt("state"))?,
        assigned_agent,
        created_at: from_micros(row.try_get("created_at").map_err(&read)?),
        last_activity_at: from_micros(row.try_get("last_activity_at").map_err(&read)?),
        last_disclosure_at: row
            .try_get::<Option<i64>, _>("last_disclosure_at")
            .map_err(&read)?
            .map(from_micros),
        waiting_since: row
            .try_get::<Option<i64>, _>("waiting_since")
            .map_err(&read)?
            .map(from_micros),
        consecutive_abstentions: u32::try_from(abstentions).unwrap_or(u32::MAX),
        last_question_fingerprint: row.try_get("last_question_fingerprint").map_err(&read)?,
        version: row.try_get("version").map_err(&read)?,
    })
}

fn message_from_row(row: &SqliteRow) -> Result<StoredMessage> {
    let read = backend("read message");
    let corrupt = |what: &str| Error::Backend(format!("stored message has an invalid {what}"));
    let conversation_id: String = row.try_get("conversation_id").map_err(&read)?;
    let author: String = row.try_get("author").map_err(&read)?;
    let kind: String = row.try_get("kind").map_err(&read)?;
    let lang: String = row.try_get("lang").map_err(&read)?;
    let citations: String = row.try_get("citations").map_err(&read)?;
    Ok(StoredMessage {
        id: row.try_get("id").map_err(&read)?,
        conversation_id: ConversationId::parse(&conversation_id).map_err(|_| corrupt("conversation id"))?,
        seq: row.try_get("seq").map_err(&read)?,
        created_at: from_micros(row.try_get("created_at").map_err(&read)?),
        message: NewMessage {
            author: Author::parse(&author).ok_or_else(|| corrupt("author"))?,
            kind: MessageKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            text: row.try_get("text").map_err(&read)?,
            author_label: row.try_get("author_label").map_err(&read)?,
            lang: Locale::parse(&lang).ok_or_else(|| corrupt("language"))?,
            citations: serde_json::from_str(&citations).map_err(|_| corrupt("citation list"))?,
            offers_human: row.try_get("offers_human").map_err(&read)?,
        },
    })
}

fn audit_from_row(row: &SqliteRow) -> Result<AuditRecord> {
    let read = backend("read audit record");
    let corrupt = |what: &str| Error::Backend(format!("stored audit record has an invalid {what}"));
    let kind: String = row.try_get("kind").map_err(&read)?;
    let conversation: Option<String> = row.try_get("conversation_id").map_err(&read)?;
    let ids: String = row.try_get("ids").map_err(&read)?;
    let counts: String = row.try_get("counts").map_err(&read)?;
    let attributes: String = row.try_get("attributes").map_err(&read)?;
    let kind: AuditKind = serde_json::from_value(serde_json::Value::String(kind)).map_err(|_| corrupt("kind"))?;
    Ok(AuditRecord {
        seq: row.try_get("seq").map_err(&read)?,
        at: from_micros(row.try_get("at").map_err(&read)?),
        event: AuditEvent {
            kind,
            conversation: conversation
                .map(|id| ConversationId::parse(&id).map_err(|_| corrupt("conversation id")))
                .transpose()?,
            actor: row.try_get("actor").map_err(&read)?,
            ids: serde_json::from_str(&ids).map_err(|_| corrupt("id list"))?,
            counts: serde_json::from_str(&counts).map_err(|_| corrupt("count map"))?,
            attributes: serde_json::from_str(&attributes).map_err(|_| corrupt("attribute map"))?,
        },
        prev_hash: row.try_get("prev_hash").map_err(&read)?,
        hash: row.try_get("hash").map_err(&read)?,
    })
}

fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

fn from_micros(value: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(value).unwrap_or_default()
}

/// Maps a driver error to a content-free backend error naming the operation.
fn backend(operation: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |error| Error::Backend(format!("{operation}: {}", describe(&error)))
}

/// Like [`backend`], but a unique violation becomes [`Error::Conflict`].
fn classify(operation: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |error| match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => Error::Conflict,
        _ => Error::Backend(format!("{operation}: {}", describe(&error))),
    }
}

/// A description of a driver error without bound values (sqlx never includes them).
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database) => database.message().to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_core::config::Config;

    fn wording() -> loket_core::wording::Wording {
        loket_core::wording::Wording::new(&Config::default()).unwrap()
    }

    fn ai_message() -> NewMessage {
        NewMessage {
            author: Author::Ai,
            kind: MessageKind::Answer,
            text: "x".into(),
            author_label: "AI-assistent".into(),
            lang: Locale::Nl,
            citations: Vec::new(),
            offers_human: false,
        }
    }

    #[tokio::test]
    async fn the_database_refuses_an_ai_message_in_a_conversation_without_disclosure_dis_01() {
        let store = SqliteStore::in_memory().await.unwrap();
        let now = Utc::now();
        let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let mut transition = Conversation::start(id, Locale::Nl, now, &wording());
        transition.messages.clear();
        let refused = store
            .create_conversation(
                &transition.conversation,
                "hash",
                b"key",
                vec![ai_message()],
                Vec::new(),
                now,
            )
            .await;
        assert!(matches!(refused, Err(Error::Backend(_))), "{refused:?}");
    }

    #[tokio::test]
    async fn a_stale_version_is_a_conflict_and_seqs_have_no_gaps() {
        let store = SqliteStore::in_memory().await.unwrap();
        let now = Utc::now();
        let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
        let transition = Conversation::start(id.clone(), Locale::Nl, now, &wording());
        store
            .create_conversation(
                &transition.conversation,
                "hash",
                b"key",
                transition.messages,
                transition.audit,
                now,
            )
            .await
            .unwrap();
        let commit = |messages: Vec<NewMessage>, version: i64| {
            let mut conversation = transition.conversation.clone();
            conversation.version = version;
            Commit {
                conversation,
                messages,
                audit: Vec::new(),
                vault: Vec::new(),
                ticket: None,
                now,
            }
        };
        let stored = store.commit(commit(vec![ai_message(), ai_message()], 0)).await.unwrap();
        assert_eq!(stored.iter().map(|message| message.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert!(matches!(
            store.commit(commit(vec![ai_message()], 0)).await,
            Err(Error::Conflict)
        ));
        let all = store.messages(&id, 0, 100).await.unwrap();
        assert_eq!(all.iter().map(|message| message.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn audit_records_form_a_verifiable_chain_across_commits() {
        let store = SqliteStore::in_memory().await.unwrap();
        let now = Utc::now();
        for _ in 0..3 {
            let id = ConversationId::from_uuid(uuid::Uuid::now_v7());
            let transition = Conversation::start(id, Locale::En, now, &wording());
            store
                .create_conversation(
                    &transition.conversation,
                    "hash",
                    b"key",
                    transition.messages,
                    transition.audit,
                    now,
                )
                .await
                .unwrap();
        }
        let records = store.audit_records(0, 100).await.unwrap();
        assert_eq!(records.len(), 6);
        assert_eq!(loket_core::audit::verify_chain(records), Ok(6));
    }
}
